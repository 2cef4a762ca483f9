"""SALESmanago talking back (issue 27 item 3): its opt-in and opt-out callbacks, verified by
``key = sha1(email + API secret)``, recorded on the contact's deliveries, and an opt-out honoured
by every later send."""

import datetime
import hashlib
import re
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Site

from tests.helpers import (
    NEWSLETTER,
    contact_bodies,
    dated_record,
    lead_page,
    make_form_page,
    submit_answers,
)
from wagtail_salesmanago.delivery import outbox
from wagtail_salesmanago.models import ExportRecord, SalesmanagoSettings
from wagtail_salesmanago.sandbox import Sandbox

EMAIL = "jan@example.com"


@pytest.fixture(autouse=True)
def no_counts_left():
    cache.clear()  # the wrong-key counter of an earlier test
    yield
    cache.clear()


def key(email, secret):
    return hashlib.sha1(f"{email}{secret}".encode()).hexdigest()


def call(client, kind, email, secret=None, *, key_=None, method="get"):
    url = reverse(f"wagtail_salesmanago_{kind}")
    data = {"email": email, "key": key_ if key_ is not None else key(email, secret)}
    return getattr(client, method)(url, data)


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_signed_opt_in_confirms_the_contacts_deliveries(client, sm, on_commit, method):
    page = make_form_page(tag="")
    record = submit_answers(client, page, on_commit, {"Twój e-mail": "Jan@Example.com"})
    other = submit_answers(client, page, on_commit, {"Twój e-mail": "ola@example.com"})
    before = timezone.now()

    response = call(Client(enforce_csrf_checks=True), "opt_in", EMAIL, sm.api_secret,
                    method=method)
    assert (response.status_code, response.json()) == (200, {"success": True, "message": "OK"})
    record.refresh_from_db()
    assert record.opt_in_state == "confirmed" and record.opt_in_changed_at >= before
    assert ExportRecord.objects.get(pk=other.pk).opt_in_state == ""

    changed_at = record.opt_in_changed_at
    assert call(client, "opt_in", EMAIL, sm.api_secret).status_code == 200  # replayed
    record.refresh_from_db()
    assert record.opt_in_changed_at == changed_at  # nothing changed


@pytest.mark.django_db
@pytest.mark.parametrize("email, key_", [
    (EMAIL, "0" * 40),  # a wrong key
    (EMAIL, ""),  # none
    (EMAIL, key(EMAIL, "not-the-secret")),
    (EMAIL, key(EMAIL, "sandbox-secret") + "0"),  # too long
    ("x" * 10_000_000 + "@example.com", "0" * 40),  # 10 MB of e-mail
    ("jan@example.com\u200b", None),  # the key of another string (zero-width space added)
    ("ｊａｎ@example.com", None),  # fullwidth letters: another address
    (EMAIL, "ą" * 40),  # not hex: not even compared
])
def test_a_call_without_the_right_key_changes_nothing_and_says_403(client, sm, on_commit,
                                                                    email, key_):
    record = submit_answers(client, make_form_page(tag=""), on_commit, {"Twój e-mail": EMAIL})
    signed = key_ if key_ is not None else key(EMAIL, sm.api_secret)  # the right key of EMAIL
    response = call(client, "opt_out", email, key_=signed)
    assert (response.status_code, response.json()["success"]) == (403, False)
    record.refresh_from_db()
    assert (record.opt_in_state, record.opt_in_changed_at) == ("", None)


@pytest.mark.django_db
def test_an_unknown_contact_gets_the_same_answer_as_a_known_one(client, sm):
    response = call(client, "opt_out", "nobody@example.com", sm.api_secret)
    assert (response.status_code, response.json()) == (200, {"success": True, "message": "OK"})


@pytest.mark.django_db
def test_a_key_of_another_sites_secret_changes_only_that_sites_deliveries(client, sm, on_commit):
    ours = submit_answers(client, make_form_page(tag=""), on_commit, {"Twój e-mail": EMAIL})
    root = Page.objects.get(depth=1).add_child(instance=Page(title="Marka B", slug="marka-b"))
    site_b = Site.objects.create(hostname="marka-b.example", root_page=root)
    SalesmanagoSettings.objects.create(site=site_b, **{**sm.credentials(), "api_secret": "sekret-b"})
    theirs = ExportRecord.objects.create(page=root.add_child(instance=Page(title="F", slug="f")),
                                         submission_type=ours.submission_type,
                                         submission_id="b-1", status="sent", email=EMAIL)

    assert call(client, "opt_out", EMAIL, "sekret-b").status_code == 200
    assert ExportRecord.objects.get(pk=theirs.pk).opt_in_state == "opted_out"
    assert ExportRecord.objects.get(pk=ours.pk).opt_in_state == ""


