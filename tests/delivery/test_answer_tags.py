"""Answers as tags (issue 26 item 2): per question, the answer or the question and the answer
become tags besides the custom detail, as SALESmanago's WordPress plugin maps them.

Over real HTTP against the sandbox: each test asserts the exact tags SALESmanago received.
"""

import pytest

from tests.helpers import contact_bodies, make_form_page, submit_answers

QUESTIONS = [
    ("E-mail", "email", ""),
    ("Branża", "dropdown", "Handel detaliczny\nUsługi\nIT"),
    ("Zainteresowania", "checkboxes", "Webinary\nE-booki\nKonferencje"),
    ("Chcę dostać ofertę", "checkbox", ""),
    ("Ocena", "radio", "Dobra\nZła"),
    ("Komentarz", "multiline", ""),
]
MODES = {"Branża": "value", "Zainteresowania": "question_and_value",
         "Chcę dostać ofertę": "value", "Ocena": "", "Komentarz": "value"}


def tagging_page(**kwargs):
    page = make_form_page(questions=QUESTIONS, tag="Ankieta 2026", **kwargs)
    for field in page.form_fields.all():
        field.salesmanago_tag_mode = MODES.get(field.label, "")
        field.save()
    return page


ANSWERS = {
    "E-mail": "jan@example.com", "Branża": "Handel detaliczny",
    "Zainteresowania": ["Webinary", "Konferencje"], "Chcę dostać ofertę": "on", "Ocena": "Dobra",
    "Komentarz": "Szybko, sprawnie!",
}


@pytest.mark.django_db
def test_answers_become_tags_besides_their_details(client, sm, on_commit):
    record = submit_answers(client, tagging_page(), on_commit, ANSWERS)

    [body] = contact_bodies(sm)
    assert body["tags"] == [
        "ANKIETA_2026", "HANDEL_DETALICZNY", "ZAINTERESOWANIA-WEBINARY",
        "ZAINTERESOWANIA-KONFERENCJE", "CHCE_DOSTAC_OFERTE",
        # A typed answer goes with its question: a visitor cannot choose a tag of their own.
        "KOMENTARZ-SZYBKO__SPRAWNIE_",
    ]
    # Every answer is still a custom detail.
    assert body["properties"] == {
        "ankieta.E-mail": "jan@example.com", "ankieta.Branza": "Handel detaliczny",
        "ankieta.Zainteresowania": "Webinary, Konferencje", "ankieta.Chce-dostac-oferte": "true",
        "ankieta.Ocena": "Dobra", "ankieta.Komentarz": "Szybko, sprawnie!",
    }
    [contact] = sm.contacts()
    assert contact["tags"] == body["tags"]
    assert record.status == "sent"


@pytest.mark.django_db
def test_blank_answers_and_an_unticked_box_give_no_tag_and_an_update_gets_them_too(
        client, sm, on_commit):
    contact_id = sm.add_contact("known@example.com")
    submit_answers(client, tagging_page(), on_commit, {"Branża": "IT", "Komentarz": "  "},
                   smclientid=contact_id)

    [body] = contact_bodies(sm, "/api/contact/update")
    assert body["tags"] == ["ANKIETA_2026", "IT"]


@pytest.mark.django_db
def test_a_question_asked_for_a_tag_a_visitor_fills_with_10000_characters(client, sm, on_commit):
    submit_answers(client, tagging_page(), on_commit, {
        "E-mail": "jan@example.com", "Komentarz": "ż" * 10_000})

    [body] = contact_bodies(sm)
    assert body["tags"] == ["ANKIETA_2026", "KOMENTARZ-" + "Z" * 127]
