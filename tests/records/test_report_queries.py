"""The delivery report's figures as staff read them (and the daily digest): whole days in the
site's time zone, every day of the period even without answers, each answer counted once, the
shares of the answers there was something to send for."""

from datetime import date, datetime, timedelta, timezone as dt_timezone
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from wagtail.models import Page

from tests.helpers import dated_record, make_form_page
from wagtail_salesmanago.models import ExportRecord
from wagtail_salesmanago.records.report import Period, figures

UTC = dt_timezone.utc


def counted(day_or_form):
    """A row's figures as the report's table shows them: the statuses that are not 0, the
    answers and the two shares."""
    return ({status: count for status, count in day_or_form.counts.items() if count},
            day_or_form.answers, day_or_form.share_within_minute, day_or_form.share_within_hour)


def report(period, records=None, pages=None):
    days, forms = figures(records or ExportRecord.objects.all(), period,
                          pages or Page.objects.all())
    return {day.day.isoformat(): counted(day) for day in days}, forms


@pytest.mark.parametrize("period, first, start, end", [
    # Warsaw in winter is UTC+1: its midnight is 23:00 UTC the day before.
    (Period(7, date(2026, 12, 6)), date(2026, 11, 30),
     datetime(2026, 11, 29, 23, tzinfo=UTC), datetime(2026, 12, 6, 23, tzinfo=UTC)),
    (Period(1, date(2026, 12, 6)), date(2026, 12, 6),
     datetime(2026, 12, 5, 23, tzinfo=UTC), datetime(2026, 12, 6, 23, tzinfo=UTC)),
    # A week over the end of summer time (2026-10-25) lasts 7 days and an hour.
    (Period(7, date(2026, 10, 27)), date(2026, 10, 21),
     datetime(2026, 10, 20, 22, tzinfo=UTC), datetime(2026, 10, 27, 23, tzinfo=UTC)),
])
def test_a_period_is_whole_days_in_the_sites_time_zone_ending_on_its_last(period, first, start,
                                                                          end):
    assert period.first == first
    assert period.dates == [first + timedelta(days=n) for n in range(period.days)]
    assert period.dates[-1] == period.last
    assert (period.start, period.end) == (start, end)


@pytest.mark.django_db
def test_a_period_without_answers_has_each_day_at_nought_and_no_shares(django_assert_num_queries):
    page = make_form_page(title="Quiet")
    dated_record(page, datetime(2026, 12, 2, 22, 59, 59, 999999, tzinfo=UTC), "sent",
                 sent_at=datetime(2026, 12, 2, 23, tzinfo=UTC))  # the day before, in Warsaw
    dated_record(page, datetime(2026, 12, 5, 23, tzinfo=UTC), "failed")  # the day after

    with django_assert_num_queries(1):  # the counts only: no form to look up
        days, forms = report(Period(3, date(2026, 12, 5)))
    assert days == {"2026-12-03": ({}, 0, None, None), "2026-12-04": ({}, 0, None, None),
                    "2026-12-05": ({}, 0, None, None)}
    assert forms == []


@pytest.mark.django_db
def test_the_first_and_the_last_instant_of_the_period_are_in_it():
    page = make_form_page(title="Edges")
    start, end = datetime(2026, 12, 2, 23, tzinfo=UTC), datetime(2026, 12, 5, 23, tzinfo=UTC)
    for moment, status in [(start - timedelta(microseconds=1), "failed"), (start, "sent"),
                           (end - timedelta(microseconds=1), "held"), (end, "failed")]:
        dated_record(page, moment, status, sent_at=moment if status == "sent" else None)

    days, [form] = report(Period(3, date(2026, 12, 5)))
    assert days == {"2026-12-03": ({"sent": 1}, 1, 100.0, 100.0),
                    "2026-12-04": ({}, 0, None, None),
                    "2026-12-05": ({"held": 1}, 1, 0.0, 0.0)}
    assert counted(form) == ({"sent": 1, "held": 1}, 2, 50.0, 50.0)


@pytest.mark.django_db
def test_an_answer_exported_again_is_counted_once_in_its_newest_status():
    page = make_form_page(title="Again")
    day = datetime(2026, 12, 5, 9, tzinfo=UTC)
    dated_record(page, day, "failed", answer=1)
    dated_record(page, day + timedelta(minutes=5), "failed", answer=1)
    dated_record(page, day + timedelta(minutes=10), "sent", answer=1,
                 sent_at=day + timedelta(minutes=10, seconds=30))
    dated_record(page, day, "failed", answer=2)

    days, [form] = report(Period(1, date(2026, 12, 5)))
    assert days == {"2026-12-05": ({"sent": 1, "failed": 1}, 2, 50.0, 50.0)}
    assert counted(form) == ({"sent": 1, "failed": 1}, 2, 50.0, 50.0)


