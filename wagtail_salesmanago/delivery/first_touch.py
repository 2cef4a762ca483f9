"""Campaign attribution on a site's pages: a visitor's first touch kept, and read for an answer.

The first page a visitor lands on with campaign parameters (or from another site) sets a cookie,
where the site sends attribution; a later answer reads it, so the first touch counts however the
visitor moved between pages. The form page sets it itself; ``middleware.
CampaignAttributionMiddleware`` does it on every page.

The cookie lasts the browser session (and is read for 30 days at most), is first-party,
``HttpOnly``, ``SameSite=Lax`` and signed with the site's ``SECRET_KEY``, so only what this site
wrote is read back. A response that sets it varies on cookies and is private, so no cache hands
one visitor's cookie to the next. Nothing here ever raises into a visitor's request. It holds only
``payload.attribution``'s values (the landing address's ``utm_*`` parameters, the other site's
address, the landing page), never anything the visitor typed.
"""

import logging

from django.conf import settings
from django.core import signing
from django.utils.cache import patch_cache_control, patch_vary_headers
from wagtail.models import Site

from ..payload import attribution
from ..records import SalesmanagoSettings
from .account import account_for_site

COOKIE = "salesmanago_campaign"
SALT = "wagtail_salesmanago.attribution"
#: Browsers keep cookies of up to 4,096 bytes; the signed value stays well under.
MAX_COOKIE_LENGTH = 3000
#: A cookie older than this is not read (a browser that restores its session keeps it longer).
MAX_AGE_SECONDS = 30 * 24 * 3600

logger = logging.getLogger(__name__)


def remember(request, response):
    """Set the cookie on ``response`` when its visitor arrives on a page with campaign data and
    has no (readable) cookie yet, and ``request``'s site sends attribution. A page view without
    campaign data, or with the cookie, reads nothing from the database; one with it reads the
    site's settings once. Never raises: attribution is not worth a visitor's error page."""
    try:
        if (request.method != "GET" or response.status_code != 200
                or not response.get("Content-Type", "").startswith("text/html")
                or COOKIE in response.cookies or getattr(request, "is_preview", False)
                or read(request)):
            return
        values = of_request(request)
        if values and sends_attribution(request):
            write(request, response, values)
    except Exception:
        logger.exception("Could not keep the visitor's campaign attribution.")


def sends_attribution(request):
    """Whether the request's site sends attribution: switched on, and SALESmanago set up (its
    settings read once per request, never created: a page view writes nothing)."""
    if not hasattr(request, "_salesmanago_sends_attribution"):
        site = Site.find_for_request(request)  # Wagtail keeps it on the request once found
        stored = site and (SalesmanagoSettings.objects.filter(site=site).first()
                           or SalesmanagoSettings(site=site))
        account = account_for_site(site, stored) if site else None
        request._salesmanago_sends_attribution = bool(
            account and account.send_attribution and not account.missing())
    return request._salesmanago_sends_attribution


def of_answer(request):
    """The first touch of an answer given in ``request``: the cookie's, else the request's own
    (``{}`` if neither can be read: the answer goes without it)."""
    try:
        return read(request) or of_request(request)
    except Exception:
        logger.exception("Could not read the visitor's campaign attribution.")
        return {}


def of_request(request):
    """Where the visitor of ``request`` came from, as the request itself says (``{}``: nothing)."""
    try:
        host = request.get_host()
    except Exception:  # DisallowedHost: Django answers 400 before any page is served
        return {}
    return attribution.first_touch(request.GET, request.META.get("HTTP_REFERER", ""), host,
                                   request.build_absolute_uri(request.path))


def read(request):
    """The first touch the cookie keeps, or ``{}`` (no cookie, one this site did not sign, or
    one older than ``MAX_AGE_SECONDS``)."""
    value = request.COOKIES.get(COOKIE)
    if not value or len(value) > MAX_COOKIE_LENGTH * 2:
        return {}
    try:
        stored = signing.loads(value, salt=SALT, max_age=MAX_AGE_SECONDS)
    except (signing.BadSignature, ValueError):
        return {}
    return attribution.clean(stored) if isinstance(stored, dict) else {}


def write(request, response, values):
    """Keep ``values`` in the cookie of ``response`` (values cut shorter until it fits), and make
    the response one no shared cache keeps."""
    length = attribution.MAX_VALUE_LENGTH
    value = signing.dumps(values, salt=SALT, compress=True)
    while len(value) > MAX_COOKIE_LENGTH:
        length //= 2
        value = signing.dumps({key: text[:length] for key, text in values.items()}, salt=SALT,
                              compress=True)
    response.set_cookie(COOKIE, value, httponly=True, samesite="Lax",
                        secure=request.is_secure() or settings.SESSION_COOKIE_SECURE)
    patch_vary_headers(response, ["Cookie"])
    patch_cache_control(response, private=True)
