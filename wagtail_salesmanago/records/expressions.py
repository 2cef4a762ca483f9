"""Date expressions the report groups and counts by, computed by the database itself.

Django computes a time zone's date (``TruncDate``) and date arithmetic (``F("a") + delay``)
natively on PostgreSQL, but on SQLite by calling a Python function for every row: over a million
records, seconds each. These give SQLite the same answers with its own ``date()`` and
``julianday()``; other databases get Django's own expressions."""

import datetime

from django.db import connection
from django.db.models import Case, DateField, F, FloatField, Func, Q, Value, When
from django.db.models.functions import Round, Substr, TruncDate
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone


class SQLiteDate(Func):
    """SQLite's ``date(moment, '+3600 seconds')``: the date of a moment moved by an offset."""

    function = "date"
    output_field = DateField()


class JulianDay(Func):
    function = "julianday"
    output_field = FloatField()


def offsets(start, end, zone):
    """The UTC offsets of ``zone`` from ``start`` to ``end``: ``[(from, offset)]``, the first from
    ``start``, each next from the moment (to the second) the offset changes (summer time)."""
    changes = [(start, start.astimezone(zone).utcoffset())]
    moment = start
    while moment < end:
        step = min(moment + datetime.timedelta(hours=1), end)
        if step.astimezone(zone).utcoffset() != changes[-1][1]:
            before, after = moment, step  # the change lies between: find its second
            while after - before > datetime.timedelta(seconds=1):
                middle = before + (after - before) / 2
                if middle.astimezone(zone).utcoffset() == changes[-1][1]:
                    before = middle
                else:
                    after = middle
            changes.append((after, after.astimezone(zone).utcoffset()))
        moment = step
    return changes


def local_date(field, start, end):
    """The date of ``field`` in the current time zone, for moments from ``start`` to ``end``."""
    if connection.vendor != "sqlite":
        return TruncDate(field)

    def shifted(offset):
        # To the second (the offsets are whole seconds): SQLite would round "23:59:59.9996" to
        # the next day's midnight, so the fraction of the second is cut off first.
        whole_seconds = Substr(F(field), 1, 19)  # as Django keeps it: "YYYY-MM-DD HH:MM:SS"
        return SQLiteDate(whole_seconds, Value(f"{int(offset.total_seconds()):+d} seconds"))

    (_, first), *later = offsets(start, end, timezone.get_current_timezone())
    if not later:
        return shifted(first)
    # Each offset up to the next change: the latest change first.
    whens = [When(**{f"{field}__gte": moment}, then=shifted(offset))
             for moment, offset in reversed(later)]
    return Case(*whens, default=shifted(first))  # a date, as each of them is


def within(later, earlier, delay):
    """A condition: moment ``later`` is at most ``delay`` after ``earlier``."""
    if connection.vendor != "sqlite":
        return Q(**{f"{later}__lte": F(earlier) + delay})
    # julianday() is a float of days: a difference of exactly ``delay`` can come out a hair over
    # it, so it is rounded to SQLite's own precision (the millisecond) first.
    seconds = (JulianDay(F(later)) - JulianDay(F(earlier))) * Value(86400.0)
    return Q(LessThanOrEqual(Round(seconds, 3), delay.total_seconds()))
