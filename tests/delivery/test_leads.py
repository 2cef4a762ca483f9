"""Lead forms: answers fill the contact card, consents opt in, tags go, owners per form.

Over real HTTP against the sandbox: each test asserts the exact body SALESmanago received.
"""

import threading
import time

import pytest
from django.db import connection, transaction
from django.db.models import F
from wagtail.models import Site

from tests.helpers import (
    DOUBLE_OPT_IN,
    NEWSLETTER,
    answer,
    contact_bodies,
    lead_page,
    run_retry,
    submissions_of,
    submit_answers,
)
from tests.testapp.models import LegacyFieldsPage, LegacyFormField
from wagtail_salesmanago.delivery import outbox
from wagtail_salesmanago.delivery.answers import DOUBLE_OPT_IN_REQUESTED
from wagtail_salesmanago.models import DeliveryHold, ExportRecord

AUTH = ("clientId", "apiKey", "requestTime", "sha")
NO_OPT_IN_CHANGE = {
    "forceOptIn": False, "forceOptOut": False, "forcePhoneOptIn": False,
    "forcePhoneOptOut": False, "useApiDoubleOptIn": False, "async": False,
}


CARD = [
    ("E-mail", "email", "detail"),
    ("Imię", "singleline", "first_name"),
    ("Nazwisko", "singleline", "last_name"),
    ("Telefon", "singleline", "phone"),
    ("Firma", "singleline", "company"),
    ("Ulica", "singleline", "street"),
    ("Kod pocztowy", "singleline", "zip_code"),
    ("Miasto", "singleline", "city"),
    ("Kraj", "singleline", "country"),
    ("Data urodzenia", "date", "birthday"),
    ("Źródło", "singleline", "skip"),
]


@pytest.mark.django_db
def test_each_target_fills_the_contact_card_and_stays_a_detail(client, sm, on_commit):
    page = lead_page(CARD)
    record = submit_answers(client, page, on_commit, {
        "E-mail": "jan@example.com", "Imię": "Jan", "Nazwisko": " Kowalski ",
        "Telefon": "+48 (12) 345-67-89", "Firma": "ACME", "Ulica": "Długa 1",
        "Kod pocztowy": "00-001", "Miasto": "Warszawa", "Kraj": "pl",
        "Data urodzenia": "1990-05-17", "Źródło": "kampania X",
    })

    assert contact_bodies(sm) == [{
        "owner": "owner@example.com",
        "contact": {
            "email": "jan@example.com", "name": "Jan Kowalski", "phone": "+48 (12) 345-67-89",
            "company": "ACME",
            "address": {"streetAddress": "Długa 1", "zipCode": "00-001", "city": "Warszawa",
                        "country": "PL"},
        },
        "birthday": "19900517",
        "properties": {
            "ankieta.E-mail": "jan@example.com", "ankieta.Imie": "Jan",
            "ankieta.Nazwisko": "Kowalski", "ankieta.Telefon": "+48 (12) 345-67-89",
            "ankieta.Firma": "ACME", "ankieta.Ulica": "Długa 1", "ankieta.Kod-pocztowy": "00-001",
            "ankieta.Miasto": "Warszawa", "ankieta.Kraj": "pl",
            "ankieta.Data-urodzenia": "1990-05-17",
        },
        "tags": [],
        **NO_OPT_IN_CHANGE,
    }]
    assert record.status == "sent" and record.notes == ""


@pytest.mark.django_db
def test_a_full_name_question_and_an_update_by_contact_id(client, sm, on_commit):
    contact_id = sm.add_contact("known@example.com")
    page = lead_page([("Imię i nazwisko", "singleline", "name"), ("Tel.", "singleline", "phone")])
    submit_answers(client, page, on_commit, {"Imię i nazwisko": "Anna Nowak", "Tel.": "600100200"},
                   smclientid=contact_id)

    assert contact_bodies(sm, "/api/contact/update") == [{
        "owner": "owner@example.com",
        "contactId": contact_id,
        "contact": {"name": "Anna Nowak", "phone": "600100200"},
        "properties": {"ankieta.Imie-i-nazwisko": "Anna Nowak", "ankieta.Tel.": "600100200"},
        "tags": [],
    }]


