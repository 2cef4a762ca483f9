"""The report's figures: one grouped query per day and form, each answer counted once."""

import re
from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.helpers import dated_record, make_form_page
from wagtail_salesmanago.models import ExportRecord

# 23:30 UTC is already the next day in Warsaw (the test settings' time zone).
LATE = datetime(2026, 12, 5, 23, 30, tzinfo=dt_timezone.utc)


@pytest.mark.django_db
def test_each_days_answers_by_form_and_status_in_the_sites_time_zone(django_assert_num_queries):
    a, b = make_form_page(title="A"), make_form_page(title="B")
    dated_record(a, LATE, answer=1, status="sent", sent_at=LATE + timedelta(seconds=59))
    dated_record(a, LATE, answer=2, status="sent", sent_at=LATE + timedelta(minutes=59))
    dated_record(a, LATE, answer=3, status="sent", sent_at=LATE + timedelta(hours=2))
    dated_record(a, LATE, answer=4, status="failed")
    dated_record(a, LATE + timedelta(hours=1), answer=4, status="retrying")  # exported again: counts once
    dated_record(b, LATE - timedelta(hours=1), answer=5, status="held")  # 23:30 in Warsaw: the 5th
    dated_record(b, LATE - timedelta(days=30), answer=6, status="skipped")  # before the period

    with django_assert_num_queries(1):
        rows = list(ExportRecord.objects.daily_counts(since=LATE - timedelta(days=7),
                                                      until=LATE + timedelta(days=1)))

    zero = {status: 0 for status in ExportRecord.Status.values}
    assert rows == [
        {"day": datetime(2026, 12, 5).date(), "page": b.pk, **zero, "held": 1,
         "within_minute": 0, "within_hour": 0},
        {"day": datetime(2026, 12, 6).date(), "page": a.pk, **zero, "sent": 3, "retrying": 1,
         "within_minute": 1, "within_hour": 2},
    ]


@pytest.mark.django_db
def test_the_last_success_of_each_form():
    a, b = make_form_page(title="A"), make_form_page(title="B")
    dated_record(a, LATE, answer=1, status="sent", sent_at=LATE)
    dated_record(a, LATE, answer=2, status="sent", sent_at=LATE + timedelta(days=1))
    dated_record(a, LATE, answer=3, status="failed")
    dated_record(b, LATE, answer=4, status="failed")

    assert ExportRecord.objects.last_sent_by_page() == {a.pk: LATE + timedelta(days=1)}


@pytest.mark.django_db
def test_days_follow_summer_time_as_the_site_reads_its_clock():
    """Warsaw's clocks change on 2026-03-29 and 2026-10-25 at 01:00 UTC: each answer is counted
    on the day its local time says, on either side of each change."""
    page = make_form_page()
    utc = dt_timezone.utc
    moments = [datetime(2026, 3, 28, 22, 59, tzinfo=utc), datetime(2026, 3, 28, 23, 0, tzinfo=utc),
               datetime(2026, 3, 29, 21, 59, tzinfo=utc), datetime(2026, 3, 29, 22, 0, tzinfo=utc),
               datetime(2026, 10, 24, 21, 59, tzinfo=utc), datetime(2026, 10, 24, 22, 0, tzinfo=utc),
               datetime(2026, 10, 25, 22, 59, tzinfo=utc), datetime(2026, 10, 25, 23, 0, tzinfo=utc)]
    for number, moment in enumerate(moments):
        dated_record(page, moment, answer=number, status="sent")

    rows = ExportRecord.objects.daily_counts(since=datetime(2026, 3, 1, tzinfo=utc),
                                             until=datetime(2026, 11, 1, tzinfo=utc))
    expected = {}
    for moment in moments:
        day = timezone.localtime(moment).date()
        expected[day] = expected.get(day, 0) + 1
    assert {row["day"]: row["sent"] for row in rows} == expected
    assert len(expected) == 6  # 03-28, 03-29, 03-30, 10-24, 10-25, 10-26


def test_the_offsets_change_at_the_second_the_clocks_do():
    from zoneinfo import ZoneInfo

    from wagtail_salesmanago.records.expressions import offsets
    utc = dt_timezone.utc
    changes = offsets(datetime(2026, 10, 20, tzinfo=utc), datetime(2026, 10, 30, tzinfo=utc),
                      ZoneInfo("Europe/Warsaw"))
    assert changes == [(datetime(2026, 10, 20, tzinfo=utc), timedelta(hours=2)),
                       (datetime(2026, 10, 25, 1, tzinfo=utc), timedelta(hours=1))]
    # Lord Howe Island moves by half an hour.
    changes = offsets(datetime(2026, 10, 1, tzinfo=utc), datetime(2026, 10, 10, tzinfo=utc),
                      ZoneInfo("Australia/Lord_Howe"))
    assert [offset for moment, offset in changes] == [timedelta(hours=10, minutes=30),
                                                      timedelta(hours=11)]


