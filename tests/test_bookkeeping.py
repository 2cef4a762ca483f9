"""No answer loses its record, no successful call is repeated, and one record's trouble never stops
the others. The column-size cases only bite on PostgreSQL: run this file there too."""

import pytest
import responses
from django.db import OperationalError
from wagtail.models import Site

from tests.helpers import answer, make_form_page
from tests.test_retries import run_retry, submit
from wagtail_salesmanago import outbox
from wagtail_salesmanago.models import DeliveryAttempt, ExportRecord, SalesmanagoSettings

URL = "https://app3.salesmanago.pl/api/"
CONTACT_ID = "21c252a6-6de0-436b-bae8-9d0142363266"
OK = {"success": True, "message": [], "contactId": CONTACT_ID, "externalId": None}

# 310 characters, valid for Django's e-mail validation (at most 320), too long for 254.
LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 63, "c" * 63, "d" * 63, "e" * 50]) + ".pl"


@pytest.fixture
def queued(settings):
    """Answers wait for ``salesmanago_retry`` (a worker backend that has not run yet)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.mark.django_db
def test_the_longest_valid_email_keeps_its_record(client, sm, on_commit):
    assert len(LONG_EMAIL) == 310
    page = make_form_page()
    with on_commit():
        assert answer(client, page, {"Twój e-mail": LONG_EMAIL}).status_code == 200

    record = ExportRecord.objects.get()
    assert record.email == LONG_EMAIL
    assert sm.requests()[0]["body"]["contact"]["email"] == LONG_EMAIL  # SALESmanago decides


@pytest.mark.django_db
def test_a_contact_id_that_is_not_one_is_noted_and_the_queue_goes_on(client, on_commit, queued):
    SalesmanagoSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"endpoint": "app3.salesmanago.pl", "client_id": "c", "api_secret": "s",
                  "owner_email": "crm@firma.pl"},
    )
    with responses.RequestsMock() as api:
        api.add(responses.POST, URL + "contact/upsert", json={**OK, "contactId": "x" * 100})
        api.add(responses.POST, URL + "contact/upsert", json=OK)
        submit(client, make_form_page(), on_commit, "a@example.com", "b@example.com")

        assert run_retry("--batch-size", "1") == "2 due; sent: 2.\n"  # one call each
        ExportRecord.objects.update(claimed_until=None)
        assert run_retry() == "0 due; nothing to send.\n"
        assert len(api.calls) == 2  # each sent once

    first, second = ExportRecord.objects.order_by("pk")
    assert (first.status, first.salesmanago_contact_id) == ("sent", "")
    assert f"not a UUID, not kept: '{'x' * 64}'" in first.notes
    assert (second.status, second.salesmanago_contact_id) == ("sent", CONTACT_ID)


@pytest.mark.django_db
def test_a_sent_answer_stays_sent_when_its_history_cannot_be_stored(
    client, sm, on_commit, queued, monkeypatch, caplog
):
    submit(client, make_form_page(), on_commit, "a@example.com")

    def broken(self, *args, **kwargs):
        raise OperationalError("disk full")

    monkeypatch.setattr(DeliveryAttempt, "save", broken)
    assert run_retry() == "1 due; sent: 1.\n"
    monkeypatch.undo()
    assert "Could not store the details of SALESmanago export" in caplog.text

    ExportRecord.objects.update(claimed_until=None)  # as if any claim had lapsed
    assert run_retry() == "0 due; nothing to send.\n"
    assert len(sm.requests()) == 1
    assert ExportRecord.objects.get().status == "sent"


@pytest.mark.django_db
def test_salesmanago_retry_goes_on_after_a_record_that_breaks(
    client, sm, on_commit, queued, monkeypatch, caplog
):
    submit(client, make_form_page(), on_commit, "a@example.com", "b@example.com")
    first = ExportRecord.objects.order_by("pk").first()
    send = outbox.send_claimed

    def send_or_break(record_id, *args, **kwargs):
        if record_id == first.pk:
            raise RuntimeError("this one is broken")
        return send(record_id, *args, **kwargs)

    monkeypatch.setattr(outbox, "send_claimed", send_or_break)
    assert run_retry("--batch-size", "1") == "2 due; error: 1, sent: 1.\n"
    assert [c["email"] for c in sm.contacts()] == ["b@example.com"]
    assert f"SALESmanago export {first.pk} could not be sent." in caplog.text