@pytest.mark.django_db
@pytest.mark.parametrize("statuses, minute, hour", [
    # One of three sent within a minute, two within the hour: one decimal, rounded.
    (["sent:30", "sent:1800", "sent:7200"], 33.3, 66.7),
    # Skipped and quarantined answers had nothing to send: not in the shares' whole.
    (["sent:30", "failed", "skipped", "quarantined"], 50.0, 50.0),
    (["sent:30", "sent:30", "pending"], 66.7, 66.7),
    (["sent:7200", "retrying", "throttled"], 0.0, 0.0),
    # Nothing to send: no share at all (the report shows "—"), not 0%.
    (["skipped", "quarantined"], None, None),
])
def test_the_shares_sent_within_a_minute_and_an_hour_are_of_the_answers_to_send(
        statuses, minute, hour):
    page = make_form_page(title="Shares")
    came = datetime(2026, 12, 5, 9, tzinfo=UTC)
    for status in statuses:
        status, _, after = status.partition(":")
        dated_record(page, came, status,
                     sent_at=came + timedelta(seconds=int(after)) if after else None)

    days, [form] = report(Period(1, date(2026, 12, 5)))
    [(_, answers, *shares)] = days.values()
    assert (answers, shares) == (len(statuses), [minute, hour])
    assert counted(form)[1:] == (len(statuses), minute, hour)


@pytest.mark.django_db
def test_each_form_once_by_title_whatever_its_case_with_its_last_success_ever():
    """Forms in alphabetical order whatever the case of their titles ("[" before letters, as
    in lower case); two of the same title in the order they were made."""
    beta = make_form_page(title="beta")
    bracketed = make_form_page(title="[Test] Feedback")
    survey_1, survey_2 = make_form_page(title="Survey"), make_form_page(title="Survey")
    alpha = make_form_page(title="Alpha")
    quiet = make_form_page(title="Aardvark")  # answered only before the period: not listed
    day = datetime(2026, 12, 5, 9, tzinfo=UTC)
    dated_record(survey_2, day - timedelta(days=1), "failed")  # the first row: the 4th
    dated_record(survey_1, day, "failed")
    dated_record(beta, day, "sent", sent_at=day + timedelta(seconds=5))
    dated_record(beta, day - timedelta(days=40), "sent", sent_at=day + timedelta(hours=2))
    dated_record(alpha, day, "pending")
    dated_record(bracketed, day - timedelta(days=1), "skipped")
    dated_record(quiet, day - timedelta(days=40), "sent", sent_at=day - timedelta(days=40))

    days, forms = report(Period(2, date(2026, 12, 5)))
    assert [(form.page.pk, form.answers, form.last_sent) for form in forms] == [
        (bracketed.pk, 1, None), (alpha.pk, 1, None), (beta.pk, 1, day + timedelta(hours=2)),
        (survey_1.pk, 1, None), (survey_2.pk, 1, None)]
    assert days == {"2026-12-04": ({"failed": 1, "skipped": 1}, 2, 0.0, 0.0),
                    "2026-12-05": ({"failed": 1, "sent": 1, "pending": 1}, 3, 33.3, 33.3)}


@pytest.mark.django_db
def test_a_form_the_reader_may_not_see_is_counted_by_day_but_not_listed():
    """Deliveries they may see can be of a form page they may not open: counted, not named."""
    shown, hidden = make_form_page(title="Shown"), make_form_page(title="Hidden")
    day = datetime(2026, 12, 5, 9, tzinfo=UTC)
    dated_record(shown, day, "sent", sent_at=day)
    dated_record(hidden, day, "failed")

    days, forms = report(Period(1, date(2026, 12, 5)), pages=Page.objects.filter(pk=shown.pk))
    assert days == {"2026-12-05": ({"sent": 1, "failed": 1}, 2, 50.0, 50.0)}
    assert [(form.page.title, form.answers, form.sent) for form in forms] == [("Shown", 1, 1)]


@pytest.mark.django_db
def test_a_reader_who_chose_another_time_zone_reads_days_by_their_own_clock():
    """Wagtail's admin reads the dates in the time zone a user chose in their account: in Tokyo
    (UTC+9) 15:00 UTC is already the next day, while the site's Warsaw is at 16:00."""
    page = make_form_page(title="Far")
    dated_record(page, datetime(2026, 12, 5, 14, 59, 59, tzinfo=UTC), "sent")
    dated_record(page, datetime(2026, 12, 5, 15, 0, tzinfo=UTC), "failed")

    with timezone.override(ZoneInfo("Asia/Tokyo")):
        period = Period(2, date(2026, 12, 6))
        days, [form] = report(period)
        assert (period.start, period.end) == (datetime(2026, 12, 4, 15, tzinfo=UTC),
                                              datetime(2026, 12, 6, 15, tzinfo=UTC))
    assert days == {"2026-12-05": ({"sent": 1}, 1, 0.0, 0.0),
                    "2026-12-06": ({"failed": 1}, 1, 0.0, 0.0)}
