"""Tags for a site's own form templates: ``{% load salesmanago %}``."""

from django import template

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
