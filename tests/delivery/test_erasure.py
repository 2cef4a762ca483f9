"""Erasing a person (issue 27 item 2): every delivery the package holds about them, and the
contact in SALESmanago if asked (retried while SALESmanago is down)."""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import Page, Site

from tests.helpers import NEWSLETTER, lead_page, make_form_page, submit_answers
from wagtail_salesmanago.delivery import erasure
from wagtail_salesmanago.models import ErasureRequest, ExportRecord, SalesmanagoSettings

EMAIL = "anna.nowak@example.com"


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
        erasure.erase(EMAIL)
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