@pytest.mark.django_db
def test_many_wrong_keys_from_one_address_are_told_to_slow_down_but_a_right_key_counts(
        client, sm):
    for _ in range(20):
        assert call(client, "opt_in", EMAIL, key_="0" * 40).status_code == 403
    assert call(client, "opt_in", EMAIL, key_="0" * 40).status_code == 429
    # SALESmanago's own call behind the same address (a proxy, say) is never turned away.
    assert call(client, "opt_in", EMAIL, sm.api_secret).status_code == 200


@pytest.mark.django_db
def test_an_answer_by_contact_id_alone_learns_of_the_unsubscription_too(client, sm, on_commit):
    contact_id = sm.add_contact(EMAIL)
    lead = lead_page(NEWSLETTER)
    by_email = submit_answers(client, lead, on_commit, {"E-mail": EMAIL})
    page = make_form_page(questions=[("Uwagi", "multiline", "")], tag="")
    by_link = submit_answers(client, page, on_commit, {"Uwagi": "x"}, smclientid=contact_id)
    assert by_link.email == "" and by_email.salesmanago_contact_id == contact_id
    assert call(client, "opt_out", EMAIL, sm.api_secret).status_code == 200
    assert ExportRecord.objects.get(pk=by_link.pk).opt_in_state == "opted_out"


@pytest.mark.django_db
def test_a_callback_answer_is_never_cached(client, sm):
    response = call(client, "opt_in", EMAIL, sm.api_secret)
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_two_sites_on_one_root_both_hear_the_callback(client, sm, on_commit):
    record = submit_answers(client, make_form_page(tag=""), on_commit, {"Twój e-mail": EMAIL})
    default = Site.objects.get(is_default_site=True)
    Site.objects.create(hostname="www.localhost", root_page=default.root_page)
    assert call(client, "opt_out", EMAIL, sm.api_secret).status_code == 200
    assert ExportRecord.objects.get(pk=record.pk).opt_in_state == "opted_out"


@pytest.mark.django_db
def test_only_get_and_post(client, sm):
    assert client.put(reverse("wagtail_salesmanago_opt_in")).status_code == 405


@pytest.mark.django_db
def test_an_unsubscribed_contacts_old_answer_is_resent_without_opting_them_in(
        client, sm, on_commit):
    page = lead_page(NEWSLETTER)
    sm.misbehave(status=500)
    record = submit_answers(client, page, on_commit, {"E-mail": EMAIL, "Zgoda na newsletter": "on"})
    sm.misbehave(status=None)
    assert call(client, "opt_out", EMAIL, sm.api_secret).status_code == 200

    with on_commit():
        outbox.resend(ExportRecord.objects.filter(pk=record.pk))
    body = contact_bodies(sm)[-1]
    assert body["forceOptIn"] is False and "consentDetails" not in body
    # A new answer with the box ticked is a new consent: it opts in again.
    submit_answers(client, page, on_commit, {"E-mail": EMAIL, "Zgoda na newsletter": "on"})
    assert contact_bodies(sm)[-1]["forceOptIn"] is True


@pytest.mark.django_db
def test_a_past_answer_given_before_an_unsubscription_goes_without_its_old_consent(
        client, sm, on_commit):
    page = lead_page(NEWSLETTER, enabled=False)
    model = page.get_submission_class()
    names = {f.label: f.clean_name for f in page.get_form_fields()}
    model.objects.create(page=page, form_data={names["E-mail"]: EMAIL,
                                               names["Zgoda na newsletter"]: True})
    other = lead_page(NEWSLETTER, title="Inny formularz")
    submit_answers(client, other, on_commit, {"E-mail": EMAIL})
    assert call(client, "opt_out", EMAIL, sm.api_secret).status_code == 200
    page.salesmanago_enabled = True
    page.save_revision().publish()

    call_command("salesmanago_export", str(page.pk), stdout=StringIO())
    [body] = [b for b in contact_bodies(sm) if b["properties"].get("ankieta.Zgoda-na-newsletter") == "true"]
    assert body["forceOptIn"] is False and "consentDetails" not in body


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sandbox_calls_the_sites_callbacks_as_salesmanago_would(live_server, on_commit):
    site = Site.objects.get(is_default_site=True)
    opt_in = live_server.url + reverse("wagtail_salesmanago_opt_in")
    opt_out = live_server.url + reverse("wagtail_salesmanago_opt_out")
    with Sandbox(opt_in_url=opt_in, opt_out_url=opt_out) as box:
        SalesmanagoSettings.objects.update_or_create(site=site, defaults=box.credentials())
        page = lead_page(NEWSLETTER, salesmanago_double_opt_in=True,
                         salesmanago_double_opt_in_email_id="e1",
                         salesmanago_double_opt_in_language="PL")
        client = Client()
        record = submit_answers(client, page, on_commit, {"E-mail": EMAIL,
                                                          "Zgoda na newsletter": "on"})
        assert box.confirm(email=EMAIL) is True
        record.refresh_from_db()
        assert record.opt_in_state == "confirmed"
        assert box.unsubscribe(email=EMAIL) is True
        record.refresh_from_db()
        assert record.opt_in_state == "opted_out"


