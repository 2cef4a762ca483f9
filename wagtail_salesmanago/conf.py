"""Package options, with their defaults in one place.

Each option is read from the Django setting ``WAGTAIL_SALESMANAGO_<NAME>``.
"""

from django.conf import settings

DEFAULTS = {
    # (connect, read) seconds for each call to SALESmanago: at most 10 s in all.
    "TIMEOUT": (3.05, 6.95),
}


def get(name):
    """The value of option ``name``: the project's setting, else the default."""
    return getattr(settings, f"WAGTAIL_SALESMANAGO_{name}", DEFAULTS[name])
