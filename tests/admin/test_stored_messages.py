"""Stored errors and notes are read in the reader's language (issue 13, item 3): the deliveries
list, the detail, its attempts, the editor's panel and the hold notice write them in Polish for a
Polish admin and in English for an English one, while SALESmanago's own words, the HTTP status and
the call stay as they were. Rows stored before messages had codes show their text unchanged."""

import html
import json
import re
import uuid

import polib
import pytest
import responses
from django.core import serializers
from django.db import connection
from django.urls import reverse
from django.utils import translation
from wagtail.models import Site

from tests.helpers import lead_page, make_form_page, raising, submit_answers
from tests.testapp.models import SurveyPage
from wagtail_salesmanago.delivery import history
from wagtail_salesmanago import stored_messages
from wagtail_salesmanago.models import (
    DeliveryAttempt, DeliveryHold, ExportRecord, ExportRun, SalesmanagoSettings,
)

INDEX = reverse("wagtail_salesmanago_deliveries:index")
SERVER_ERROR = {
    "en": "SALESmanago had a server error. (HTTP 503, POST /api/contact/upsert)",
    "pl": "Wystąpił błąd serwera SALESmanago. (HTTP 503, POST /api/contact/upsert)",
}


def inspect(record):
    return reverse("wagtail_salesmanago_deliveries:inspect", args=[record.pk])


def edit(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def read(client, url, language="pl"):
    """The page's text as a reader in ``language`` sees it."""
    with translation.override(language):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def text(markup):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)).strip()


def attempt_messages(markup):
    """The Message cell of each row of the detail's attempts table."""
    rows = re.findall(r'<tr class="salesmanago-attempt">(.*?)</tr>', markup, re.S)
    return [text(re.findall(r"<td>(.*?)</td>", row, re.S)[-1]) for row in rows]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_server_error_reads_in_the_readers_language(admin, sm, on_commit, language):
    sm.misbehave(status=503)
    record = submit_answers(admin, make_form_page(), on_commit, {"Twój e-mail": "ola@example.com"})
    assert record.last_error == SERVER_ERROR["en"]  # the text fields stay English

    other = SERVER_ERROR["en" if language == "pl" else "pl"]
    listing = text(read(admin, INDEX, language))
    assert SERVER_ERROR[language] in listing and other not in listing
    detail = read(admin, inspect(record), language)
    assert f"Last error {SERVER_ERROR['en']}" in text(detail) if language == "en" else (
        f"Ostatni błąd {SERVER_ERROR['pl']}" in text(detail))
    assert attempt_messages(detail) == [SERVER_ERROR[language]]
    assert other not in text(detail)


@pytest.mark.django_db
def test_a_hold_reads_in_polish_with_salesmanagos_words_as_it_said_them(admin, sm, on_commit):
    sm.misbehave(auth_fail=True)
    record = submit_answers(admin, make_form_page(), on_commit, {"Twój e-mail": "ola@example.com"})
    assert record.status == "held"
    polish = ("SALESmanago odrzuciło dane dostępowe albo właściciela. SALESmanago odpowiedziało: "
              "Not authenticated (HTTP 200, POST /api/contact/upsert)")

    listing = text(read(admin, INDEX))
    assert f"Ostatnia odpowiedź: {polish}" in listing  # the hold's notice
    # The list cuts the record's last error at a word; the detail has it whole.
    assert "Ostatni błąd" in listing and ("SALESmanago odrzuciło dane dostępowe albo właściciela. "
                                           "SALESmanago odpowiedziało: Not…") in listing
    detail = read(admin, inspect(record))
    assert f"Ostatni błąd {polish}" in text(detail)
    assert attempt_messages(detail) == [polish]
    assert "rejected the credentials" not in listing + text(detail)
    stored = [*DeliveryAttempt.objects.values(), *DeliveryHold.objects.values(),
              *ExportRecord.objects.values()]
    assert sm.api_secret not in json.dumps(stored, default=str)


