"""Package options, with their defaults in one place.

Each option is read from the Django setting ``WAGTAIL_SALESMANAGO_<NAME>``.
"""

from django.conf import settings

DEFAULTS = {
    # (connect, read) seconds for each call to SALESmanago: at most 10 s in all.
    "TIMEOUT": (3.05, 6.95),
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
    # Accept http:// endpoints outside DEBUG (a sandbox on another machine, say).
    "ALLOW_HTTP": False,
    # Mail the site admins (settings.ADMINS) when a form's deliveries start failing.
    "ALERT_ADMINS": False,
}


def get(name):
    """The value of option ``name``: the project's setting, else the default."""
    return getattr(settings, f"WAGTAIL_SALESMANAGO_{name}", DEFAULTS[name])
