"""Campaign attribution on a site's pages: a visitor's first touch kept, and read for an answer.

The first page a visitor lands on with campaign parameters (or from another site) sets a cookie,
where the site sends attribution; a later answer reads it, so the first touch counts however the
visitor moved between pages. The form page sets it itself; ``middleware.
CampaignAttributionMiddleware`` does it on every page.

The cookie lasts the browser session, is first-party, ``HttpOnly``, ``SameSite=Lax`` and signed
with the site's ``SECRET_KEY``, so only what this site wrote is read back. It holds only
``payload.attribution``'s values (the landing address's ``utm_*`` parameters, the other site's
address, the landing page), never anything the visitor typed.
"""

from django.core import signing
from wagtail.models import Site

from ..payload import attribution
from ..records import SalesmanagoSettings
from .account import account_for_site

COOKIE = "salesmanago_campaign"
SALT = "wagtail_salesmanago.attribution"
#: Browsers keep cookies of up to 4,096 bytes; the signed value stays well under.
MAX_COOKIE_LENGTH = 3000


def remember(request, response):
    """Set the cookie on ``response`` when its visitor arrives with campaign data and has no
    cookie yet, and ``request``'s site sends attribution. A page view without campaign data or
    with the cookie reads nothing from the database."""
    if (request.method != "GET" or response.status_code != 200 or COOKIE in request.COOKIES
            or COOKIE in response.cookies or getattr(request, "is_preview", False)):
        return
    values = of_request(request)
    if not values:
        return
    site = Site.find_for_request(request)  # Wagtail keeps it on the request once found
    if site is not None and sends_attribution(site):
        write(request, response, values)


def sends_attribution(site):
    """Whether the site sends attribution: switched on, and SALESmanago set up (its settings
    read, never created: a page view writes nothing)."""
    stored = SalesmanagoSettings.objects.filter(site=site).first() or SalesmanagoSettings(site=site)
    account = account_for_site(site, stored)
    return bool(account.send_attribution) and not account.missing()


def of_answer(request):
    """The first touch of an answer given in ``request``: the cookie's, else the request's own."""
    return read(request) or of_request(request)


def of_request(request):
    """Where the visitor of ``request`` came from, as the request itself says (``{}``: nothing)."""
    try:
        host = request.get_host()
    except Exception:  # DisallowedHost: Django answers 400 before any page is served
        return {}
    return attribution.first_touch(request.GET, request.META.get("HTTP_REFERER", ""), host,
                                   request.build_absolute_uri(request.path))


def read(request):
    """The first touch the cookie keeps, or ``{}`` (no cookie, or one this site did not sign)."""
    value = request.COOKIES.get(COOKIE)
    if not value or len(value) > MAX_COOKIE_LENGTH * 2:
        return {}
    try:
        stored = signing.loads(value, salt=SALT)
    except (signing.BadSignature, ValueError):
        return {}
    return attribution.clean(stored) if isinstance(stored, dict) else {}


def write(request, response, values):
    """Keep ``values`` in the cookie of ``response``: values are cut shorter until it fits."""
    length = attribution.MAX_VALUE_LENGTH
    value = signing.dumps(values, salt=SALT, compress=True)
    while len(value) > MAX_COOKIE_LENGTH:
        length //= 2
        value = signing.dumps({key: text[:length] for key, text in values.items()}, salt=SALT,
                              compress=True)
    response.set_cookie(COOKIE, value, secure=request.is_secure(), httponly=True, samesite="Lax")
