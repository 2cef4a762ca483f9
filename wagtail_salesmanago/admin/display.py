"""How the deliveries admin writes values: dates in one format and time zone, "—" for nothing,
long values cut, short ones kept on one line."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

#: What Wagtail's admin shows for an empty value.
EMPTY = "—"


#: One way to write a moment on every SALESmanago screen, in every language: ISO 8601's order,
#: 24-hour clock ("2026-12-06 15:56"). Nobody reads it as 12 June, and it is short in a table.
DATETIME = "Y-m-d H:i"


def admin_datetime(value):
    """A moment in the user's time zone (Wagtail activates it, else the site's TIME_ZONE) as
    ``DATETIME``; "—" when there is none."""
    if not value:
        return EMPTY
    return date_format(timezone.localtime(value), DATETIME)


def or_dash(value):
    """The value, or "—" when it is empty."""
    return value if value not in (None, "") else EMPTY


def shortened(text, length):
    """``text`` in at most ``length`` characters: cut after the last whole word that fits (inside
    a word only when there is no space: an ID, an e-mail), with "…"."""
    if len(text) <= length:
        return text
    kept = text[:length - 1]
    if " " in kept and text[length - 1] != " ":
        kept = kept.rsplit(" ", 1)[0]
    return kept.rstrip(" ,.;:") + "…"


def nowrap(value):
    """``value`` kept on one line (a date: "2026-12-07 01:20" never breaks at a hyphen)."""
    return format_html('<span class="salesmanago-nowrap">{}</span>', value)