@pytest.mark.django_db
def test_a_delivery_without_a_contact_says_why_in_polish(admin, sm, on_commit):
    record = submit_answers(admin, make_form_page(), on_commit, {"Komentarz": "Bez e-maila"})
    assert record.status == "skipped"
    polish = ("Nie wiadomo, kim jest kontakt: w formularzu nie ma wypełnionego pytania o e-mail, a "
              "osoba nie przyszła z prawidłowym smclientid ani nie miała użytecznego ciasteczka "
              "smclient.")

    # In the list, under the status, cut short; not as an error.
    listing = read(admin, INDEX)
    reason = re.search(r'<div class="salesmanago-reason">(.*?)</div>', listing, re.S).group(1)
    assert reason == "Nie wiadomo, kim jest kontakt: w formularzu nie…"  # cut after a word
    detail = text(read(admin, inspect(record)))
    assert f"Dlaczego pominięto {polish}" in detail
    assert "No contact identity" not in detail and "Ostatni błąd" not in detail


@pytest.mark.django_db
def test_values_sent_as_details_only_are_noted_in_polish(admin, sm, on_commit):
    page = lead_page([("E-mail", "email", "detail"), ("Telefon", "singleline", "phone"),
                      ("Kod", "singleline", "zip_code")])
    record = submit_answers(admin, page, on_commit, {"E-mail": "jan@example.com",
                                                     "Telefon": "zadzwoń po 18", "Kod": "0" * 21})

    detail = text(read(admin, inspect(record)))
    assert ("„Telefon” nie zostało wysłane jako telefon kontaktu (to nie numer telefonu (cyfry, "
            "spacje, +, - i nawiasy; od 6 do 15 cyfr)); trafiło tylko do pola dodatkowego. "
            "„Kod” nie zostało wysłane jako kod pocztowy kontaktu (dłuższe niż 20 znaków); "
            "trafiło tylko do pola dodatkowego.") in detail
    assert "custom detail only" not in detail


@pytest.mark.django_db
@responses.activate
def test_a_record_given_up_reads_in_polish_in_the_list_detail_attempts_and_editor(
        admin, sm, on_commit, settings):
    settings.WAGTAIL_SALESMANAGO_GIVE_UP_AFTER_SECONDS = 0
    responses.add(responses.POST, f"{sm.url}/api/contact/upsert", status=503,
                  json={"success": False, "message": ["Nieprawidłowy e-mail"]})
    page = make_form_page()
    record = submit_answers(admin, page, on_commit, {"Twój e-mail": "ola@example.com"})
    assert record.status == "failed"
    said = ("Wystąpił błąd serwera SALESmanago. SALESmanago odpowiedziało: Nieprawidłowy e-mail "
            "(HTTP 503, POST /api/contact/upsert)")
    polish = f"Zaniechano (prób: 1): {said}"

    assert ("Zaniechano (prób: 1): Wystąpił błąd serwera SALESmanago. SALESmanago "
            "odpowiedziało…") in text(read(admin, INDEX))
    detail = read(admin, inspect(record))
    assert f"Ostatni błąd {polish}" in text(detail)
    assert attempt_messages(detail) == [said]
    assert f"Ostatni błąd: {polish}" in text(read(admin, edit(page)))
    english = text(read(admin, inspect(record), "en"))
    assert ("Gave up after 1 attempts: SALESmanago had a server error. SALESmanago said: "
            "Nieprawidłowy e-mail (HTTP 503, POST /api/contact/upsert)") in english


@pytest.mark.django_db
def test_an_unknown_contact_is_noted_in_polish_quoting_salesmanago(admin, sm, on_commit):
    ghost = str(uuid.uuid4())
    page = make_form_page()
    fallback = submit_answers(admin, page, on_commit, {"Twój e-mail": "jan@example.com"},
                              smclientid=ghost)
    failed = submit_answers(admin, page, on_commit, {"Komentarz": "Hej"},
                            smclientid=str(uuid.uuid4()))

    assert (f"SALESmanago nie zna kontaktu {ghost} (Contact not found); zamiast tego wysłano "
            "dodanie lub aktualizację po adresie e-mail.") in text(read(admin, inspect(fallback)))
    assert ("SALESmanago nie zna tego kontaktu. SALESmanago odpowiedziało: Contact not found "
            "(HTTP 200, POST /api/contact/update)") in text(read(admin, inspect(failed)))


