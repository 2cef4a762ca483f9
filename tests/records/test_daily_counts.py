"""The report's figures: one grouped query per day and form, each answer counted once."""

from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
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
