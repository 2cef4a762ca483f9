"""Hostile-review repros (issue 9 §2.5, §2.9): a NUL in SALESmanago's message on PostgreSQL.

PostgreSQL's text columns cannot hold U+0000; SQLite's can, so run these on PostgreSQL:
DB_ENGINE=postgresql DB_PASSWORD=postgres DB_NAME=review pytest tests/test_review_postgres.py
"""

from datetime import timedelta

import pytest
import responses
from django.utils import timezone
from wagtail.models import Site

from tests.test_bookkeeping import URL, queued  # noqa: F401 (fixture)
from tests.helpers import make_form_page
from tests.test_retries import run_retry, submit
from wagtail_salesmanago import holds
from wagtail_salesmanago.account import account_for_site
from wagtail_salesmanago.models import DeliveryHold, ExportRecord, SalesmanagoSettings

REJECTED = {"success": False, "message": ["Not authenticated\u0000"]}


@pytest.fixture
def site(django_db_serialized_rollback, transactional_db):
    site = Site.objects.get(is_default_site=True)
    SalesmanagoSettings.objects.update_or_create(
        site=site, defaults={"endpoint": "app3.salesmanago.pl", "client_id": "c",
                             "api_secret": "s", "owner_email": "crm@firma.pl"},
    )
    return site


def claims_lapse():
    ExportRecord.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rejection_with_a_nul_in_its_message_holds_instead_of_being_repeated(
    client, on_commit, queued, site  # noqa: F811
):
    submit(client, make_form_page(), on_commit, "a@example.com")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add(responses.POST, URL + "contact/upsert", json=REJECTED)
        run_retry()
        claims_lapse()  # two minutes later (CLAIM_SECONDS)
        run_retry()
        calls = [call.request.url for call in api.calls]

    # Expected: the site is held after the first refusal, and nothing is sent again.
    # Actually: storing the hold's message fails, the record stays pending and claimed, and every
    # CLAIM_SECONDS the refused call is repeated, for ever (no hold, no give-up).
    assert calls == [URL + "contact/upsert"]
    assert ExportRecord.objects.get().status == ExportRecord.Status.HELD


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_hold_check_answer_with_a_nul_does_not_fail_new_submissions(client, on_commit, site):
    now = timezone.now()
    DeliveryHold.objects.create(
        site=site, reason=DeliveryHold.Reason.REJECTED, message="Not authenticated",
        since=now - timedelta(hours=1), next_check_at=now - timedelta(seconds=1),
        fingerprint=holds.fingerprint(account_for_site(site)),
    )
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add(responses.POST, URL + "user/listByClient", json=REJECTED)
        submit(client, make_form_page(), on_commit, "a@example.com")  # immediate backend

    record = ExportRecord.objects.get()
    # §2.9: a rejection holds the site's deliveries, never fails them. Actually the check's
    # answer cannot be stored on the hold, and the visitor's submission is failed for good
    # ("Unexpected error: DataError.").
    assert record.status == ExportRecord.Status.HELD, record.last_error