@pytest.mark.django_db
def test_staff_see_the_consent_its_proof_and_the_opt_in_as_last_known(admin, client, sm,
                                                                     on_commit):
    page = lead_page(NEWSLETTER)
    client.defaults["REMOTE_ADDR"] = "203.0.113.7"
    record = submit_answers(client, page, on_commit, {"E-mail": EMAIL, "Zgoda na newsletter": "on"})
    assert call(client, "opt_out", EMAIL, sm.api_secret).status_code == 200
    record.refresh_from_db()

    html = admin.get(reverse("wagtail_salesmanago_deliveries:inspect", args=[record.pk])).content
    text = " ".join(re.sub(r"<[^>]+>", " ", html.decode()).split())
    given = record.payload["consentDetails"][0]["agreementDate"]
    when = timezone.localtime(datetime.datetime.fromtimestamp(given / 1000, tz=datetime.timezone.utc))
    assert f"Consents given NEWSLETTER: given {when:%Y-%m-%d %H:%M} from 203.0.113.7" in text
    changed = timezone.localtime(record.opt_in_changed_at)
    assert f"Opt-in as last known unsubscribed Opt-in changed {changed:%Y-%m-%d %H:%M}" in text

    listing = admin.get(reverse("wagtailforms:list_submissions", args=[page.pk])).content.decode()
    assert f"unsubscribed on {changed:%Y-%m-%d %H:%M}" in listing


# Which deliveries a signed call changes.

LINKED_ID = "5b6c2a1e-8f3d-4c2b-9a7e-1d2c3b4a5f60"


def site_with_secret(name, sandbox, secret):
    """A site of its own (its own root), its SALESmanago settings signing with ``secret``."""
    root = Page.objects.get(depth=1).add_child(instance=Page(title=name, slug=name.lower()))
    site = Site.objects.create(hostname=f"{name.lower()}.example", root_page=root)
    SalesmanagoSettings.objects.create(site=site,
                                       **{**sandbox.credentials(), "api_secret": secret})
    return root


def delivery_on(root, **fields):
    slug = f"formularz-{Page.objects.count()}"
    page = root.add_child(instance=Page(title="Formularz", slug=slug))
    return dated_record(page, timezone.now(), "sent", **fields)


def opt_in_states(*records):
    return [ExportRecord.objects.get(pk=record.pk).opt_in_state for record in records]


@pytest.mark.django_db
def test_a_secret_two_sites_share_changes_both_sites_deliveries_and_no_other_sites(client, sm):
    ours = delivery_on(Site.objects.get(is_default_site=True).root_page, email=EMAIL)
    shared = delivery_on(site_with_secret("B", sm, sm.api_secret), email=EMAIL)
    other = delivery_on(site_with_secret("C", sm, "sekret-c"), email=EMAIL)
    assert call(client, "opt_out", EMAIL, sm.api_secret).status_code == 200
    assert opt_in_states(ours, shared, other) == ["opted_out", "opted_out", ""]


@pytest.mark.django_db
def test_what_another_sites_deliveries_know_of_the_contact_is_not_used(client, sm):
    theirs = delivery_on(site_with_secret("C", sm, "sekret-c"), email=EMAIL,
                         contact_id=LINKED_ID)
    ours_by_link = delivery_on(Site.objects.get(is_default_site=True).root_page,
                               contact_id=LINKED_ID)
    assert call(client, "opt_out", EMAIL, sm.api_secret).status_code == 200
    assert opt_in_states(theirs, ours_by_link) == ["", ""]


@pytest.mark.django_db
@pytest.mark.parametrize("known_as", ["contact_id", "salesmanago_contact_id"])
@pytest.mark.parametrize("linked_as", ["contact_id", "salesmanago_contact_id"])
def test_a_contact_id_the_e_mails_deliveries_carry_either_way_finds_answers_by_link_either_way(
        client, sm, known_as, linked_as):
    home = Site.objects.get(is_default_site=True).root_page
    by_email = delivery_on(home, email=EMAIL, **{known_as: LINKED_ID})
    by_link = delivery_on(home, **{linked_as: LINKED_ID})
    someone_else = delivery_on(home, contact_id="0" * 8 + LINKED_ID[8:])
    assert call(client, "opt_out", EMAIL, sm.api_secret).status_code == 200
    assert opt_in_states(by_email, by_link, someone_else) == ["opted_out", "opted_out", ""]


@pytest.mark.django_db
@pytest.mark.parametrize("email, status", [
    ("", 403),  # signed, but no address: never "every delivery without one"
    ("j", 200),
    ("j" * 242 + "@example.com", 200),  # 254 characters, the longest an address may be
    ("j" * 243 + "@example.com", 403),
])
def test_a_signed_call_is_heard_for_an_address_of_1_to_254_characters(client, sm, email,
                                                                       status):
    anonymous = delivery_on(Site.objects.get(is_default_site=True).root_page,
                            contact_id=LINKED_ID)
    assert call(client, "opt_out", email, sm.api_secret).status_code == status
    assert opt_in_states(anonymous) == [""]
