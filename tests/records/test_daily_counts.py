"""The report's figures: one grouped query per day and form, each answer counted once."""

from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.contrib.forms.models import FormSubmission

from tests.helpers import make_form_page
from wagtail_salesmanago.models import ExportRecord

# 23:30 UTC is already the next day in Warsaw (the test settings' time zone).
LATE = datetime(2026, 12, 5, 23, 30, tzinfo=dt_timezone.utc)


def record(page, number, created_at, **fields):
    made = ExportRecord.objects.create(
        page=page, submission_type=ContentType.objects.get_for_model(FormSubmission),
        submission_id=str(number), **fields)
    ExportRecord.objects.filter(pk=made.pk).update(created_at=created_at)
    return made


@pytest.mark.django_db
def test_each_days_answers_by_form_and_status_in_the_sites_time_zone(django_assert_num_queries):
    a, b = make_form_page(title="A"), make_form_page(title="B")
    record(a, 1, LATE, status="sent", sent_at=LATE + timedelta(seconds=59))
    record(a, 2, LATE, status="sent", sent_at=LATE + timedelta(minutes=59))
    record(a, 3, LATE, status="sent", sent_at=LATE + timedelta(hours=2))
    record(a, 4, LATE, status="failed")
    record(a, 4, LATE + timedelta(hours=1), status="retrying")  # exported again: counts once
    record(b, 5, LATE - timedelta(hours=1), status="held")  # 23:30 in Warsaw: the 5th
    record(b, 6, LATE - timedelta(days=30), status="skipped")  # before the period

    with django_assert_num_queries(1):
        rows = list(ExportRecord.objects.daily_counts(since=LATE - timedelta(days=7)))

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
    record(a, 1, LATE, status="sent", sent_at=LATE)
    record(a, 2, LATE, status="sent", sent_at=LATE + timedelta(days=1))
    record(a, 3, LATE, status="failed")
    record(b, 4, LATE, status="failed")

    assert ExportRecord.objects.last_sent_by_page() == {a.pk: LATE + timedelta(days=1)}