@pytest.mark.django_db
def test_values_salesmanago_would_refuse_go_as_details_only_with_a_note(client, sm, on_commit):
    page = lead_page([
        ("E-mail", "email", "detail"), ("Telefon", "singleline", "phone"),
        ("Kraj", "singleline", "country"), ("Urodziny", "singleline", "birthday"),
        ("Kod", "singleline", "zip_code"),
    ])
    record = submit_answers(client, page, on_commit, {
        "E-mail": "jan@example.com", "Telefon": "zadzwoń po 18", "Kraj": "Polska",
        "Urodziny": "17 maja", "Kod": "0" * 21,
    })

    [body] = contact_bodies(sm)
    assert body["contact"] == {"email": "jan@example.com"}
    assert "birthday" not in body
    assert body["properties"] == {
        "ankieta.E-mail": "jan@example.com", "ankieta.Telefon": "zadzwoń po 18",
        "ankieta.Kraj": "Polska", "ankieta.Urodziny": "17 maja", "ankieta.Kod": "0" * 21,
    }
    assert record.status == "sent"
    assert record.notes.splitlines() == [
        "“Telefon” was not sent as the contact's phone (not a phone number (digits, spaces, +, - "
        "and parentheses; 6 to 15 digits)); it went as a custom detail only.",
        "“Kraj” was not sent as the contact's country (not a 2-letter country code (ISO 3166-1, "
        "e.g. PL)); it went as a custom detail only.",
        "“Urodziny” was not sent as the contact's birthday (not a date (YYYY-MM-DD)); it went as "
        "a custom detail only.",
        "“Kod” was not sent as the contact's zip code (longer than 20 characters); it went as a "
        "custom detail only.",
    ]


@pytest.mark.django_db
def test_a_ticked_consent_is_recorded_with_time_and_ip_and_opts_in(client, sm, on_commit):
    page = lead_page(NEWSLETTER)
    client.defaults["REMOTE_ADDR"] = "203.0.113.7"
    submit_answers(client, page, on_commit,
                   {"E-mail": "jan@example.com", "Zgoda na newsletter": "on"})

    [submission] = submissions_of(page)
    [body] = contact_bodies(sm)
    assert body["consentDetails"] == [{
        "consentName": "NEWSLETTER", "consentAccept": True,
        "agreementDate": int(submission.submit_time.timestamp() * 1000),
        "ip": "203.0.113.7", "optOut": False,
    }]
    assert body["forceOptIn"] is True
    assert (body["forceOptOut"], body["forcePhoneOptIn"], body["forcePhoneOptOut"],
            body["useApiDoubleOptIn"]) == (False, False, False, False)
    assert body["properties"]["ankieta.Zgoda-na-newsletter"] == "true"


@pytest.mark.django_db
def test_an_unticked_consent_never_opts_anyone_out(client, sm, on_commit):
    page = lead_page(NEWSLETTER)
    submit_answers(client, page, on_commit, {"E-mail": "jan@example.com"})

    [body] = contact_bodies(sm)
    assert "consentDetails" not in body
    assert {k: body[k] for k in NO_OPT_IN_CHANGE} == NO_OPT_IN_CHANGE


@pytest.mark.django_db
@pytest.mark.parametrize("trusted, forwarded, ip", [
    ([], "198.51.100.9", "10.0.0.5"),  # no trusted proxy: the header is ignored
    (["10.0.0.0/8"], "192.0.2.1, 198.51.100.9", "198.51.100.9"),  # right-most untrusted
    (["10.0.0.0/8"], "198.51.100.9, 10.0.0.7", "198.51.100.9"),  # proxies chained
    (["10.0.0.0/8"], "not-an-ip", ""),  # garbled: no address rather than a wrong one
])
def test_the_consents_ip_trusts_only_declared_proxies(client, sm, on_commit, settings,
                                                      trusted, forwarded, ip):
    settings.WAGTAIL_SALESMANAGO_TRUSTED_PROXIES = trusted
    client.defaults.update(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded)
    page = lead_page(NEWSLETTER)
    submit_answers(client, page, on_commit,
                   {"E-mail": "jan@example.com", "Zgoda na newsletter": "on"})

    [body] = contact_bodies(sm)
    assert body["consentDetails"][0]["ip"] == ip


