"""How the deliveries admin writes values: dates in one format and time zone, "—" for nothing."""

from django.utils import timezone
from django.utils.formats import date_format

#: What Wagtail's admin shows for an empty value.
EMPTY = "—"


def admin_datetime(value):
    """A moment as Wagtail's admin writes it: the user's time zone (Wagtail activates it, else the
    site's TIME_ZONE) and the language's DATETIME_FORMAT; "—" when there is none."""
    if not value:
        return EMPTY
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def or_dash(value):
    """The value, or "—" when it is empty."""
    return value if value not in (None, "") else EMPTY
