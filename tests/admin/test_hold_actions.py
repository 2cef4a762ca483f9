"""A hold staff can end: a passing Test connection, saving the same settings while SALESmanago
accepts them again, or "Check now" on the hold's notice lifts it at once, and says so."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from tests.helpers import (
    connection_url, make_form_page, run_retry, settings_url, statuses, submit_emails, typed)
from wagtail_salesmanago.models import DeliveryHold, ExportRecord


@pytest.fixture
def held(client, admin, sm, on_commit, settings):
    """Three answers held: SALESmanago refused the site's (unchanged) credentials, and its
    check is 30 minutes away."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.WAGTAIL_SALESMANAGO_BATCH_SIZE = 1
    submit_emails(client, make_form_page(), on_commit, "a@example.com", "b@example.com",
                  "c@example.com")
    sm.misbehave(auth_fail=True)
    assert run_retry().endswith("3 due; held: 3.\n")
    sm.misbehave(auth_fail=None)  # fixed in SALESmanago: the same credentials work again
    return DeliveryHold.objects.get()


def due_again():
    return sorted(ExportRecord.objects.values_list("status", "hold")) == [("pending", None)] * 3


def check_url(hold, back=""):
    return reverse("wagtail_salesmanago_check_hold", args=[hold.site_id]) + (
        f"?next={quote(back)}" if back else "")


@pytest.mark.django_db
def test_a_passing_test_connection_of_the_same_credentials_lifts_the_hold_and_says_so(
        admin, sm, site, held):
    answer = admin.post(connection_url(site), typed(sm, api_secret="")).json()

    assert answer["ok"] is True
    assert answer["message"].endswith(
        "The hold on deliveries is lifted: 3 waiting deliveries are due again now.")
    assert not DeliveryHold.objects.exists() and due_again()
    assert "are on hold" not in admin.get(settings_url(site)).content.decode()


@pytest.mark.django_db
def test_a_hold_lifted_by_a_test_connection_is_logged_and_its_deliveries_go_to_the_workers(
        admin, sm, site, held, on_commit, log):
    from django_tasks import task_backends
    backend = task_backends["default"]
    backend.clear()
    log()  # what the hold's start wrote

    with on_commit():
        admin.post(connection_url(site), typed(sm, api_secret=""))

    assert log() == [("holds", "INFO", f"SALESmanago hold of site {site.pk} lifted (a connection "
                                       "test passed); 3 deliveries due.")]
    tasks = [r for r in backend.results if r.task.name == "deliver_export"]
    assert sorted(r.args[0] for r in tasks) == sorted(ExportRecord.objects.values_list("pk", flat=True))
    # Each when it is due (now), not all inside the admin's request.
    assert all(r.task.run_after is not None for r in tasks)


@pytest.mark.django_db
def test_a_passing_test_of_other_credentials_not_saved_keeps_the_hold(admin, sm, site, held):
    # The same server by another name: other credentials than the stored ones the hold refused.
    other = typed(sm, endpoint=sm.url.replace("127.0.0.1", "localhost"))
    answer = admin.post(connection_url(site), other).json()

    assert answer["ok"] is True and "hold" not in answer["message"]
    assert DeliveryHold.objects.count() == 1 and statuses() == ["held"] * 3


@pytest.mark.django_db
def test_a_failing_test_connection_keeps_the_hold(admin, sm, site, held):
    sm.misbehave(auth_fail=True)
    answer = admin.post(connection_url(site), typed(sm, api_secret="")).json()

    assert answer["ok"] is False
    assert DeliveryHold.objects.count() == 1 and statuses() == ["held"] * 3


@pytest.mark.django_db
def test_saving_the_same_settings_while_salesmanago_accepts_them_lifts_the_hold(
        admin, sm, site, held):
    response = admin.post(settings_url(site), typed(sm, api_secret="", detail_prefix="ankieta."),
                          follow=True)

    assert "The hold on deliveries is lifted: 3 waiting deliveries are due again now." in (
        response.content.decode())
    assert not DeliveryHold.objects.exists() and due_again()


@pytest.mark.django_db
def test_check_now_on_the_notice_asks_first_then_lifts_the_hold(admin, sm, held):
    log = reverse("wagtail_salesmanago_deliveries:index")
    notice = admin.get(log).content.decode()
    assert f'href="{check_url(held, log)}"' in notice.replace("&amp;", "&")

    confirm = admin.get(check_url(held, log)).content.decode()
    assert "Yes, check now" in confirm and statuses() == ["held"] * 3  # nothing yet
    calls = len(sm.requests())

    response = admin.post(check_url(held), {"next": log}, follow=True)

    assert response.redirect_chain[-1][0] == log
    assert ("SALESmanago accepts the credentials of localhost [default] again: the hold is "
            "lifted, and 3 waiting deliveries are due again now.") in response.content.decode()
    assert [r["path"] for r in sm.requests()[calls:]] == ["/api/user/listByClient"]
    assert not DeliveryHold.objects.exists() and due_again()


@pytest.mark.django_db
def test_check_now_while_salesmanago_still_refuses_keeps_the_hold_and_says_why(
        admin, sm, held):
    sm.misbehave(auth_fail=True)
    response = admin.post(check_url(held), follow=True)

    page = response.content.decode()
    assert "Still on hold:" in page and "Not authenticated" in page
    assert DeliveryHold.objects.count() == 1 and statuses() == ["held"] * 3


@pytest.mark.django_db
def test_check_now_goes_back_only_to_this_site_and_only_for_staff_who_see_the_hold(
        admin, sm, held, client, django_user_model):
    response = admin.post(check_url(held), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("wagtail_salesmanago_deliveries:index")

    DeliveryHold.objects.all().delete()
    response = admin.post(check_url(held), follow=True)
    assert "are not on hold" in response.content.decode()


@pytest.mark.django_db
def test_check_now_during_a_pause_makes_no_call_and_says_when(admin, sm, held):
    from datetime import timedelta

    from django.utils import timezone

    from wagtail_salesmanago.admin import display
    from wagtail_salesmanago.models import DeliveryPause
    until = timezone.now() + timedelta(minutes=10)
    DeliveryPause.objects.create(site=held.site, until=until)
    calls = len(sm.requests())
    page = " ".join(admin.post(check_url(held), follow=True).content.decode().split())
    assert (f"SALESmanago asked for fewer calls until {display.admin_datetime(until)}: the "
            "credentials of localhost [default] are checked after that, by themselves.") in page
    assert len(sm.requests()) == calls and DeliveryHold.objects.count() == 1