@pytest.mark.django_db
@pytest.mark.parametrize("remote, forwarded, ip", [
    # A dual-stack listener gives the proxy's IPv4 address as IPv4-mapped IPv6: still trusted.
    ("::ffff:10.0.0.5", "198.51.100.9", "198.51.100.9"),
    ("::ffff:10.0.0.5", "::ffff:198.51.100.9, ::ffff:10.0.0.7", "198.51.100.9"),
    ("::ffff:203.0.113.7", "198.51.100.9", "203.0.113.7"),  # not a proxy: the header is ignored
    ("2001:db8::1", "198.51.100.9", "2001:db8::1"),  # IPv6 stays as it is
])
def test_an_ipv4_mapped_address_is_its_ipv4_address(client, sm, on_commit, settings,
                                                     remote, forwarded, ip):
    settings.WAGTAIL_SALESMANAGO_TRUSTED_PROXIES = ["10.0.0.0/8"]
    client.defaults.update(REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    page = lead_page(NEWSLETTER)
    submit_answers(client, page, on_commit,
                   {"E-mail": "jan@example.com", "Zgoda na newsletter": "on"})

    [body] = contact_bodies(sm)
    assert body["consentDetails"][0]["ip"] == ip


@pytest.mark.django_db
def test_double_opt_in_is_asked_once_across_a_retry_and_a_resend(client, sm, on_commit, settings):
    settings.WAGTAIL_SALESMANAGO_RETRY_BASE_SECONDS = 0
    page = lead_page(NEWSLETTER, **DOUBLE_OPT_IN)
    sm.misbehave(fail_next=1)
    record = submit_answers(client, page, on_commit,
                            {"E-mail": "jan@example.com", "Zgoda na newsletter": "on"})
    assert record.status == "retrying"

    outbox.send(record.pk)  # the retry: the failed call reached nobody, so it asks again
    record.refresh_from_db()
    assert record.status == "sent"
    assert DOUBLE_OPT_IN_REQUESTED in record.notes
    with on_commit():
        outbox.resend(ExportRecord.objects.filter(pk=record.pk))  # staff: Resend

    first, retried, resent = contact_bodies(sm)
    asked = {"forceOptIn": True, "useApiDoubleOptIn": True, "doubleOptInEmailId": "a1b2c3",
             "doubleOptInLanguage": "PL", "lang": "PL"}
    assert {k: first.get(k) for k in asked} == asked
    assert {k: retried.get(k) for k in asked} == asked
    assert resent["useApiDoubleOptIn"] is False and resent["forceOptIn"] is False
    assert "doubleOptInEmailId" not in resent
    assert resent["consentDetails"] == first["consentDetails"]
    answered = [r["status"] for r in sm.requests() if r["body"].get("useApiDoubleOptIn")]
    assert answered == [500, 200]  # SALESmanago accepted exactly one request for the e-mail


def lock_the_records_while(started, seconds):
    """Hold a write lock on the records from another connection for ``seconds``, from when
    ``started`` is set: SQLite's whole table (any write from elsewhere fails at once, as it would
    past a busy timeout), PostgreSQL's rows (a write fails past its ``lock_timeout``)."""
    def hold():
        started.wait()
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    list(ExportRecord.objects.select_for_update().values_list("pk"))
                else:
                    ExportRecord.objects.update(notes=F("notes"))
                time.sleep(seconds)
        finally:
            connection.close()
    return threading.Thread(target=hold)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # real commits, two connections
def test_double_opt_in_is_asked_once_when_the_write_that_marks_it_sent_fails_at_first(
        client, sm, settings, caplog):
    """SALESmanago accepts the call, then the database refuses the write that marks it sent (a
    lock held longer than the writer waits): the write is tried again before the claim lapses,
    so no retry ever asks for the confirmation e-mail a second time."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    page = lead_page(NEWSLETTER, **DOUBLE_OPT_IN)
    assert answer(client, page, {"E-mail": "jan@example.com",
                                 "Zgoda na newsletter": "on"}).status_code == 200
    record = ExportRecord.objects.get()
    sm.misbehave(latency=1.0)  # the lock is taken while SALESmanago answers
    started = threading.Event()
    locker = lock_the_records_while(started, seconds=2.5)
    locker.start()
    timer = threading.Timer(0.4, started.set)
    timer.start()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '100ms'")
    try:
        assert run_retry() == "1 due; sent: 1.\n"
    finally:
        locker.join()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
    assert "Could not write the outcome of a SALESmanago call; trying again." in caplog.messages

    record.refresh_from_db()
    assert record.status == "sent" and record.double_opt_in_requested_at is not None
    ExportRecord.objects.update(claimed_until=None)
    assert run_retry() == "0 due; nothing to send.\n"
    asked = [r["status"] for r in sm.requests() if r["body"].get("useApiDoubleOptIn")]
    assert asked == [200]  # one confirmation e-mail

    sm.misbehave(latency=None)
    outbox.resend(ExportRecord.objects.filter(pk=record.pk))  # staff: Resend (no worker: by hand)
    outbox.send(record.pk)
    resent = contact_bodies(sm)[-1]
    assert resent["useApiDoubleOptIn"] is False and "doubleOptInEmailId" not in resent
    assert [r["status"] for r in sm.requests() if r["body"].get("useApiDoubleOptIn")] == [200]


@pytest.mark.django_db
def test_double_opt_in_needs_a_ticked_consent(client, sm, on_commit):
    page = lead_page(NEWSLETTER, **DOUBLE_OPT_IN)
    record = submit_answers(client, page, on_commit, {"E-mail": "jan@example.com"})

    [body] = contact_bodies(sm)
    assert body["useApiDoubleOptIn"] is False and "doubleOptInEmailId" not in body
    assert DOUBLE_OPT_IN_REQUESTED not in record.notes


@pytest.mark.django_db
def test_tags_to_remove_are_normalised_like_tags(client, sm, on_commit):
    sm.add_contact("jan@example.com")
    page = lead_page([("E-mail", "email", "detail")],
                     salesmanago_remove_tags="nowy lead, zimny kontakt")
    submit_answers(client, page, on_commit, {"E-mail": "jan@example.com"})

    [body] = contact_bodies(sm)
    assert body["removeTags"] == ["NOWY_LEAD", "ZIMNY_KONTAKT"]


@pytest.mark.django_db
def test_a_forms_owner_overrides_the_sites(client, two_users, on_commit):
    page = lead_page([("E-mail", "email", "detail")], salesmanago_owner="sprzedaz@example.com")
    record = submit_answers(client, page, on_commit, {"E-mail": "jan@example.com"})

    [body] = contact_bodies(two_users)
    assert body["owner"] == "sprzedaz@example.com"
    assert record.status == "sent"


@pytest.mark.django_db
def test_pages_whose_field_model_lacks_the_mixin_send_details_as_before(client, sm, on_commit):
    page = LegacyFieldsPage(title="Stara ankieta", salesmanago_enabled=True, salesmanago_tag="")
    Site.objects.get(is_default_site=True).root_page.add_child(instance=page)
    LegacyFormField.objects.create(page=page, sort_order=0, label="E-mail", field_type="email",
                                   required=False)
    LegacyFormField.objects.create(page=page, sort_order=1, label="Telefon",
                                   field_type="singleline", required=False)
    submit_answers(client, page, on_commit, {"E-mail": "jan@example.com", "Telefon": "600100200"})

    assert contact_bodies(sm) == [{
        "owner": "owner@example.com",
        "contact": {"email": "jan@example.com"},
        "properties": {"ankieta.E-mail": "jan@example.com", "ankieta.Telefon": "600100200"},
        "tags": [],
        **NO_OPT_IN_CHANGE,
    }]


@pytest.mark.django_db
def test_a_forms_owner_salesmanago_refuses_fails_that_record_without_holding_the_site(
        client, sm, on_commit):
    page = lead_page([("E-mail", "email", "detail")], salesmanago_owner="nikt@example.com")
    record = submit_answers(client, page, on_commit, {"E-mail": "jan@example.com"})

    assert record.status == "failed"
    assert record.last_error.startswith(
        "The form's owner nikt@example.com is not a user of this SALESmanago account: choose "
        "another in the page's SALESmanago settings (blank: the site's owner), then resend.")
    assert not DeliveryHold.objects.exists()
    other = lead_page([("E-mail", "email", "detail")], title="Inna")
    assert submit_answers(client, other, on_commit, {"E-mail": "ewa@example.com"}).status == "sent"


@pytest.mark.django_db
def test_a_lead_waiting_for_a_batch_arrives_as_complete_as_one_sent_at_once(
        client, sm, on_commit, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    page = lead_page(CARD + NEWSLETTER[1:])
    client.defaults["REMOTE_ADDR"] = "203.0.113.7"
    answers = {"Imię": "Jan", "Nazwisko": "Kowalski", "Telefon": "600100200", "Firma": "ACME",
               "Miasto": "Warszawa", "Kraj": "pl", "Data urodzenia": "1990-05-17",
               "Zgoda na newsletter": "on"}
    for email in ("jan@example.com", "ewa@example.com"):
        submit_answers(client, page, on_commit, {**answers, "E-mail": email})
    assert sm.requests() == []

    assert run_retry() == "2 due; sent: 2.\n"

    [call] = [r["body"] for r in sm.requests() if r["path"] == "/api/contact/batchupsert"]
    first = submissions_of(page)[0]
    assert call["upsertDetails"][0] == {
        "contact": {"email": "jan@example.com", "name": "Jan Kowalski", "phone": "600100200",
                    "company": "ACME", "address": {"city": "Warszawa", "country": "PL"}},
        "birthday": "19900517",
        "properties": {
            "ankieta.E-mail": "jan@example.com", "ankieta.Imie": "Jan",
            "ankieta.Nazwisko": "Kowalski", "ankieta.Telefon": "600100200",
            "ankieta.Firma": "ACME", "ankieta.Miasto": "Warszawa", "ankieta.Kraj": "pl",
            "ankieta.Data-urodzenia": "1990-05-17", "ankieta.Zgoda-na-newsletter": "true",
        },
        "tags": [],
        "consentDetails": [{
            "consentName": "NEWSLETTER", "consentAccept": True,
            "agreementDate": int(first.submit_time.timestamp() * 1000),
            "ip": "203.0.113.7", "optOut": False,
        }],
        **NO_OPT_IN_CHANGE, "forceOptIn": True,
    }


@pytest.mark.django_db
def test_a_lead_without_an_e_mail_is_skipped_with_its_card_kept_for_staff(client, sm, on_commit):
    record = submit_answers(client, lead_page(CARD), on_commit, {
        "Imię": "Jan", "Telefon": "600100200", "Firma": "ACME", "Data urodzenia": "1990-05-17"})

    assert sm.requests() == []
    assert (record.status, record.payload) == ("skipped", {
        "properties": {"ankieta.Imie": "Jan", "ankieta.Telefon": "600100200", "ankieta.Firma": "ACME",
                       "ankieta.Data-urodzenia": "1990-05-17"},
        "tags": [],
        "contact": {"name": "Jan", "phone": "600100200", "company": "ACME"},
        "birthday": "19900517",
    })
