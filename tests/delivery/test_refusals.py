"""What a refusal means, told without trusting SALESmanago's unconfirmed words, and what a 401/403
from something in front of it does. Against `responses`, for answers the sandbox never gives."""

import json
from datetime import timedelta

import pytest
import responses
from django.urls import reverse
from django.utils import timezone, translation

from tests.helpers import (
    CONTACT_ID, OK, OWNER, URL, USERS, answer, answers, make_form_page, run_retry, statuses,
    submit_emails)
from wagtail_salesmanago import stored_messages
from wagtail_salesmanago.models import DeliveryHold, ExportRecord

def called(api):
    return [call.request.url.removeprefix(URL) for call in api.calls]


@pytest.fixture
def backlog(api, client, on_commit):
    submit_emails(client, make_form_page(), on_commit,
                  "a@example.com", "b@example.com", "c@example.com")


@pytest.mark.django_db
@pytest.mark.parametrize("status", [401, 403])
def test_a_401_or_403_without_salesmanagos_answer_on_the_check_too_holds_until_access_works(
    api, backlog, admin_client, status
):
    answers(api, "contact/upsert", "<html><h1>Request blocked</h1></html>", status=status)
    answers(api, "user/listByClient", "<html><h1>Request blocked</h1></html>", status=status)

    assert run_retry().endswith("3 due; held: 3.\n")
    assert called(api) == ["contact/upsert", "user/listByClient"]  # the check is turned away too
    hold = DeliveryHold.objects.get()
    assert hold.reason == "denied"
    assert hold.message == (
        "Access to SALESmanago was denied, and the answer was not SALESmanago's (a proxy or "
        f"firewall in between?). (HTTP {status}, POST /api/user/listByClient)")
    html = admin_client.get(reverse("wagtail_salesmanago_deliveries:index")).content.decode()
    assert "Access to SALESmanago was denied (HTTP 401 or 403)" in html
    assert "Check that this server may reach the SALESmanago endpoint" in html

    DeliveryHold.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))
    run_retry()
    run_retry()
    assert called(api)[2:] == ["user/listByClient"]  # one check, still blocked

    answers(api, "user/listByClient", USERS)  # the firewall lets this server through again
    answers(api, "contact/upsert", OK, OK, OK)
    DeliveryHold.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))
    assert run_retry() == "3 due; sent: 3.\n"
    assert called(api)[3:] == ["user/listByClient"] + ["contact/upsert"] * 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    "refusal, check, status, reason, error",
    [
        # SALESmanago's words for a wrong owner are not confirmed: the users list tells.
        ({"success": False, "message": ["Invalid owner"]}, USERS | {"users": ["anna@firma.pl"]},
         "held", "owner", f"The owner {OWNER} is not a user of this SALESmanago account. "
                          "SALESmanago said: Invalid owner (HTTP 200, POST /api/contact/upsert)"),
        # Nor are its words for a wrong client ID: the credentials check is refused too.
        ({"success": False, "message": ["Authorization failed. Wrong clientId"]},
         {"success": False, "message": ["Authorization failed. Wrong clientId"]},
         "held", "rejected", "SALESmanago rejected the credentials or the owner. SALESmanago said: "
                             "Authorization failed. Wrong clientId (HTTP 200, POST /api/user/listByClient)"),
        # The check could not run: neither failed nor held, tried again later.
        # (The refused call is named once, not again after the check's reason.)
        ({"success": False, "message": ["Whatever"]}, "<html>down</html>",
         "retrying", None, "SALESmanago refused the request. SALESmanago said: Whatever (HTTP 200, "
                           "POST /api/contact/upsert) Checking the credentials failed too "
                           "(SALESmanago had a server error.); tried again later."),
    ],
)
def test_an_unconfirmed_refusal_is_told_by_the_credentials_check(
    api, client, on_commit, refusal, check, status, reason, error
):
    answers(api, "contact/upsert", refusal)
    if isinstance(check, str):
        answers(api, "user/listByClient", check, status=503)
    else:
        answers(api, "user/listByClient", check)
    submit_emails(client, make_form_page(), on_commit, "a@example.com")
    run_retry()

    record = ExportRecord.objects.get()
    assert record.status == status
    assert record.last_error == error
    with translation.override("pl"):  # in Polish too, the call named once
        polish = stored_messages.shown(record, "last_error")
    assert polish != error and polish.count("(HTTP 200, POST") == 1
    assert called(api) == ["contact/upsert", "user/listByClient"]
    if reason:
        assert DeliveryHold.objects.get().reason == reason
    else:
        assert not DeliveryHold.objects.exists()


@pytest.mark.django_db
def test_a_refusal_of_one_answer_fails_that_answer_only(api, client, on_commit):
    def upsert(request):
        email = json.loads(request.body)["contact"]["email"]
        if email == "bad@example.com":
            return 200, {}, json.dumps({"success": False, "message": ["Email invalid"]})
        return 200, {}, json.dumps(OK)

    api.add_callback(responses.POST, URL + "contact/upsert", callback=upsert)
    answers(api, "user/listByClient", USERS)
    submit_emails(client, make_form_page(), on_commit, "bad@example.com", "good@example.com")
    assert run_retry() == "2 due; failed: 1, sent: 1.\n"

    bad = ExportRecord.objects.get(email="bad@example.com")
    assert bad.last_error == ("SALESmanago refused the request. SALESmanago said: Email invalid "
                              "(HTTP 200, POST /api/contact/upsert)")
    assert not bad.send_alone  # refused on its own: resent, it may go in a batch again
    assert not DeliveryHold.objects.exists()
    assert sorted(called(api)) == ["contact/upsert", "contact/upsert", "user/listByClient"]


@pytest.mark.django_db
def test_an_update_refused_after_the_check_passes_is_an_unknown_contact(api, client, on_commit):
    answers(api, "contact/update", {"success": False, "message": ["Whatever it says"]})
    answers(api, "user/listByClient", USERS)
    with on_commit():
        answer(client, make_form_page(), {"Komentarz": "Hej"}, smclientid=CONTACT_ID)
    run_retry()

    record = ExportRecord.objects.get()
    assert (record.status, statuses()) == ("failed", ["failed"])
    assert record.last_error.startswith("SALESmanago does not know this contact.")
    assert called(api) == ["contact/update", "user/listByClient"]
