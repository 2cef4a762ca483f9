"""A refusal of an answer sent as its form's own owner: the form's fault only when that owner is
not one of the account's users. Against ``responses``, for answers the sandbox never gives."""

import json

import pytest
from wagtail.models import Page

from tests.helpers import (
    NOT_AUTHENTICATED, OK, OWNER, URL, USERS, answers, make_form_page, run_retry, submit_emails)
from wagtail_salesmanago.models import DeliveryHold, ExportRecord

AT = "(HTTP 200, POST /api/contact/upsert)"


def refused(api, client, on_commit, form_owner):
    answers(api, "contact/upsert", NOT_AUTHENTICATED)
    answers(api, "user/listByClient", USERS)
    submit_emails(client, make_form_page(salesmanago_owner=form_owner), on_commit, "a@example.com")
    summary = run_retry()
    assert [call.request.url.removeprefix(URL) for call in api.calls] == [
        "contact/upsert", "user/listByClient"]
    return summary, ExportRecord.objects.get()


@pytest.mark.django_db
def test_a_form_owner_who_is_a_user_leaves_the_refusal_the_sites(api, client, on_commit):
    summary, record = refused(api, client, on_commit, "anna@firma.pl")

    rejected = ("SALESmanago rejected the credentials or the owner. SALESmanago said: Not "
                f"authenticated {AT}")
    assert summary.endswith("1 due; held: 1.\n")
    assert (record.status, record.last_error) == ("held", rejected)
    assert DeliveryHold.objects.get().message == rejected


@pytest.mark.django_db
def test_a_form_owner_who_is_not_a_user_fails_that_record_saying_where(api, client, on_commit):
    summary, record = refused(api, client, on_commit, "nikt@example.com")

    assert summary == "1 due; failed: 1.\n"
    assert (record.status, record.last_error) == ("failed", (
        "The form's owner nikt@example.com is not a user of this SALESmanago account: choose "
        "another in the page's SALESmanago settings (blank: the site's owner), then resend. "
        f"SALESmanago said: Not authenticated {AT}"))
    assert not DeliveryHold.objects.exists()


@pytest.mark.django_db
def test_answers_waiting_when_their_page_stops_being_a_salesmanago_form_go_as_the_sites_owner(
        api, client, on_commit):
    answers(api, "contact/upsert", OK)
    submit_emails(client, make_form_page(), on_commit, "a@example.com")
    plain = Page(title="Zwykła strona")
    Page.objects.get(depth=2).add_child(instance=plain)
    ExportRecord.objects.update(page=plain)  # its model changed, say, or its answers were moved

    assert run_retry() == "1 due; sent: 1.\n"
    [call] = api.calls
    assert json.loads(call.request.body)["owner"] == OWNER


@pytest.mark.django_db
def test_when_neither_the_forms_owner_nor_the_sites_is_a_user_the_site_waits(
        api, client, on_commit):
    answers(api, "contact/upsert", NOT_AUTHENTICATED)
    answers(api, "user/listByClient", USERS | {"users": ["anna@firma.pl"]})
    submit_emails(client, make_form_page(salesmanago_owner="nikt@example.com"), on_commit,
                  "a@example.com")

    assert run_retry().endswith("1 due; held: 1.\n")
    assert [call.request.url.removeprefix(URL) for call in api.calls] == [
        "contact/upsert", "user/listByClient"]  # one check answers both
    hold = DeliveryHold.objects.get()
    assert (hold.reason, hold.message) == (
        "owner", f"The owner {OWNER} is not a user of this SALESmanago account. SALESmanago said: "
        f"Not authenticated {AT}")
    assert ExportRecord.objects.get().status == "held"
