"""SALESmanago's monitoring code (sm.js) on a site's pages: what its template tag renders.

As SALESmanago's WordPress plugin renders it (``MonitCodeModel``): ``_smid`` (the client ID),
``_smclt`` (the contact cookie's lifetime, in days), then ``{endpoint}/static/sm.js`` loaded
asynchronously, and optionally the pop-ups from ``{endpoint}/dynamic/{client ID}/popups.js``.
Here a static file (``js/monitoring.js``) does what the plugin's inline script does, from the
tag's data attributes, and waits for the visitor's consent where the site says so."""

from wagtail.models import Site

from ..api.client import base_url
from ..api.exceptions import NotConfigured
from ..records import SalesmanagoSettings
from .account import account_for_site


def code_for(request, nonce=None):
    """The template's context for the tag on ``request``'s page: ``{}`` (nothing rendered) when
    the site has no monitoring code, no client ID or no valid endpoint."""
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        return {}
    stored = SalesmanagoSettings.for_request(request)  # read once per request (Wagtail's cache)
    if not stored.monitoring_code:
        return {}
    account = account_for_site(site, stored)
    try:
        endpoint = base_url(account.endpoint) if account.endpoint else ""
    except NotConfigured:
        return {}  # an endpoint that fails the checks: the settings screen says so
    client_id = str(account.client_id or "").strip()
    if not (client_id and endpoint):
        return {}
    nonce = nonce or getattr(request, "csp_nonce", None)
    return {
        "monitoring": True,
        "client_id": client_id,
        "endpoint": endpoint,
        "cookie_days": stored.monitoring_cookie_days,
        "popups": stored.monitoring_popups,
        "wait_for_consent": stored.monitoring_waits_for_consent,
        "nonce": str(nonce) if nonce else "",
    }