@pytest.mark.django_db
def test_rows_stored_as_text_only_show_their_text(admin, sm):
    page = make_form_page()
    record = ExportRecord.objects.create(
        page=page, submission_type_id=1, submission_id="1", status="failed", email="a@example.com",
        last_error="SALESmanago had a server error. (HTTP 503, POST /api/contact/upsert)",
        notes="An old note.",
    )
    DeliveryAttempt.objects.create(record=record, started_at=record.created_at,
                                   finished_at=record.created_at, outcome="transient",
                                   message="An old attempt.")

    assert SERVER_ERROR["en"] in text(read(admin, INDEX))
    detail = read(admin, inspect(record))
    assert f"Ostatni błąd {SERVER_ERROR['en']}" in text(detail)
    assert "Uwagi An old note." in text(detail)
    assert attempt_messages(detail) == ["An old attempt."]


@pytest.mark.django_db
def test_a_code_not_known_or_text_that_is_no_stored_message_shows_as_stored(admin, sm):
    page = make_form_page()
    newer = json.dumps({"code": "from_a_newer_version", "params": {}})
    for email, stored in (("newer@example.com", newer),
                          ("older@example.com", "Written by other code for older@example.com.")):
        record = ExportRecord.objects.create(
            page=page, submission_type_id=1, submission_id=email, status="failed", email=email)
        with connection.cursor() as cursor:  # as written by other code, past the field
            cursor.execute("UPDATE wagtail_salesmanago_exportrecord SET last_error = %s "
                           "WHERE id = %s", [stored, record.pk])

    listing = text(read(admin, INDEX))
    assert "from_a_newer_version" in listing
    assert "Written by other code for older@example.com." in listing
    assert ExportRecord.objects.get(email="older@example.com").last_error == (
        "Written by other code for older@example.com.")
    assert "Wystąpił błąd serwera" not in listing


