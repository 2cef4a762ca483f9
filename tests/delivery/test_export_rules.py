"""Export rules (issue 26 item 1): "send only when ..." per form, all or any, with tags.

Over real HTTP against the sandbox: what reached SALESmanago, and what the log shows.
"""

from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.helpers import contact_bodies, make_form_page, submit_answers
from wagtail_salesmanago import stored_messages
from wagtail_salesmanago.delivery import outbox
from wagtail_salesmanago.models import ExportRecord, SalesmanagoRule, SalesmanagoSettings

QUESTIONS = [
    ("E-mail", "email", ""),
    ("Chcę rozmowy z handlowcem", "checkbox", ""),
    ("Branża", "dropdown", "Handel\nIT\nUsługi"),
]


def page_with_rules(mode="all", *rows):
    page = make_form_page(questions=QUESTIONS, tag="lead", salesmanago_rules_mode=mode)
    for row in rows:
        page.salesmanago_rules.add(SalesmanagoRule(**row))
    page.save_revision().publish()
    page.refresh_from_db()
    return page


CALL_ME = {"question": "Chcę rozmowy z handlowcem", "condition": "checked", "tags": "gorący lead"}
IT = {"question": "Branża", "condition": "equals", "value": "IT", "tags": "branza it"}


@pytest.mark.django_db
def test_an_answer_the_rules_stop_is_stored_as_skipped_by_the_named_rule_and_never_sent(
        client, sm, on_commit):
    page = page_with_rules("all", CALL_ME, IT)
    record = submit_answers(client, page, on_commit, {"E-mail": "jan@example.com", "Branża": "IT"})

    assert sm.requests() == []
    assert record.status == "skipped" and record.event_status == ""
    assert stored_messages.render(record.last_error) == (
        "Not sent: the form sends only when all its rules are met, and this one was not: "
        "“Chcę rozmowy z handlowcem” is ticked.")


@pytest.mark.django_db
def test_an_answer_every_rule_lets_through_goes_with_the_rules_tags(client, sm, on_commit):
    page = page_with_rules("all", CALL_ME, IT)
    record = submit_answers(client, page, on_commit, {
        "E-mail": "jan@example.com", "Branża": "IT", "Chcę rozmowy z handlowcem": "on"})

    [body] = contact_bodies(sm)
    assert body["tags"] == ["LEAD", "GORACY_LEAD", "BRANZA_IT"]
    assert record.status == "sent"


@pytest.mark.django_db
def test_any_rule_is_enough(client, sm, on_commit):
    page = page_with_rules("any", CALL_ME, IT)
    submit_answers(client, page, on_commit, {"E-mail": "a@example.com", "Branża": "IT"})
    record = submit_answers(client, page, on_commit, {"E-mail": "b@example.com", "Branża": "Handel"})

    assert [body["tags"] for body in contact_bodies(sm)] == [["LEAD", "BRANZA_IT"]]
    assert stored_messages.render(record.last_error) == (
        "Not sent: the form sends when any of its rules is met, and none was.")


@pytest.mark.django_db
def test_a_rule_on_a_deleted_question_stops_answers_and_says_why(client, sm, on_commit):
    page = page_with_rules("all", {"question": "Budżet", "condition": "not_empty"})
    record = submit_answers(client, page, on_commit, {"E-mail": "jan@example.com"})

    assert sm.requests() == [] and record.status == "skipped"
    assert stored_messages.render(record.notes) == (
        "Rules on questions this form does not have (deleted or renamed?) count as not met: 1, "
        "on “Budżet”.")


@pytest.mark.django_db
def test_a_rule_stored_on_its_own_counts_at_once(client, sm, on_commit):
    page = make_form_page(questions=QUESTIONS, tag="")
    with on_commit():  # the page's copy is written once the rule is committed
        rule = SalesmanagoRule.objects.create(page=page, **IT)
    record = submit_answers(client, page, on_commit, {"E-mail": "jan@example.com", "Branża": "Usługi"})
    assert record.status == "skipped"

    with on_commit():
        rule.delete()
    record = submit_answers(client, page, on_commit, {"E-mail": "jan@example.com", "Branża": "Usługi"})
    assert record.status == "sent"


@pytest.mark.django_db
def test_a_visitors_answer_reads_no_rule_from_the_database(client, sm):
    page = page_with_rules("all", CALL_ME, IT)
    client.get(page.url)
    with CaptureQueriesContext(connection) as queries:
        client.post(page.url, {"e_mail": "jan@example.com", "branza": "IT"})
    assert not [q for q in queries.captured_queries
                if "wagtail_salesmanago_salesmanagorule" in q["sql"]]


