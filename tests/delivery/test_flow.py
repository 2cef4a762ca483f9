"""A visitor answers a form as a browser does; the sandbox, over real HTTP, shows what arrived."""

import uuid
from urllib.parse import unquote

import pytest

from tests.helpers import (
    answer, api_bodies, make_form_page, read_form, seed_contact, submissions_of)
from tests.testapp.models import CustomSubmission, CustomSubmissionPage, PlainFormPage, SelfStoringPage
from wagtail_salesmanago.models import ExportRecord

ANSWERS = {
    "Twój e-mail": "jan@example.com",
    "Jak oceniasz naszą obsługę?": "Bardzo dobrze",
    "Co było ważne?": ["Cena", "Jakość"],
    "Komentarz": "Szybko i miło.",
}
DETAILS = {
    "ankieta.Twoj-e-mail": "jan@example.com",
    "ankieta.Jak-oceniasz-nasza-obsluge?": "Bardzo dobrze",
    "ankieta.Co-bylo-wazne?": "Cena, Jakość",
    "ankieta.Komentarz": "Szybko i miło.",
}


@pytest.mark.django_db
def test_upsert_by_email_creates_the_contact_with_details_and_tag(client, sm, on_commit):
    page = make_form_page()
    with on_commit():
        response = answer(client, page, ANSWERS)

    assert response.status_code == 200
    assert b"Thank you" in response.content
    assert api_bodies(sm) == [{
        "owner": "owner@example.com",
        "contact": {"email": "jan@example.com"},
        "properties": DETAILS,
        "tags": ["BADANIE_SATYSFAKCJI"],
        "forceOptIn": False, "forceOptOut": False,
        "forcePhoneOptIn": False, "forcePhoneOptOut": False,
        "useApiDoubleOptIn": False, "async": False,
    }]
    [contact] = sm.contacts()
    assert contact["email"] == "jan@example.com"
    assert contact["properties"] == DETAILS
    assert contact["tags"] == ["BADANIE_SATYSFAKCJI"]
    record = ExportRecord.objects.get()
    assert record.status == "sent"
    assert record.mode == "upsert"
    assert record.attempts == 1
    assert record.salesmanago_contact_id == contact["contactId"]
    assert record.payload["contact"] == {"email": "jan@example.com"}
    assert "apiKey" not in record.payload and "sha" not in record.payload


@pytest.mark.django_db
def test_smclientid_updates_the_known_contact_without_touching_its_email(client, sm, on_commit):
    contact_id = seed_contact(sm)
    page = make_form_page()
    with on_commit():
        response = answer(client, page, ANSWERS, smclientid=contact_id)

    assert response.status_code == 200
    assert api_bodies(sm) == [{
        "owner": "owner@example.com",
        "contactId": contact_id,
        "properties": DETAILS,
        "tags": ["BADANIE_SATYSFAKCJI"],
    }]
    [contact] = sm.contacts()
    assert contact["email"] == "known@example.com"
    assert contact["properties"]["ankieta.Twoj-e-mail"] == "jan@example.com"
    record = ExportRecord.objects.get()
    assert (record.status, record.mode, record.contact_id) == ("sent", "update", contact_id)
    # The ID travelled as a hidden field, and is not stored among the answers.
    assert "smclientid" not in submissions_of(page)[0].form_data


@pytest.mark.django_db
def test_the_same_contact_may_answer_many_times(client, sm, on_commit):
    contact_id = seed_contact(sm)
    page = make_form_page()
    for rating in ("Źle", "Dobrze"):
        with on_commit():
            answer(client, page, {"Jak oceniasz naszą obsługę?": rating}, smclientid=contact_id)

    assert [b["contactId"] for b in api_bodies(sm)] == [contact_id, contact_id]
    [contact] = sm.contacts()
    assert contact["properties"]["ankieta.Jak-oceniasz-nasza-obsluge?"] == "Dobrze"
    assert list(ExportRecord.objects.values_list("status", flat=True)) == ["sent", "sent"]
    assert len(submissions_of(page)) == 2


@pytest.mark.django_db
def test_unknown_contact_id_falls_back_to_upsert_by_email(client, sm, on_commit):
    ghost = str(uuid.uuid4())
    page = make_form_page()
    with on_commit():
        answer(client, page, ANSWERS, smclientid=ghost)

    assert [r["path"] for r in sm.requests()] == ["/api/contact/update", "/api/contact/upsert"]
    assert [r["answer"]["success"] for r in sm.requests()] == [False, True]
    [contact] = sm.contacts()
    assert contact["email"] == "jan@example.com"
    record = ExportRecord.objects.get()
    assert (record.status, record.mode) == ("sent", "upsert")
    assert f"Contact {ghost} is unknown to SALESmanago (Contact not found)" in record.notes


@pytest.mark.django_db
def test_unknown_contact_id_without_email_fails_with_the_reason(client, sm, on_commit):
    page = make_form_page()
    with on_commit():
        response = answer(client, page, {"Komentarz": "Hej"}, smclientid=str(uuid.uuid4()))

    assert response.status_code == 200
    assert sm.contacts() == []
    record = ExportRecord.objects.get()
    assert record.status == "failed"
    assert "does not know this contact" in record.last_error
    assert "Contact not found" in record.last_error


