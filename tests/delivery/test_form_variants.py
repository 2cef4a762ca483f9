"""Forms and sites unlike the usual test one: what reaches SALESmanago from them."""

import pytest

from tests.helpers import answer, api_bodies, make_form_page, seed_contact
from wagtail_salesmanago.delivery import outbox
from wagtail_salesmanago.models import ExportRecord, SalesmanagoSettings


@pytest.mark.django_db
def test_a_form_without_an_email_question_sends_its_answers_to_the_linked_contact(
        client, sm, on_commit):
    contact_id = seed_contact(sm)
    page = make_form_page(questions=[("Uwagi", "multiline", "")], tag="")
    with on_commit():
        response = answer(client, page, {"Uwagi": "Wszystko dobrze."}, smclientid=contact_id)

    assert b"Thank you" in response.content
    assert api_bodies(sm) == [{"owner": "owner@example.com", "contactId": contact_id,
                               "properties": {"ankieta.Uwagi": "Wszystko dobrze."}, "tags": []}]
    record = ExportRecord.objects.get()
    assert (record.status, record.mode, record.email) == ("sent", "update", "")


@pytest.mark.django_db
def test_a_sites_own_detail_prefix_names_the_details(client, sm, on_commit):
    SalesmanagoSettings.objects.update(detail_prefix="sklep_")
    page = make_form_page(questions=[("E-mail", "email", ""), ("Uwagi", "multiline", "")])
    with on_commit():
        answer(client, page, {"E-mail": "jan@example.com", "Uwagi": "Dobrze."})

    [body] = api_bodies(sm)
    assert body["properties"] == {"sklep_E-mail": "jan@example.com", "sklep_Uwagi": "Dobrze."}


@pytest.mark.django_db
def test_a_resend_after_staff_change_the_forms_owner_sends_as_the_new_owner(
        client, two_users, on_commit):
    contact_id = seed_contact(two_users)
    page = make_form_page(questions=[("Uwagi", "multiline", "")], tag="")
    with on_commit():
        answer(client, page, {"Uwagi": "Dobrze."}, smclientid=contact_id)
    page.salesmanago_owner = "sprzedaz@example.com"
    page.save_revision().publish()

    with on_commit():
        assert outbox.resend(ExportRecord.objects.all()) == 1

    first, again = api_bodies(two_users)
    assert (first["owner"], first["contactId"]) == ("owner@example.com", contact_id)
    assert (again["owner"], again["contactId"]) == ("sprzedaz@example.com", contact_id)
    assert ExportRecord.objects.get().payload["owner"] == "sprzedaz@example.com"