@pytest.mark.django_db
def test_1000_rules_are_saved_and_read_whole(client, sm, on_commit):
    rows = [{"question": "Branża", "condition": "equals", "value": "IT", "tags": f"t{n}"}
            for n in range(1000)]
    page = page_with_rules("all", *rows)
    assert len(page.salesmanago_rules_snapshot) == 1000
    submit_answers(client, page, on_commit, {"E-mail": "jan@example.com", "Branża": "IT"})

    [body] = contact_bodies(sm)
    assert len(body["tags"]) == 1001


@pytest.mark.django_db
def test_staff_may_send_an_answer_the_rules_stopped_anyway_but_select_all_leaves_it(
        admin, client, sm, on_commit):
    page = page_with_rules("all", CALL_ME)
    page.salesmanago_event_type = "SURVEY"
    page.save_revision().publish()
    stopped = submit_answers(client, page, on_commit, {"E-mail": "jan@example.com"})
    assert (stopped.status, stopped.event_status, stopped.next_attempt_at) == (
        "skipped", "pending", None)

    html = unescape(admin.get(
        reverse("wagtail_salesmanago_deliveries:inspect", args=[stopped.pk])).content.decode())
    assert "Send anyway" in html and "Why it was skipped" in html
    submit_answers(client, page, on_commit, {
        "E-mail": "ola@example.com", "Chcę rozmowy z handlowcem": "on"})
    bulk = "/admin/bulk/wagtail_salesmanago/exportrecord/resend/"
    back = "&next=" + reverse("wagtail_salesmanago_deliveries:index")
    with on_commit():
        assert admin.post(f"{bulk}?id=all{back}").status_code == 302
    assert ExportRecord.objects.get(pk=stopped.pk).status == "skipped"
    assert [b["contact"]["email"] for b in contact_bodies(sm)] == ["ola@example.com"] * 2
    sm.reset()
    with on_commit():  # ticked on its own, it goes
        assert admin.post(f"{bulk}?id={stopped.pk}{back}").status_code == 302
    stopped.refresh_from_db()
    assert (stopped.status, stopped.event_status) == ("sent", "sent")
    assert contact_bodies(sm) == [{k: v for k, v in stopped.payload.items()}]


@pytest.mark.django_db
def test_an_answer_skipped_for_want_of_a_contact_has_nothing_to_send_anyway(
        admin, client, sm, on_commit):
    page = make_form_page(questions=[("Uwagi", "multiline", "")], tag="")
    skipped = submit_answers(client, page, on_commit, {"Uwagi": "x"})
    html = unescape(admin.get(
        reverse("wagtail_salesmanago_deliveries:inspect", args=[skipped.pk])).content.decode())
    assert "Send anyway" not in html and "Resend" not in html
    assert outbox.resend(ExportRecord.objects.filter(pk=skipped.pk)) == 0


@pytest.mark.django_db
def test_an_answer_both_spam_and_stopped_by_a_rule_is_quarantined_with_the_rule_noted(
        client, sm, on_commit):
    SalesmanagoSettings.objects.update(ignored_domains="mailinator.com")
    page = page_with_rules("all", CALL_ME)
    record = submit_answers(client, page, on_commit, {"E-mail": "bot@mailinator.com"})
    assert record.status == "quarantined" and sm.requests() == []
    assert "mailinator.com" in stored_messages.render(record.last_error)
    assert stored_messages.render(record.notes) == (
        "Not sent: the form sends only when all its rules are met, and this one was not: "
        "“Chcę rozmowy z handlowcem” is ticked.")


@pytest.mark.django_db
def test_deleting_a_page_takes_its_rules_without_rewriting_its_copy_for_each(
        sm, django_assert_max_num_queries):
    page = page_with_rules("all", *[{**IT, "tags": f"t{n}"} for n in range(200)])
    with django_assert_max_num_queries(120):  # not 3 for each of the 200 rules
        page.delete()
    assert not SalesmanagoRule.objects.exists()


@pytest.mark.django_db
def test_rules_saved_with_update_fields_update_the_copy_too(sm):
    page = make_form_page(questions=QUESTIONS, tag="")
    page.salesmanago_rules.add(SalesmanagoRule(**IT))
    page.save(update_fields=["salesmanago_rules"])
    page.refresh_from_db()
    assert [r["question"] for r in page.salesmanago_rules_snapshot] == ["Branża"]
