"""The form page's panel offers "Export N past answers": a confirmation, a task, its progress."""

import pytest
from django.urls import reverse
from django_tasks import default_task_backend

from tests.helpers import answer, make_form_page, past
from wagtail_salesmanago.delivery import history
from wagtail_salesmanago.models import ExportRun


def edit_page(client, page):
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_panel_offers_past_answers_asks_then_queues_the_export_and_shows_progress(
    admin, sm, queued, on_commit, client
):
    page = make_form_page()
    past(page, 3)
    with on_commit():
        answer(client, page, {"Twój e-mail": "live@example.com"})  # has its delivery already
    url = reverse("wagtail_salesmanago_export", args=[page.pk])

    html = edit_page(admin, page)
    assert "Export 3 past answers" in html and f'href="{url}"' in html

    confirm = admin.get(url).content.decode()
    assert "Send 3 past answers of “Badanie satysfakcji” to SALESmanago?" in confirm
    assert "Yes, export them" in confirm
    assert not ExportRun.objects.exists()

    with on_commit():
        response = admin.post(url)
    # Back to the editor at the progress line: Wagtail opens the tab that holds it.
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert (response.status_code, response.url) == (302, f"{edit_url}#salesmanago-export-progress")
    export_run = ExportRun.objects.get()
    assert (export_run.status, export_run.total) == ("queued", 3)
    [task] = [r for r in default_task_backend.results if r.task.name == "export_past_answers"]
    assert task.args == [export_run.pk]
    html = edit_page(admin, page)
    assert "The export of 3 past answers to SALESmanago has started" in html
    assert ("Exporting past answers: sent 0 · to retry 0 · failed 0 · skipped 0 · "
            "quarantined 0 · remaining 3.") in html
    assert 'id="salesmanago-export-progress"' in html
    assert "Export 3 past answers" not in html  # not twice at once
    # (The editor asked for the account's tags: nothing else reached SALESmanago.)
    assert [r for r in sm.requests() if r["path"].startswith("/api/contact/")
            and r["path"] != "/api/contact/tags"] == []

    history.run_queued(export_run.pk)  # as the worker runs the task

    # The live answer waiting for its worker is due too: the export sends it first.
    assert sorted(c["email"] for c in sm.contacts()) == [
        "live@example.com", *(f"past{n}@example.com" for n in range(3))]
    html = edit_page(admin, page)
    assert "sent 4 · to retry 0 · failed 0 · skipped 0 · quarantined 0." in html
    assert "Past answers exported on" in html and "past answers</a>" not in html


@pytest.mark.django_db
def test_only_those_who_may_edit_the_form_may_export_its_past_answers(
    editor_of, sm, queued
):
    page, other = make_form_page(), make_form_page(title="Inna ankieta")
    past(page, 2)
    editor = editor_of(other)
    url = reverse("wagtail_salesmanago_export", args=[page.pk])

    for response in (editor.get(url), editor.post(url)):  # Wagtail's answer to PermissionDenied
        assert (response.status_code, response.url) == (302, reverse("wagtailadmin_home"))
    assert not ExportRun.objects.exists()
    past(other, 1, start=5)
    assert "Export 1 past answer" in edit_page(editor, other)


@pytest.mark.django_db
def test_a_form_that_does_not_export_offers_nothing_and_refuses_clearly(admin, sm):
    page = make_form_page(enabled=False)
    past(page, 2)
    assert "past answer" not in edit_page(admin, page)
    response = admin.post(reverse("wagtail_salesmanago_export", args=[page.pk]), follow=True)
    assert "Export is switched off for “Badanie satysfakcji”" in response.content.decode()
    assert not ExportRun.objects.exists()
