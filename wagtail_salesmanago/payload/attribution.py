"""Campaign attribution: where a visitor came from, as custom details and event details (pure).

A visitor's first touch is the landing address's ``utm_*`` parameters (Google's campaign URL
parameters), the address of the other site that sent them and the page they landed on. Every
value is text from the visitor's browser: kept as plain text (never HTML), without invisible
characters, at most ``MAX_VALUE_LENGTH`` characters, as SALESmanago takes a detail.
"""

from urllib.parse import urlsplit, urlunsplit

from .names import visible_text

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
KEYS = (*UTM_KEYS, "referrer", "landing_page")
MAX_VALUE_LENGTH = 255
#: Where each value goes in the form's event (``detail1`` is the form page's address).
EVENT_DETAILS = {key: f"detail{number}" for number, key in enumerate(KEYS, 2)}


def clean(values):
    """``values`` reduced to ``KEYS`` with text: visible characters, trimmed, cut to 255."""
    cleaned = {}
    for key in KEYS:
        value = values.get(key)
        if not isinstance(value, str):
            continue
        text = " ".join(visible_text(value[:MAX_VALUE_LENGTH * 4]).split())[:MAX_VALUE_LENGTH]
        if text:
            cleaned[key] = text
    return cleaned


def first_touch(query, referrer, own_host, landing_url):
    """What a request says of where the visitor came from, or ``{}`` when it says nothing: its
    ``utm_*`` parameters (``query``, a mapping) and a ``referrer`` on another host than
    ``own_host``; then also the page landed on (``landing_url``). Addresses keep no query
    string, which can hold anything, personal data included."""
    values = {key: query.get(key) for key in UTM_KEYS}
    external = address(referrer) if host_of(referrer) not in ("", host_of(f"//{own_host}")) else ""
    values = clean({**values, "referrer": external})
    if not values:
        return {}
    return clean({**values, "landing_page": address(landing_url)})


def host_of(url):
    """The host of ``url``, lower case, without a leading ``www.`` (the site's own pages under
    either name are one site); "" for none."""
    try:
        host = (urlsplit(str(url or "")[:2048]).hostname or "").lower()
    except ValueError:  # "http://[not-an-address"
        return ""
    return host.removeprefix("www.")


def address(url):
    """``url`` without its query string and fragment; "" for what is not a web address."""
    try:
        parts = urlsplit(str(url or "")[:2048])
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def properties(values, prefix):
    """The custom details: ``prefix`` + each key, for the values there are."""
    return {prefix + key: value for key, value in clean(values).items()}


def event_details(values):
    """The event's details (``EVENT_DETAILS``) for the values there are."""
    return {EVENT_DETAILS[key]: value for key, value in clean(values).items()}
