"""Erasing a person (issue 27 item 2): every delivery the package holds about them, and the
contact in SALESmanago if asked (retried while SALESmanago is down)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks import task_backends
from django_tasks.backends.dummy import DummyBackend
from wagtail.models import Page, Site

from tests.helpers import (
    NEWSLETTER, dated_record, lead_page, make_form_page, submit_answers)
from wagtail_salesmanago import stored_messages
from wagtail_salesmanago.delivery import erasure
from wagtail_salesmanago.models import ErasureRequest, ExportRecord, SalesmanagoSettings

EMAIL = "anna.nowak@example.com"
CONTACT_ID = "5b6c2a1e-8f3d-4c2b-9a7e-1d2c3b4a5f60"
UNAVAILABLE = "SALESmanago had a server error. (HTTP 503, POST /api/contact/delete)"
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def run(*args):
    out = StringIO()
    call_command("salesmanago_erase", *args, stdout=out)
    return out.getvalue().strip()


def anywhere(text):
    """The rows of the package's own tables where ``text`` appears, in any column."""
    found = []
    for model in apps.get_app_config("wagtail_salesmanago").get_models():
        for row in model.objects.values():
            if text.lower() in repr(row).lower():
                found.append((model.__name__, row.get("id")))
    return found


def answered(client, sm, on_commit, count=3):
    page = lead_page(NEWSLETTER, salesmanago_event_type="SURVEY")
    for _ in range(count):
        submit_answers(client, page, on_commit, {"E-mail": EMAIL.upper(),
                                                 "Zgoda na newsletter": "on"})
    submit_answers(client, page, on_commit, {"E-mail": "inna@example.com"})
    return page


@pytest.mark.django_db
def test_erasing_here_only_leaves_nothing_of_the_person_in_any_table(client, sm, on_commit):
    answered(client, sm, on_commit)
    assert anywhere(EMAIL)
    assert run(EMAIL, "--dry-run") == ("salesmanago_erase: would erase 3 delivery record(s). "
                                       "Nothing erased (--dry-run).")
    assert run(EMAIL) == "salesmanago_erase: erased 3 delivery record(s)."

    assert anywhere(EMAIL) == [] and anywhere("anna.nowak") == []
    assert ExportRecord.objects.filter(email="inna@example.com").count() == 1
    [request] = ErasureRequest.objects.all()
    assert (request.records_erased, request.in_salesmanago, request.status, request.email) == (
        3, False, "done", "")
    assert [c["email"].lower() for c in sm.contacts()] == [EMAIL, "inna@example.com"]  # not asked


@pytest.mark.django_db
@pytest.mark.parametrize("permanently, left", [(True, False), (False, True)])
def test_erasing_in_salesmanago_deletes_or_hides_the_contact(client, sm, on_commit, permanently,
                                                             left):
    answered(client, sm, on_commit, count=1)
    with on_commit():
        run(EMAIL, "--in-salesmanago", *(["--permanently"] if permanently else []))
    [request] = ErasureRequest.objects.all()
    assert (request.status, request.email) == ("done", "")
    deletes = [r["body"] for r in sm.requests() if r["path"] == "/api/contact/delete"]
    assert [(b["owner"], b["email"], b["permanently"]) for b in deletes] == [
        ("owner@example.com", EMAIL, permanently)]
    assert [c["email"] for c in sm.contacts()] == ["inna@example.com"]
    assert sm.state.restore(EMAIL) is left  # a hidden contact can be brought back
    assert anywhere("anna.nowak") == []


@pytest.mark.django_db
def test_a_person_salesmanago_does_not_know_is_done_with_a_word(client, sm, on_commit):
    with on_commit():
        run("nieznana@example.com", "--in-salesmanago")
    [request] = ErasureRequest.objects.all()
    assert (request.status, str(request.message)) == (
        "done", "SALESmanago does not know this contact: nothing to delete.")