@pytest.mark.django_db
def test_malformed_smclientid_is_ignored_and_noted(client, sm, on_commit):
    page = make_form_page()
    with on_commit():
        answer(client, page, ANSWERS, smclientid="not-a-uuid<script>")

    assert [r["path"] for r in sm.requests()] == ["/api/contact/upsert"]
    record = ExportRecord.objects.get()
    assert (record.status, record.mode, record.contact_id) == ("sent", "upsert", "")
    assert "Ignored smclientid 'not-a-uuid<script>': not a contact ID (UUID)." in record.notes


@pytest.mark.django_db
def test_no_identity_sends_nothing_and_says_why(client, sm, on_commit):
    page = make_form_page()
    with on_commit():
        response = answer(client, page, {"Komentarz": "Anonimowo"})

    assert response.status_code == 200
    assert sm.requests() == []
    record = ExportRecord.objects.get()
    assert record.status == "skipped"
    assert record.last_error.startswith("No contact identity")
    assert record.payload == {"properties": {"ankieta.Komentarz": "Anonimowo"},
                              "tags": ["BADANIE_SATYSFAKCJI"]}


@pytest.mark.django_db
def test_export_off_sends_nothing_and_keeps_the_form_unchanged(client, sm, on_commit):
    page = make_form_page(enabled=False)
    html = client.get(page.url + "?smclientid=" + str(uuid.uuid4())).content.decode()
    assert "smclientid" not in read_form(html).values
    with on_commit():
        response = answer(client, page, ANSWERS)

    assert response.status_code == 200
    assert sm.requests() == []
    assert not ExportRecord.objects.exists()
    assert len(submissions_of(page)) == 1


@pytest.mark.django_db
def test_abstract_form_page_with_a_field_loop_template(client, sm, on_commit):
    contact_id = seed_contact(sm)
    page = make_form_page(PlainFormPage)
    with on_commit():
        response = answer(client, page, {"Komentarz": "Pętla"}, smclientid=contact_id)

    assert response.status_code == 200
    assert sm.contacts()[0]["properties"] == {"ankieta.Komentarz": "Pętla"}
    assert ExportRecord.objects.get().status == "sent"


@pytest.mark.django_db
@pytest.mark.parametrize("model, note", [(CustomSubmissionPage, ""), (SelfStoringPage, "self-stored")])
def test_page_with_its_own_submission_class(client, sm, on_commit, model, note):
    contact_id = seed_contact(sm)
    page = make_form_page(model)
    with on_commit():
        answer(client, page, ANSWERS, smclientid=contact_id)

    submission = CustomSubmission.objects.get()
    assert submission.note == note
    assert "smclientid" not in submission.form_data
    record = ExportRecord.objects.get()
    assert record.submission_type.model_class() is CustomSubmission
    assert record.submission_id == str(submission.pk)
    assert (record.status, record.mode) == ("sent", "update")


@pytest.mark.django_db
def test_email_form_page_still_sends_its_email_without_the_contact_id(client, sm, on_commit, mailoutbox):
    contact_id = seed_contact(sm)
    page = make_form_page(to_address="staff@example.com", from_address="site@example.com")
    with on_commit():
        answer(client, page, ANSWERS, smclientid=contact_id)

    [mail] = mailoutbox
    assert "Komentarz: Szybko i miło." in mail.body
    assert contact_id not in mail.body


@pytest.mark.django_db
def test_password_protected_page_keeps_the_smclientid(client, sm, on_commit):
    from wagtail.models import PageViewRestriction

    contact_id = seed_contact(sm)
    page = make_form_page()
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="tajne"
    )
    response = client.get(f"{page.url}?smclientid={contact_id}")
    password_form = read_form(response.content.decode())
    assert str(restriction.pk) in password_form.action
    response = client.post(password_form.action, {**password_form.values, "password": "tajne"})
    assert response.status_code == 302
    assert response["Location"] == f"{page.url}?smclientid={contact_id}"

    with on_commit():
        response = answer(client, page, {"Komentarz": "Za hasłem"}, path=response["Location"])

    assert response.status_code == 200
    assert api_bodies(sm)[0]["contactId"] == contact_id
    assert sm.contacts()[0]["properties"] == {"ankieta.Komentarz": "Za hasłem"}


@pytest.mark.django_db
def test_invalid_answers_show_the_form_again_with_the_contact_id(client, sm, on_commit):
    contact_id = seed_contact(sm)
    page = make_form_page(questions=[("E-mail", "email", "")])
    response = answer(client, page, {"E-mail": "not an address"}, smclientid=contact_id)

    assert response.status_code == 200
    assert read_form(response.content.decode()).values["smclientid"] == contact_id
    assert not ExportRecord.objects.exists()


@pytest.mark.django_db
def test_login_protected_page_keeps_the_smclientid(client, sm, on_commit, django_user_model):
    from wagtail.models import PageViewRestriction

    contact_id = seed_contact(sm)
    page = make_form_page()
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(f"{page.url}?smclientid={contact_id}")
    assert response.status_code == 302
    next_url = response["Location"].split("next=", 1)[1]

    client.force_login(django_user_model.objects.create_user("ola", password="pw"))
    with on_commit():
        response = answer(client, page, {"Komentarz": "Po zalogowaniu"}, path=unquote(next_url))

    assert response.status_code == 200
    assert api_bodies(sm)[0]["contactId"] == contact_id