@pytest.mark.django_db
def test_a_message_is_stored_once_as_its_code_and_parameters():
    record = ExportRecord.objects.create(
        page=make_form_page(), submission_type_id=1, submission_id="1", status="failed",
        last_error=stored_messages.message("api_said", api_message="Contact <b>not</b> found"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_error, notes FROM wagtail_salesmanago_exportrecord "
                       "WHERE id = %s", [record.pk])
        stored = cursor.fetchone()

    assert json.loads(stored[0]) == {"code": "api_said",
                                     "params": {"api_message": "Contact <b>not</b> found"}}
    assert stored[1] == ""  # nothing stored: the empty string, as a blank text field
    reread = ExportRecord.objects.get()
    assert reread.last_error == "SALESmanago said: Contact <b>not</b> found"
    with translation.override("pl"):
        assert stored_messages.shown(reread, "last_error") == (
            "SALESmanago odpowiedziało: Contact <b>not</b> found")
    assert ExportRecord.objects.filter(last_error=reread.last_error).count() == 1
    assert ExportRecord.objects.filter(notes="").count() == 1


def test_a_message_renders_each_language_from_one_stored_form():
    inner = stored_messages.message("server_error")
    stored = stored_messages.message("gave_up", attempts=3, message=stored_messages.join(
        inner, stored_messages.message("api_said", api_message="Contact not found"), "(HTTP 503)"))
    english = ("Gave up after 3 attempts: SALESmanago had a server error. SALESmanago said: "
               "Contact not found (HTTP 503)")
    assert stored == english
    with translation.override("pl"):
        assert stored_messages.render(stored) == (
            "Zaniechano (prób: 3): Wystąpił błąd serwera SALESmanago. SALESmanago "
            "odpowiedziało: Contact not found (HTTP 503)")
    with translation.override("en"):
        assert stored_messages.render(stored) == english


@pytest.mark.django_db
def test_an_export_stopped_by_an_error_says_so_in_polish(admin, sm, monkeypatch):
    page = make_form_page()

    with monkeypatch.context() as patched, pytest.raises(RuntimeError):
        # The site's own override of the form's questions crashes while the export runs.
        patched.setattr(SurveyPage, "get_salesmanago_questions",
                        raising(RuntimeError("the database went away")))
        history.run(ExportRun.objects.create(page=page))

    panel = text(read(admin, edit(page)))
    assert ("Przerwany przez nieoczekiwany błąd (RuntimeError); szczegóły są w logu serwera.") in panel
    assert "Stopped by an unexpected error" not in panel


@pytest.mark.django_db
def test_the_preview_names_missing_settings_in_polish(admin, sm):
    SalesmanagoSettings.objects.update(owner_email="")
    page = make_form_page()

    preview = text(read(admin, edit(page)))
    assert "e-mail właściciela" in preview and "owner e-mail" not in preview


@pytest.mark.django_db
def test_test_connection_writes_salesmanagos_error_in_polish(admin, sm):
    sm.misbehave(status=502)
    site = Site.objects.get(is_default_site=True)
    url = reverse("wagtail_salesmanago_test_connection", args=[site.pk])
    with translation.override("pl"):
        answer_ = admin.post(url, sm.credentials(), HTTP_ACCEPT_LANGUAGE="pl").json()

    assert not answer_["ok"]
    assert ("Wystąpił błąd serwera SALESmanago. (HTTP 502, POST /api/user/listByClient)"
            in answer_["message"])


def test_a_message_is_stored_as_json_data_its_numbers_as_numbers():
    stored = stored_messages.message("gave_up", attempts=3, message=stored_messages.join(
        stored_messages.message("server_error"), "(HTTP 503)"))
    assert stored.data == {"code": "gave_up", "params": {"attempts": 3, "message": {
        "parts": [{"code": "server_error", "params": {}}, "(HTTP 503)"], "sep": " "}}}


def test_an_error_without_a_message_of_ours_is_stored_as_its_text():
    stored = stored_messages.of_error(RuntimeError("disk full"))
    assert (stored, stored.data) == ("disk full", "disk full")
    joined = stored_messages.join("Not sent:", OSError("disk full"))
    assert joined.data == {"parts": ["Not sent:", "disk full"], "sep": " "}  # JSON, as stored


def test_data_without_a_separator_or_parameters_is_still_read():
    with translation.override("pl"):
        parts = {"parts": ["(1)", {"code": "server_error"}]}
        assert stored_messages.render(parts) == "(1) Wystąpił błąd serwera SALESmanago."
        assert stored_messages.render({"code": "server_error"}) == (
            "Wystąpił błąd serwera SALESmanago.")


def test_notes_stored_as_text_keep_their_lines_when_a_note_is_added():
    record = ExportRecord(notes="An old note.\nA second one.")
    stored_messages.add_line(record, "notes", stored_messages.message("send_alone"))

    assert record.notes == (
        "An old note.\nA second one.\nNot stored by a batch call; sent on its own from now on.")
    assert record.notes.data == [
        "An old note.\nA second one.", {"code": "send_alone", "params": {}}]
    with translation.override("pl"):
        shown = stored_messages.shown(record, "notes").split("\n")
    assert shown[:2] == ["An old note.", "A second one."] and shown[2] != record.notes.split("\n")[2]


def test_a_message_copied_elsewhere_keeps_its_data():
    # A hold's message is copied onto a held event (steps.EventStep.hold) with get and put.
    hold = DeliveryHold(message=stored_messages.message("server_error"))
    record = ExportRecord()
    stored_messages.put(record, "event_error", stored_messages.get(hold, "message"))

    assert record.event_error == "SALESmanago had a server error."
    assert record.event_error.data == {"code": "server_error", "params": {}}
    with translation.override("pl"):
        assert stored_messages.shown(record, "event_error") == "Wystąpił błąd serwera SALESmanago."
    hold.message = "Written by other code."  # text: copied as text
    stored_messages.put(record, "event_error", stored_messages.get(hold, "message"))
    assert (record.event_error, record.event_error.data) == ("Written by other code.",) * 2


@pytest.mark.parametrize("stored, shown", [
    ("", ""),
    ("123", "123"),  # JSON, but no message: its text
    ("[1, 2", "[1, 2"),  # not JSON
    ('"SALESmanago said it."', "SALESmanago said it."),
    ('{"code": "server_error", "params": {}}', "SALESmanago had a server error."),
    ('{"code": "gave_up", "params": {"attempts": 2}}', '{"code": "gave_up", "params": {"attempts": 2}}'),
    ('["One.", {"code": "server_error"}]', "One.\nSALESmanago had a server error."),
])
def test_what_a_message_field_stored_reads_back_as_its_english(stored, shown):
    message = stored_messages.MessageField().from_db_value(stored, None, None)
    assert isinstance(message, stored_messages.Message) and message == shown
    assert stored_messages.MessageField().to_python(stored) == shown
    assert stored_messages.load(None) is None


@pytest.mark.parametrize("value, stored", [
    (None, ""), ("", ""), (stored_messages.Message([]), ""),
    ("Plain words, \u017c\u00f3\u0142w.", '"Plain words, \u017c\u00f3\u0142w."'),
    (RuntimeError("disk full"), '"disk full"'),
    (stored_messages.message("server_error"), '{"code": "server_error", "params": {}}'),
])
def test_a_message_field_stores_its_data_as_json_text(value, stored):
    assert stored_messages.MessageField().get_prep_value(value) == stored


def test_a_note_is_added_to_no_notes_and_to_notes_of_lines():
    record = ExportRecord()
    stored_messages.add_line(record, "notes", "First.")
    assert (record.notes, record.notes.data) == ("First.", ["First."])
    stored_messages.add_line(record, "notes", stored_messages.message("server_error"))
    assert record.notes.data == ["First.", {"code": "server_error", "params": {}}]
    assert record.notes == "First.\nSALESmanago had a server error."


def test_a_code_this_version_does_not_know_renders_as_its_english():
    newer = stored_messages.load('{"code": "from_a_newer_version", "params": {}}')
    with translation.override("pl"):
        assert stored_messages.render(newer) == '{"code": "from_a_newer_version", "params": {}}'
        assert stored_messages.render(RuntimeError("disk full")) == "disk full"
        assert stored_messages.render(None) == ""


def test_a_translation_that_does_not_fit_its_message_shows_its_english(settings, tmp_path):
    # The site's own Polish (LOCALE_PATHS, ahead of ours), made for a version whose parameter
    # had another name: that message reads in English, the others still in Polish.
    catalog = polib.POFile()
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "pl"}
    catalog.append(polib.POEntry(msgid="SALESmanago said: %(api_message)s",
                                 msgstr="SALESmanago odpowiedziało: %(komunikat)s"))
    (tmp_path / "pl" / "LC_MESSAGES").mkdir(parents=True)
    catalog.save_as_mofile(str(tmp_path / "pl" / "LC_MESSAGES" / "django.mo"))
    settings.LOCALE_PATHS = [str(tmp_path)]

    stored = stored_messages.join(stored_messages.message("server_error"), "(HTTP 503)")
    said = stored_messages.message("api_said", api_message="Contact not found")
    with translation.override("pl"):
        assert stored_messages.render(said) == "SALESmanago said: Contact not found"
        assert stored_messages.render(stored) == "Wystąpił błąd serwera SALESmanago. (HTTP 503)"


@pytest.mark.django_db
def test_a_dumped_and_loaded_record_keeps_its_messages_data():
    ExportRecord.objects.create(
        page=make_form_page(), submission_type_id=1, submission_id="1", status="failed",
        last_error=stored_messages.message("server_error"))
    dumped = serializers.serialize("json", ExportRecord.objects.all())
    ExportRecord.objects.all().delete()
    for obj in serializers.deserialize("json", dumped):
        obj.save()

    with translation.override("pl"):
        assert stored_messages.shown(ExportRecord.objects.get(), "last_error") == (
            "Wystąpił błąd serwera SALESmanago.")
