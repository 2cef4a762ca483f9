"""Erasure works: deleting submissions in Wagtail deletes their export records."""

import pytest
from django.urls import reverse

from tests.helpers import answer, make_form_page, submissions_of
from tests.testapp.models import CustomSubmissionPage
from wagtail_salesmanago.models import ExportRecord


@pytest.mark.django_db
@pytest.mark.parametrize("model", [None, CustomSubmissionPage])
def test_deleting_submissions_in_the_admin_deletes_their_records(
    client, sm, on_commit, django_user_model, model
):
    page = make_form_page(model) if model else make_form_page()
    other = make_form_page(title="Other")
    with on_commit():
        for email in ("a@example.com", "b@example.com"):
            answer(client, page, {"Twój e-mail": email})
        answer(client, other, {"Twój e-mail": "c@example.com"})
    assert ExportRecord.objects.count() == 3

    client.force_login(django_user_model.objects.create_superuser("admin", "a@x.pl", "pw"))
    doomed = submissions_of(page)
    url = reverse("wagtailforms:delete_submissions", args=[page.pk])
    response = client.post(url + "?" + "&".join(f"selected-submissions={s.pk}" for s in doomed))

    assert response.status_code == 302
    assert submissions_of(page) == []
    assert list(ExportRecord.objects.values_list("email", flat=True)) == ["c@example.com"]


@pytest.mark.django_db
def test_deleting_the_form_page_deletes_its_records(client, sm, on_commit):
    page = make_form_page()
    with on_commit():
        answer(client, page, {"Twój e-mail": "a@example.com"})
    page.delete()
    assert not ExportRecord.objects.exists()