@pytest.mark.django_db
@pytest.mark.parametrize("sent_after, within_minute, within_hour", [
    (timedelta(0), 1, 1),
    (timedelta(seconds=59, microseconds=999000), 1, 1),
    (timedelta(seconds=60), 1, 1),
    (timedelta(seconds=60, milliseconds=1), 0, 1),
    (timedelta(seconds=61), 0, 1),
    (timedelta(minutes=59, seconds=59), 0, 1),
    (timedelta(hours=1), 0, 1),
    (timedelta(hours=1, milliseconds=1), 0, 0),
    (timedelta(days=1), 0, 0),
])
def test_an_answer_sent_a_minute_or_an_hour_after_it_came_counts_as_sent_within_it(
        sent_after, within_minute, within_hour):
    """To the millisecond (SQLite's precision): exactly a minute after is within the minute."""
    page = make_form_page()
    created = datetime(2026, 12, 5, 10, 17, 12, tzinfo=dt_timezone.utc)
    dated_record(page, created, status="sent", sent_at=created + sent_after)

    [row] = ExportRecord.objects.daily_counts(since=created - timedelta(days=1),
                                              until=created + timedelta(days=1))
    assert (row["sent"], row["within_minute"], row["within_hour"]) == (
        1, within_minute, within_hour)


@pytest.mark.django_db
def test_an_answer_in_the_last_instant_of_a_day_counts_on_that_day():
    """Midnight in Warsaw is 23:00 UTC in winter: to the microsecond, an answer before it is the
    day's, one at it the next day's."""
    page = make_form_page()
    midnight = datetime(2026, 12, 5, 23, 0, tzinfo=dt_timezone.utc)  # the 6th begins
    moments = [midnight - timedelta(hours=24), midnight - timedelta(seconds=1),
               midnight - timedelta(microseconds=400), midnight - timedelta(microseconds=1),
               midnight, midnight + timedelta(microseconds=1)]
    for number, moment in enumerate(moments):
        dated_record(page, moment, answer=number, status="sent")

    rows = ExportRecord.objects.daily_counts(since=midnight - timedelta(days=2),
                                             until=midnight + timedelta(days=1))
    assert {row["day"].isoformat(): row["sent"] for row in rows} == {
        "2026-12-05": 4, "2026-12-06": 2}


@pytest.mark.django_db
def test_where_the_clocks_go_back_at_midnight_the_hour_repeated_is_the_day_before(settings):
    """In Santiago the clocks go back from midnight to 23:00 of the day before on 2026-04-05
    (03:00 UTC) and forward from midnight to 01:00 on 2026-09-06 (04:00 UTC)."""
    settings.TIME_ZONE = "America/Santiago"
    page = make_form_page()
    utc = dt_timezone.utc
    moments = [
        datetime(2026, 4, 4, 2, 59, 59, tzinfo=utc),  # the 3rd, 23:59:59 (-03)
        datetime(2026, 4, 4, 3, 0, tzinfo=utc),  # the 4th, midnight
        datetime(2026, 4, 5, 2, 59, 59, tzinfo=utc),  # the 4th, 23:59:59 (-03)
        datetime(2026, 4, 5, 3, 0, tzinfo=utc),  # the 4th again, 23:00 (-04)
        datetime(2026, 4, 5, 3, 59, 59, tzinfo=utc),  # the 4th, 23:59:59 (-04)
        datetime(2026, 4, 5, 4, 0, tzinfo=utc),  # the 5th, midnight
        datetime(2026, 9, 6, 3, 59, 59, tzinfo=utc),  # the 5th, 23:59:59 (-04)
        datetime(2026, 9, 6, 4, 0, tzinfo=utc),  # the 6th, 01:00 (-03): no midnight that day
    ]
    for number, moment in enumerate(moments):
        dated_record(page, moment, answer=number, status="sent")

    rows = ExportRecord.objects.daily_counts(since=datetime(2026, 3, 1, tzinfo=utc),
                                             until=datetime(2026, 10, 1, tzinfo=utc))
    assert {row["day"].isoformat(): row["sent"] for row in rows} == {
        "2026-04-03": 1, "2026-04-04": 4, "2026-04-05": 1, "2026-09-05": 1, "2026-09-06": 1}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL computes both natively")
def test_on_sqlite_the_days_and_the_delays_are_computed_by_the_database_itself():
    """Django's own ``TruncDate`` and ``F + delay`` give SQLite the same figures by calling a
    Python function for each row (seconds over a million records, benchmark P5): the report's
    query calls none of Django's ``django_*`` functions. Over summer time too, where each offset
    has its own ``date()``."""
    page = make_form_page()
    dated_record(page, LATE, status="sent", sent_at=LATE + timedelta(seconds=30))
    with CaptureQueriesContext(connection) as queries:
        for since in (LATE - timedelta(days=7), datetime(2026, 3, 1, tzinfo=dt_timezone.utc)):
            rows = list(ExportRecord.objects.daily_counts(since=since, until=LATE + timedelta(days=1)))
            assert [(row["sent"], row["within_minute"]) for row in rows] == [(1, 1)]

    def calls(function, sql):
        return re.findall(rf"\b{function}\(", sql)

    [short, over_summer_time] = [query["sql"] for query in queries.captured_queries]
    for sql in (short, over_summer_time):
        assert calls(r"django_\w+", sql) == []  # Django's Python functions for SQLite
        assert calls("julianday", sql) and calls("date", sql)
    assert len(calls("date", over_summer_time)) > len(calls("date", short))