@pytest.mark.django_db
def test_salesmanago_down_leaves_the_erasure_pending_until_a_retry_succeeds(
        client, sm, on_commit):
    answered(client, sm, on_commit, count=1)
    sm.misbehave(status=503)
    with on_commit():
        run(EMAIL, "--in-salesmanago")
    [request] = ErasureRequest.objects.all()
    assert request.status == "pending" and request.email == EMAIL  # kept while it waits
    assert anywhere(EMAIL) == [("ErasureRequest", request.pk)]  # only there, until done
    sm.misbehave(status=None)
    ErasureRequest.objects.update(next_attempt_at=request.requested_at)
    assert "1 erasure(s) sent to SALESmanago again." in call_command_output("salesmanago_retry")
    request.refresh_from_db()
    assert (request.status, request.email, request.attempts) == ("done", "", 2)
    assert anywhere("anna.nowak") == []


def call_command_output(name):
    out = StringIO()
    call_command(name, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_by_contact_id_across_sites_the_e_mail_is_found_in_the_deliveries(client, sm, on_commit):
    contact_id = sm.add_contact(EMAIL)
    page = make_form_page(questions=[("Uwagi", "multiline", "")], tag="")
    submit_answers(client, page, on_commit, {"Uwagi": "x"}, smclientid=contact_id)
    submit_answers(client, page, on_commit, {"Uwagi": "y"}, smclientid=contact_id.upper())
    root = Page.objects.get(depth=1).add_child(instance=Page(title="Marka B", slug="marka-b"))
    site_b = Site.objects.create(hostname="marka-b.example", root_page=root)
    SalesmanagoSettings.objects.create(site=site_b, **{**sm.credentials(), "client_id": "inny"})
    ExportRecord.objects.filter(contact_id=contact_id).update(email=EMAIL)  # typed, too
    with on_commit():
        output = run("--contact-id", contact_id, "--in-salesmanago")
    assert output == ("salesmanago_erase: erased 2 delivery record(s); SALESmanago asked in 2 "
                      "account(s).")
    assert ExportRecord.objects.count() == 0
    assert {r.site_id for r in ErasureRequest.objects.all()} == {1, site_b.pk}


@pytest.mark.django_db
def test_hundreds_of_answers_are_erased_in_a_few_statements(client, sm, on_commit,
                                                            django_assert_max_num_queries):
    page = make_form_page(tag="")
    kind = ExportRecord.objects.create(page=page, submission_type_id=1, submission_id="x",
                                       email=EMAIL).submission_type
    ExportRecord.objects.bulk_create([ExportRecord(page=page, submission_type=kind,
                                                   submission_id=str(n), email=EMAIL)
                                      for n in range(500)])
    with django_assert_max_num_queries(20):
        erasure.erase(EMAIL, "", in_salesmanago=False, permanently=False, requested_by="")
    assert ExportRecord.objects.count() == 0


@pytest.mark.django_db
def test_the_command_asks_for_someone(sm):
    from django.core.management.base import CommandError
    with pytest.raises(CommandError, match="Give an e-mail address"):
        run()
    with pytest.raises(CommandError, match="--permanently is for --in-salesmanago"):
        run(EMAIL, "--permanently")


@pytest.mark.django_db
def test_the_admin_page_needs_its_own_permission_confirms_and_erases(
        client, sm, on_commit, django_user_model):
    answered(client, sm, on_commit, count=2)
    staff = django_user_model.objects.create_user("ola", "ola@firma.pl", "pw")
    group = Group.objects.create(name="Deliveries")
    group.permissions.add(Permission.objects.get(codename="access_admin"),
                          *Permission.objects.filter(codename__in=["view_exportrecord"]))
    staff.groups.add(group)
    client.force_login(staff)
    url = reverse("wagtail_salesmanago_erase")
    assert client.get(url).status_code == 302  # Wagtail sends those without permission away
    group.permissions.add(Permission.objects.get(codename="erase_person"))

    assert "Erase a person" in client.get(url).content.decode()
    confirm = client.post(url, {"email": EMAIL, "in_salesmanago": "on"}).content.decode()
    assert "2 deliveries of this person will be erased." in confirm
    assert "SALESmanago will be asked to delete the contact in 1 account." in confirm
    assert ExportRecord.objects.filter(email__iexact=EMAIL).count() == 2
    with on_commit():  # the deletion in SALESmanago goes once the erasure is committed
        response = client.post(url, {"email": EMAIL, "in_salesmanago": "on", "confirmed": "1"})
    html = client.get(response.url).content.decode()
    assert "2 deliveries erased." in html
    assert "SALESmanago disabled and hid the contact" in html and EMAIL not in html
    assert ErasureRequest.objects.get().requested_by == "ola"
    assert anywhere("anna.nowak") == []


# The erasure's outcome as staff read it on Settings > Erase a person, and what SALESmanago got.

def erase(email="", contact_id="", *, in_salesmanago=True, permanently=False):
    return erasure.erase(email, contact_id, in_salesmanago=in_salesmanago,
                         permanently=permanently, requested_by="ola")


def outcome(request):
    """What the erase page shows of ``request``, and the address it still keeps."""
    request.refresh_from_db()
    return (request.status, request.attempts, request.finished_at, request.next_attempt_at,
            stored_messages.render(request.message), request.email)


def deletes(sandbox):
    """The bodies of the contact/delete calls SALESmanago received, without the auth fields."""
    return [{k: v for k, v in r["body"].items() if k not in ("apiKey", "requestTime", "sha")}
            for r in sandbox.requests() if r["path"] == "/api/contact/delete"]


def delete_of(sandbox, email, permanently=False):
    return {"clientId": sandbox.client_id, "owner": sandbox.owner, "email": email,
            "permanently": permanently}


def soon_after(request):
    """A moment for the worker to send ``request`` at: a minute after it was made."""
    return request.requested_at + timedelta(minutes=1)


def delivery(**fields):
    return dated_record(make_form_page(tag=""), fields.pop("at", timezone.now()), "sent", **fields)


class RefusingQueue(DummyBackend):
    """A task queue that is down."""

    def enqueue(self, *args, **kwargs):
        raise ConnectionError("the queue is down")


@pytest.mark.django_db
def test_erasing_here_only_is_listed_as_done_without_asking_salesmanago(sm):
    delivery(email=EMAIL)
    before = timezone.now()
    [request] = erasure.erase(EMAIL, "", in_salesmanago=False, permanently=False,
                              requested_by="ola")
    status, attempts, finished_at, next_attempt_at, message, email = outcome(request)
    assert (request.site, request.in_salesmanago, request.permanently, request.requested_by,
            request.records_erased) == (None, False, False, "ola", 1)
    assert (status, attempts, next_attempt_at, message, email) == (
        "done", 0, None, "The person's deliveries were erased here; SALESmanago was not asked.",
        "")
    assert before <= finished_at <= timezone.now()
    assert sm.requests() == []


@pytest.mark.django_db
def test_a_requester_name_longer_than_its_column_is_kept_to_150_characters(sm):
    [request] = erasure.erase(EMAIL, "", in_salesmanago=False, permanently=False,
                              requested_by="o" * 200)
    request.refresh_from_db()
    assert request.requested_by == "o" * 150


@pytest.mark.django_db
def test_by_a_contact_id_whose_deliveries_have_no_e_mail_the_erasure_fails_with_a_word(sm):
    delivery(contact_id=CONTACT_ID)
    before = timezone.now()
    [request] = erase("", CONTACT_ID)
    assert ExportRecord.objects.count() == 0
    status, attempts, finished_at, next_attempt_at, message, email = outcome(request)
    assert (request.site, request.in_salesmanago, request.records_erased) == (None, True, 1)
    assert (status, attempts, next_attempt_at, message, email) == (
        "failed", 0, None, ("SALESmanago deletes a contact by e-mail, and none was given or found "
                            "in the deliveries: delete the contact in SALESmanago by hand."), "")
    assert before <= finished_at <= timezone.now()
    assert sm.requests() == []


@pytest.mark.django_db
def test_by_a_contact_id_salesmanago_is_asked_with_the_e_mail_an_older_delivery_gave(
        sm, on_commit):
    sm.add_contact(EMAIL)
    delivery(contact_id=CONTACT_ID, email=EMAIL, at=timezone.now() - timedelta(days=30))
    delivery(contact_id=CONTACT_ID, email="")  # the latest: a mailing link's answer, no e-mail
    with on_commit():
        [request] = erase("", CONTACT_ID)
    assert deletes(sm) == [delete_of(sm, EMAIL)]
    assert request.records_erased == 2 and outcome(request)[0] == "done"


@pytest.mark.django_db
@pytest.mark.parametrize("column", ["contact_id", "salesmanago_contact_id"])
def test_by_a_contact_id_the_deliveries_carrying_it_either_way_are_erased(sm, column):
    delivery(**{column: CONTACT_ID.upper()})
    kept = delivery(contact_id="0" * 8 + CONTACT_ID[8:], salesmanago_contact_id="")
    [request] = erase("", f" {CONTACT_ID} ", in_salesmanago=False)
    assert request.records_erased == 1
    assert list(ExportRecord.objects.values_list("pk", flat=True)) == [kept.pk]


@pytest.mark.django_db
def test_with_an_e_mail_and_a_contact_id_both_match_and_salesmanago_gets_the_typed_e_mail(
        sm, on_commit):
    delivery(email=EMAIL)
    delivery(contact_id=CONTACT_ID, email="anna.stary.adres@example.com")
    delivery(email="inna@example.com")
    with on_commit():
        [request] = erase(EMAIL, CONTACT_ID)
    assert request.records_erased == 2
    assert list(ExportRecord.objects.values_list("email", flat=True)) == ["inna@example.com"]
    assert deletes(sm) == [delete_of(sm, EMAIL)]


@pytest.mark.django_db
def test_sites_sharing_an_account_ask_it_once_and_sites_without_credentials_not_at_all(sm):
    root = Page.objects.get(depth=1)
    for name, credentials in [("b", sm.credentials()), ("c", None),
                              ("d", {**sm.credentials(), "client_id": "inny", "api_secret": ""})]:
        page = root.add_child(instance=Page(title=f"Marka {name}", slug=f"marka-{name}"))
        site = Site.objects.create(hostname=f"marka-{name}.example", root_page=page)
        if credentials:
            SalesmanagoSettings.objects.create(site=site, **credentials)
    assert [r.site.is_default_site for r in erase(EMAIL)] == [True]


@pytest.mark.django_db
@pytest.mark.parametrize("known, permanently, fault, status, message", [
    (True, False, {}, "done",
     "SALESmanago disabled and hid the contact (it deletes such contacts for good later)."),
    (True, True, {}, "done", "SALESmanago deleted the contact permanently."),
    (False, False, {}, "done", "SALESmanago does not know this contact: nothing to delete."),
    (True, True, {"auth_fail": True}, "failed",
     ("SALESmanago refused to delete the contact: SALESmanago rejected the credentials or the "
      "owner. SALESmanago said: Not authenticated (HTTP 200, POST /api/contact/delete)")),
])
def test_salesmanagos_answer_is_the_erasures_outcome_at_the_moment_it_came(
        sm, known, permanently, fault, status, message):
    if known:
        sm.add_contact(EMAIL)
    [request] = erase(EMAIL, permanently=permanently)
    sm.misbehave(**fault)
    now = soon_after(request)
    assert erasure.send(request.pk, now=now) == status
    assert outcome(request) == (status, 1, now, None, message, "")
    assert deletes(sm) == [delete_of(sm, EMAIL, permanently)]


@pytest.mark.django_db
def test_an_erasure_whose_site_is_gone_fails_with_a_word_without_asking_salesmanago(sm):
    root = Page.objects.get(depth=1).add_child(instance=Page(title="Marka B", slug="marka-b"))
    site_b = Site.objects.create(hostname="marka-b.example", root_page=root)
    SalesmanagoSettings.objects.create(site=site_b, **{**sm.credentials(), "client_id": "inny"})
    gone_word = "The site this erasure was for is gone: delete the contact in SALESmanago by hand."
    [_, gone] = erase(EMAIL)
    assert gone.site == site_b
    site_b.delete()
    now = soon_after(gone)
    assert erasure.send(gone.pk, now=now) == "failed"
    assert outcome(gone) == ("failed", 1, now, None, gone_word, "")
    assert deletes(sm) == []


@pytest.mark.django_db
def test_only_the_erasure_sent_is_sent_and_only_while_it_waits(sm):
    sm.add_contact(EMAIL)
    sm.add_contact("inna@example.com")
    [first], [second] = erase(EMAIL), erase("inna@example.com")
    assert erasure.send(first.pk, now=soon_after(first)) == "done"
    assert erasure.send(first.pk, now=soon_after(first)) is None  # done: not asked again
    assert deletes(sm) == [delete_of(sm, EMAIL)]
    assert outcome(second)[:2] == ("pending", 0)


@pytest.mark.django_db
def test_salesmanago_down_retries_the_erasure_later_each_time_until_it_answers(sm, settings):
    settings.TASKS = DUMMY
    sm.add_contact(EMAIL)
    [request] = erase(EMAIL)
    sm.misbehave(status=503)
    now, base = soon_after(request), timedelta(seconds=60)
    for attempt, wait in [(1, base), (2, 2 * base), (3, 4 * base)]:
        assert erasure.send(request.pk, now=now) == "pending"
        status, attempts, finished_at, at, message, email = outcome(request)
        assert (status, attempts, finished_at, message, email) == (
            "pending", attempt, None, UNAVAILABLE, EMAIL)
        assert now + wait * 0.8 <= at <= now + wait * 1.2  # the wait doubles, give or take a fifth
        now = at
    queued = [(r.args, r.task.run_after) for r in task_backends["default"].results
              if r.task.name == "erase_in_salesmanago"]
    assert queued[-1] == ([request.pk], at)

    sm.misbehave(status=None)
    assert erasure.send(request.pk, now=now) == "done"
    assert outcome(request)[:3] == ("done", 4, now)


@pytest.mark.django_db
def test_salesmanago_down_for_two_days_gives_the_erasure_up_with_its_error(sm):
    [request] = erase(EMAIL)
    sm.misbehave(status=503)
    later = request.requested_at + timedelta(hours=48)
    assert erasure.send(request.pk, now=later) == "failed"
    assert outcome(request) == ("failed", 1, later, None, UNAVAILABLE, "")


@pytest.mark.django_db
def test_a_task_queue_that_is_down_is_told_and_the_erasure_stays_due(sm, settings, log):
    settings.TASKS = {"default": {"BACKEND": "tests.delivery.test_erasure.RefusingQueue"}}
    [request] = erase(EMAIL)
    sm.misbehave(status=503)
    log()
    now = soon_after(request)
    assert erasure.send(request.pk, now=now) == "pending"
    assert outcome(request)[3] > now  # salesmanago_retry sends it then
    assert log() == [("queue", "ERROR", (f"Could not queue SALESmanago erasure {request.pk}; "
                                         "salesmanago_retry sends it."))]


@pytest.mark.django_db
def test_the_retry_command_sends_the_erasures_due_by_then_and_no_other(sm):
    sm.add_contact(EMAIL)
    sm.add_contact("inna@example.com")
    [due], [waiting] = erase(EMAIL), erase("inna@example.com")
    now = soon_after(due)
    ErasureRequest.objects.filter(pk=due.pk).update(next_attempt_at=now)
    ErasureRequest.objects.filter(pk=waiting.pk).update(next_attempt_at=now + timedelta(seconds=1))
    assert erasure.send_due(now) == 1
    assert outcome(due)[:3] == ("done", 1, now)
    assert outcome(waiting)[:2] == ("pending", 0)
    assert deletes(sm) == [delete_of(sm, EMAIL)]


@pytest.mark.django_db
def test_an_erasure_the_task_queue_would_not_take_is_logged_and_sent_by_the_retry_command(
        sm, settings, on_commit, log):
    sm.add_contact(EMAIL)
    delivery(email=EMAIL)  # (its page goes to Wagtail's search index through the queue, too)
    settings.TASKS = {"default": {"BACKEND": "tests.delivery.test_erasure.RefusingQueue"}}
    log()
    with on_commit():
        [request] = erase(EMAIL)
    assert log() == [
        ("erasure", "INFO", "Erased 1 delivery record(s); 1 SALESmanago account(s) to ask."),
        ("queue", "ERROR", f"Could not queue SALESmanago erasure {request.pk}; salesmanago_retry "
                           "sends it.")]
    assert "1 erasure(s) sent to SALESmanago again." in call_command_output("salesmanago_retry")
    assert outcome(request)[:2] == ("done", 1)
    assert deletes(sm) == [delete_of(sm, EMAIL)]
