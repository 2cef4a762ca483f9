"""Editors set export rules inline on the form page and see them in the preview (issue 26)."""

import re

import pytest

from tests.helpers import errors_of, make_form_page, preview, publish, text
from wagtail_salesmanago.models import SalesmanagoRule, SalesmanagoSettings

QUESTIONS = [("E-mail", "email", ""), ("Chcę rozmowy", "checkbox", ""),
             ("Branża", "dropdown", "Handel\nIT")]
FIELDS = [{"label": "E-mail", "field_type": "email", "salesmanago_target": "detail"},
          {"label": "Chcę rozmowy", "field_type": "checkbox", "salesmanago_target": "detail"},
          {"label": "Branża", "field_type": "dropdown", "choices": "Handel\nIT",
           "salesmanago_target": "detail"}]


def rules_data(*rows, mode="all"):
    data = {"salesmanago_rules_mode": mode, "salesmanago_rules-TOTAL_FORMS": str(len(rows)),
            "salesmanago_rules-INITIAL_FORMS": "0", "salesmanago_rules-MIN_NUM_FORMS": "0",
            "salesmanago_rules-MAX_NUM_FORMS": "1000"}
    for number, row in enumerate(rows):
        data.update({f"salesmanago_rules-{number}-{k}": v for k, v in row.items()})
        data[f"salesmanago_rules-{number}-ORDER"] = str(number + 1)
    return data


@pytest.mark.django_db
def test_an_editor_publishes_rules_and_the_live_page_keeps_its_copy(admin, sm):
    page = make_form_page(questions=[])
    response = publish(admin, page, FIELDS, **rules_data(
        {"question": "Chcę rozmowy", "condition": "checked", "tags": "gorący"},
        {"question": "Branża", "condition": "equals", "value": " IT ", "tags": ""}, mode="any"))
    assert response.status_code == 302

    page.refresh_from_db()
    assert page.salesmanago_rules_mode == "any"
    assert [(r.question, r.condition, r.value, r.tags) for r in page.salesmanago_rules.all()] == [
        ("Chcę rozmowy", "checked", "", "gorący"), ("Branża", "equals", "IT", "")]
    assert page.salesmanago_rules_snapshot == [
        {"question": "Chcę rozmowy", "condition": "checked", "value": "", "tags": "gorący"},
        {"question": "Branża", "condition": "equals", "value": "IT", "tags": ""}]


@pytest.mark.django_db
def test_equals_needs_a_value(admin, sm):
    page = make_form_page(questions=[])
    response = publish(admin, page, FIELDS, **rules_data(
        {"question": "Branża", "condition": "equals", "value": ""}))
    assert response.status_code == 200
    assert "“Equals” needs the value the answer must be." in errors_of(response)


@pytest.mark.django_db
def test_the_preview_shows_the_rules_a_missing_question_and_what_a_sample_answer_does(admin, sm):
    page = make_form_page(questions=QUESTIONS, tag="")
    for row in ({"question": "Chcę rozmowy", "condition": "checked", "tags": "gorący lead"},
                {"question": "Branża", "condition": "equals", "value": "Handel"}):
        page.salesmanago_rules.add(SalesmanagoRule(**row))
    page.save_revision().publish()
    html = text(preview(admin, page))

    assert ("An answer is sent when all these rules are met; otherwise it is stored and listed as "
            "skipped by a rule: “Chcę rozmowy” is ticked: adds the tags GORACY_LEAD "
            "“Branża” equals “Handel”") in html
    assert ("A sample answer (each question with its first choice, boxes ticked, text filled in) "
            "would be sent, with the rules' tags GORACY_LEAD.") in html

    page.salesmanago_rules.add(SalesmanagoRule(question="Budżet", condition="not_empty"))
    page.save_revision()  # a draft: the preview shows it
    html = text(preview(admin, page))
    assert ("“Budżet” is not empty This form has no question of that label: the rule is never "
            "met. Type the label as the form builder shows it.") in html
    assert re.search(r"would not be sent\. Not sent: the form sends only when all its rules are "
                     r"met, and this one was not: “Budżet” is not empty\.", html)


@pytest.mark.django_db
def test_the_preview_names_the_attribution_details_where_the_site_sends_them(admin, sm):
    page = make_form_page(questions=QUESTIONS, tag="", salesmanago_event_type="SURVEY")
    html = text(preview(admin, page))
    assert ("Where the visitor came from goes too, when the visit says it (Settings > "
            "SALESmanago): ankieta.utm_source, ankieta.utm_medium, ankieta.utm_campaign, "
            "ankieta.utm_term, ankieta.utm_content, ankieta.referrer, ankieta.landing_page; and in "
            "the event's details 2 to 8.") in html

    SalesmanagoSettings.objects.update(send_attribution=False)
    assert "Where the visitor came from" not in text(preview(admin, page))
