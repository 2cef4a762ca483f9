"""Package options, with their defaults in one place.

Each option is read from the Django setting ``WAGTAIL_SALESMANAGO_<NAME>``.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULTS = {
    # Seconds to wait for a connection, and for each next piece of an answer (requests' (connect,
    # read) timeouts; one number sets both): a dead or silent SALESmanago fails this fast.
    "TIMEOUT": (3.05, 6.95),
    # The most one delivery attempt may take, all its calls together (an update and its fallback
    # upsert), from the name lookup to the answer's last byte; a slower one is cut off and retried.
    # A visitor of the immediate backend waits at most this, plus the request's own local work.
    # None: the two TIMEOUT values added (10 s by default).
    "DEADLINE": None,
    # Transient failures are retried after 1 min, 2 min, 4 min... at most 6 h apart,
    # and given up 48 h after the submission.
    "RETRY_BASE_SECONDS": 60,
    "RETRY_MAX_SECONDS": 6 * 60 * 60,
    "GIVE_UP_AFTER_SECONDS": 48 * 60 * 60,
    # While SALESmanago rejects a site's credentials or owner, its deliveries wait and the
    # credentials are checked at most this often (one call per site).
    "HOLD_CHECK_SECONDS": 30 * 60,
    # A sender's claim on a record; a sender killed mid-send leaves it to expire.
    "CLAIM_SECONDS": 120,
    # Records claimed and sent together, in one contact/batchupsert call per site and owner, when
    # salesmanago_retry or a worker drains a backlog of e-mail contacts (1 to MAX_BATCH_SIZE).
    "BATCH_SIZE": 100,
    # Accept http:// endpoints outside DEBUG (a sandbox on another machine, say).
    "ALLOW_HTTP": False,
    # Mail the site admins (settings.ADMINS) when a form's deliveries start failing.
    "ALERT_ADMINS": False,
    # The reverse proxies (IP addresses or networks, e.g. "10.0.0.0/8") in front of the site.
    # Only behind them is X-Forwarded-For believed for a consent's IP address; else REMOTE_ADDR.
    "TRUSTED_PROXIES": [],
}

#: The most contacts one contact/batchupsert call carries. SALESmanago documents no limit; its
#: WordPress plugin sends 400 (ExportModel::PACKAGE_SIZE) and its .NET SDK caps a batch of events
#: at 1000. Past that, one lost answer (its contactIds must also fit the client's 1 MB answer cap)
#: would leave a great many records to be sent again, one by one.
MAX_BATCH_SIZE = 1000


def get(name):
    """The value of option ``name``: the project's setting, else the default."""
    return getattr(settings, f"WAGTAIL_SALESMANAGO_{name}", DEFAULTS[name])


def timeouts(value=None):
    """``value`` (by default the TIMEOUT option) as (connect, read) seconds."""
    value = get("TIMEOUT") if value is None else value
    pair = (value, value) if is_seconds(value) else value
    if not (isinstance(pair, (list, tuple)) and len(pair) == 2 and all(map(is_seconds, pair))):
        raise ImproperlyConfigured(
            f"WAGTAIL_SALESMANAGO_TIMEOUT must be a number of seconds or a (connect, read) pair "
            f"of them, not {value!r}."
        )
    return tuple(float(part) for part in pair)


def deadline(timeout=None):
    """The DEADLINE option in seconds; unset, the sum of the (connect, read) ``timeout``."""
    value = get("DEADLINE")
    if value is None:
        return sum(timeouts(timeout))
    if not is_seconds(value):
        raise ImproperlyConfigured(
            f"WAGTAIL_SALESMANAGO_DEADLINE must be a number of seconds, not {value!r}."
        )
    return float(value)


def is_seconds(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def batch_size(value=None):
    """``value`` (by default the BATCH_SIZE option) as a number of contacts per batch call."""
    value = get("BATCH_SIZE") if value is None else value
    if not is_batch_size(value):
        raise ImproperlyConfigured(
            f"WAGTAIL_SALESMANAGO_BATCH_SIZE must be a whole number from 1 to {MAX_BATCH_SIZE}, "
            f"not {value!r}."
        )
    return value


def is_batch_size(value):
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_BATCH_SIZE
