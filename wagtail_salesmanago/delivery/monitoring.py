"""SALESmanago's monitoring code (sm.js) on a site's pages: what its template tag renders.

As SALESmanago's WordPress plugin renders it (``MonitCodeModel``): ``_smid`` (the client ID),
``_smclt`` (the contact cookie's lifetime, in days), then ``{endpoint}/static/sm.js`` loaded
asynchronously, and optionally the pop-ups from ``{endpoint}/dynamic/{client ID}/popups.js``
(the plugin's optional ``_smcustom`` and ``_smbanners`` flags are not offered). Here a static
file (``js/monitoring.js``) does what the plugin's inline script does, from the tag's data
attributes, and waits for the visitor's consent where the site says so."""

import re

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail.models import Site

from ..api.client import base_url
from ..records import SalesmanagoSettings
from .account import account_for_site

#: A client ID as SALESmanago hands them out (letters and digits; the sandbox's has a hyphen):
#: anything else is not put on a page.
CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def code_for(request, nonce=None):
    """The tag for ``request``'s page, as safe HTML; "" when the site has no monitoring code, no
    valid client ID or endpoint, or the page is an editor's preview (a draft is nobody's visit)."""
    if request is None or getattr(request, "is_preview", False):
        return ""
    site = Site.find_for_request(request)
    # Read, never created: a page view writes nothing (a site that never saved its settings
    # has no monitoring code).
    stored = SalesmanagoSettings.objects.filter(site=site).first() if site else None
    if stored is None or not stored.monitoring_code:
        return ""
    account = account_for_site(site, stored)
    client_id = str(account.client_id or "").strip()
    if not CLIENT_ID.fullmatch(client_id) or not account.endpoint or account.endpoint_error():
        return ""  # the settings screen and the system checks say what is wrong
    attributes = [("data-client-id", client_id), ("data-endpoint", base_url(account.endpoint))]
    if stored.monitoring_cookie_days:
        attributes.append(("data-cookie-days", str(stored.monitoring_cookie_days)))
    flags = [name for name, on in (("data-popups", stored.monitoring_popups),
                                   ("data-wait-for-consent", stored.monitoring_waits_for_consent))
             if on]
    nonce = page_nonce(request, nonce)
    return format_html(
        '<script src="{}" async{}{}{}></script>',
        static("wagtail_salesmanago/js/monitoring.js"),
        format_html("".join(f' {name}="{{}}"' for name, value in attributes),
                    *[value for name, value in attributes]),
        "".join(f" {flag}" for flag in flags),
        format_html(' nonce="{}"', nonce) if nonce else "",
    )


def page_nonce(request, nonce=None):
    """The page's Content Security Policy nonce: the template's ``csp_nonce`` (Django 6), else
    django-csp's ``request.csp_nonce``; "" if it has none. A lazy nonce counts as false until it
    is made: it is made here (``str``), so the response's header names it too."""
    if nonce is None:
        nonce = getattr(request, "csp_nonce", None)
    if nonce is None:
        return ""
    try:
        return str(nonce)
    except Exception:  # django-csp's after its response was sent: no nonce to give
        return ""
