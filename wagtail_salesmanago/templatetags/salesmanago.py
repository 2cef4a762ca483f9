"""Tags for a site's own form templates: ``{% load salesmanago %}``."""

from django import template

from ..delivery import monitoring
from ..forms import CONTACT_ID_PARAM

register = template.Library()


@register.simple_tag
def salesmanago_contact_id(form):
    """The hidden field that carries a SALESmanago mailing link's contact ID through the POST.

    ``{{ form.as_div }}`` and friends render it; a template that renders fields one by one
    (``{{ form.e_mail }}``) must render this too, inside the ``<form>``::

        {% load salesmanago %}
        {% salesmanago_contact_id form %}
    """
    try:
        return form[CONTACT_ID_PARAM]
    except KeyError:
        return ""  # not a SALESmanago form page's form


@register.simple_tag(takes_context=True)
def salesmanago_monitoring_code(context):
    """SALESmanago's monitoring code (sm.js) for this page's site, if its settings ask for it
    (Settings > SALESmanago > Monitoring code); nothing otherwise. Put it in the base template,
    before ``</body>``::

        {% load salesmanago %}
        {% salesmanago_monitoring_code %}

    No inline script: a static file starts it from the tag's data (a strict Content Security
    Policy holds; the page's CSP nonce, where it has one, goes on the tag). Escaped whatever
    the template's autoescaping."""
    return monitoring.code_for(context.get("request"), context.get("csp_nonce"))
