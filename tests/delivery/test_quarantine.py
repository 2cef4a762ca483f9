"""Quarantine: an answer by an e-mail at one of the site's ignored domains, or one the form page
calls spam, is stored and listed as quarantined, never sent, until staff send it anyway. Against
the sandbox over HTTP; the settings screen and the deliveries admin as staff use them."""

from html import unescape

import pytest
from django.urls import reverse
from wagtail.models import Page, Site

from tests.helpers import (
    api_bodies,
    errors,
    make_form_page,
    past,
    settings_form,
    settings_url,
    submit_answers,
    submit_emails,
)
from tests.testapp.models import SurveyPage
from wagtail_salesmanago.delivery import history, outbox, quarantine
from wagtail_salesmanago.models import ExportRecord, ExportRun, SalesmanagoSettings

IGNORED = ("Quarantined: mailinator.com is one of the site's ignored e-mail domains. Not sent "
           "unless staff send it anyway.")


def ignore(text):
    SalesmanagoSettings.objects.filter(site=Site.objects.get(is_default_site=True)).update(
        ignored_domains=text)


@pytest.mark.django_db
def test_an_ignored_domain_is_quarantined_and_sent_only_when_staff_send_it_anyway(
        client, sm, on_commit, admin):
    ignore("mailinator.com\nspam.example")
    page = make_form_page(salesmanago_event_type="SURVEY")
    submit_emails(client, page, on_commit, "Ola@Inbox.MAILINATOR.com", "ola@example.com")

    kept = ExportRecord.objects.get(email="Ola@Inbox.MAILINATOR.com")
    assert (kept.status, kept.last_error, kept.next_attempt_at, kept.attempts) == (
        "quarantined", IGNORED, None, 0)
    assert kept.event_status == "pending"  # planned, but its contact goes first
    assert [r["path"] for r in sm.requests()] == ["/api/contact/upsert",
                                                  "/api/v2/contact/addContactExtEvent"]
    assert api_bodies(sm)[0]["contact"]["email"] == "ola@example.com"

    # Staff read it, and send it anyway: the very body a normal answer sends.
    html = unescape(admin.get(
        reverse("wagtail_salesmanago_deliveries:inspect", args=[kept.pk])).content.decode())
    assert "Send anyway" in html and "Why it is quarantined" in html and IGNORED in html
    listed = admin.get(reverse("wagtail_salesmanago_deliveries:index"), {"status": "quarantined"})
    assert [r.pk for r in listed.context["object_list"]] == [kept.pk]
    with on_commit():
        assert outbox.resend(ExportRecord.objects.filter(pk=kept.pk)) == 1
    kept.refresh_from_db()
    assert (kept.status, kept.event_status) == ("sent", "sent")
    assert api_bodies(sm)[-2] == kept.payload
    assert kept.payload["contact"]["email"] == "Ola@Inbox.MAILINATOR.com"


@pytest.mark.django_db
@pytest.mark.parametrize("listed, email, quarantined", [
    ("mailinator.com", "a@mailinator.com", True),
    ("mailinator.com", "a@deep.sub.mailinator.com", True),
    ("mailinator.com", "a@notmailinator.com", False),  # another domain, not a subdomain
    ("mailinator.com", "a@mailinator.com.evil.example", False),
    ("sub.mailinator.com", "a@mailinator.com", False),  # a subdomain listed keeps its parent
    ("bücher.de", "a@xn--bcher-kva.de", True),  # one internationalised domain, two spellings
    ("xn--bcher-kva.de", "a@BÜCHER.de", True),
    ("@Spam.Example.", "a@spam.example", True),  # "@", a trailing dot, capitals: the same
    ("", "a@mailinator.com", False),
    ("\n\nmailinator.com", "a@mailinator.com", True),  # blank lines first: the list still counts
    ("not a domain; spam.example,mailinator.com", "a@mailinator.com", True),  # past the wrong ones
    ("mailinator.com", '"a@b"@mailinator.com', True),  # a quoted "@": the domain is after the last
    ("mailinator.com", "a@localhost", False),  # an e-mail at no domain of the list's kind
])
def test_which_e_mails_an_ignored_domain_covers(client, sm, on_commit, listed, email, quarantined):
    ignore(listed)
    submit_emails(client, make_form_page(), on_commit, email)
    assert ExportRecord.objects.get().status == ("quarantined" if quarantined else "sent")
    assert len(sm.requests()) == (0 if quarantined else 1)


@pytest.mark.django_db
def test_the_form_page_may_call_an_answer_spam(client, sm, on_commit, monkeypatch):
    asked = []

    def spam_reason(self, form, submission):
        asked.append((form.cleaned_data["tw_j_e_mail"] if "tw_j_e_mail" in form.cleaned_data
                      else sorted(form.cleaned_data), submission.pk))
        return "the hidden field 'website' was filled"

    monkeypatch.setattr(SurveyPage, "get_salesmanago_spam_reason", spam_reason)
    page = make_form_page()
    submit_emails(client, page, on_commit, "bot@example.com")

    record = ExportRecord.objects.get()
    assert (record.status, record.last_error) == (
        "quarantined", "Quarantined as spam: the hidden field 'website' was filled. Not sent "
                       "unless staff send it anyway.")
    assert sm.requests() == []
    assert asked and asked[0][1] == int(record.submission_id)
    # An answer with nothing to send is skipped, whatever the page says of it.
    submit_answers(client, page, on_commit, {"Komentarz": "no e-mail"})
    assert ExportRecord.objects.latest("pk").status == "skipped"


@pytest.mark.django_db
def test_a_long_spam_reason_is_cut_to_its_first_200_characters(client, sm, on_commit, monkeypatch):
    said = "a" * 199 + "bc"
    monkeypatch.setattr(SurveyPage, "get_salesmanago_spam_reason", lambda self, form, submission: said)
    submit_emails(client, make_form_page(), on_commit, "bot@example.com")
    assert ExportRecord.objects.get().last_error == (
        f"Quarantined as spam: {'a' * 199}b. Not sent unless staff send it anyway.")


@pytest.mark.django_db
def test_the_server_configuration_may_list_the_domains(client, sm, on_commit, settings):
    settings.WAGTAIL_SALESMANAGO = {"default": {"ignored_domains": ["mailinator.com", "spam.example"]}}
    submit_emails(client, make_form_page(), on_commit, "a@spam.example")
    assert ExportRecord.objects.get().status == "quarantined"


@pytest.mark.django_db
def test_the_past_answers_export_quarantines_and_counts_them(sm):
    ignore("mailinator.com")
    page = make_form_page()
    past(page, 3)
    past(page, 2, start=3, **{"Twój e-mail": "bot@mailinator.com"})
    export_run = ExportRun.objects.create(page=page, total=5)
    history.run(export_run)

    export_run.refresh_from_db()
    assert (export_run.sent, export_run.quarantined, export_run.remaining) == (3, 2, 0)
    assert sorted(c["email"] for c in sm.contacts()) == [f"past{n}@example.com" for n in range(3)]
    assert ExportRecord.objects.filter(status="quarantined").count() == 2


@pytest.mark.django_db
def test_a_past_answer_whose_e_mail_has_no_at_sign_is_at_no_domain(sm):
    ignore("mailinator.com")
    page = make_form_page()
    past(page, 1, **{"Twój e-mail": "mailinator.com"})  # typed before the question was an e-mail
    history.run(ExportRun.objects.create(page=page, total=1))
    assert ExportRecord.objects.get().status != "quarantined"


@pytest.mark.django_db
def test_the_settings_screen_keeps_one_domain_per_line(admin, site, sm):
    response = admin.post(settings_url(site), settings_form(
        ignored_domains="Mailinator.com\r\n@spam.example, *.trash.example\r\n\r\nmailinator.com"))
    assert response.status_code == 302
    assert SalesmanagoSettings.objects.get(site=site).ignored_domains == (
        "mailinator.com\nspam.example\ntrash.example")
    response = admin.post(settings_url(site), settings_form(ignored_domains="mailinator.com\nnot a_domain"))
    assert response.context["form"].errors["ignored_domains"] == [
        "Not a domain: not, a_domain. Write one domain per line, like mailinator.com."]
    response = admin.post(settings_url(site), settings_form(ignored_domains="a.example\n" * 3000))
    assert response.context["form"].errors["ignored_domains"] == [
        "Keep the list under 20000 characters."]


def test_the_worst_inputs_cost_little():
    # 1,000 domains (about the most the setting keeps), the longest domain an e-mail may have.
    listed = "\n".join(f"d{n}.example" for n in range(1000))
    domains, wrong = quarantine.parse(listed)
    assert (len(domains), wrong) == (1000, [])
    longest = ".".join(["a" * 63] * 3 + ["b" * 61])  # 253 characters
    assert quarantine.ignored_domain(f"x@{longest}", domains) == ""
    assert quarantine.ignored_domain(f"x@{longest}", [longest]) == longest
    assert quarantine.domain_of("a" * 100_000 + ".example") == ""  # never encoded whole
    assert quarantine.parse("x" * 1_000_000)[1] == ["x" * 20_000]  # read up to the cap


@pytest.mark.parametrize("length, domain", [(1012, "a.example"), (1013, "")])
def test_an_entry_longer_than_four_times_the_longest_domain_is_no_domain(length, domain):
    # Soft hyphens (U+00AD) are dropped by UTS 46: a long entry may still be a short domain, but
    # an entry over 4 × 253 characters is not even read.
    entry = "a" + "\u00ad" * (length - len("a.example")) + ".example"
    assert (len(entry), quarantine.domain_of(entry)) == (length, domain)


@pytest.mark.django_db
def test_staff_read_why_in_the_list_and_in_polish(client, sm, on_commit, admin, settings):
    ignore("mailinator.com")
    submit_emails(client, make_form_page(), on_commit, "a@mailinator.com")
    record = ExportRecord.objects.get()
    listing = unescape(admin.get(reverse("wagtail_salesmanago_deliveries:index")).content.decode())
    # The reason goes under the status (it is no error): the last error column shows "—".
    assert ('<div class="salesmanago-reason">Quarantined: mailinator.com is one of the site\'s…'
            '</div>') in listing
    settings.LANGUAGE_CODE = "pl"
    html = unescape(admin.get(
        reverse("wagtail_salesmanago_deliveries:inspect", args=[record.pk])).content.decode())
    assert "w kwarantannie" in html and "Wyślij mimo to" in html
    assert ("W kwarantannie: mailinator.com to jedna z ignorowanych domen e-mail tej witryny. "
            "Nie zostanie wysłany, chyba że zespół wyśle go mimo to.") in html


@pytest.mark.django_db
def test_a_spam_check_that_breaks_keeps_the_answer_back_and_the_visitor_never_knows(
        client, sm, on_commit, monkeypatch, caplog):
    def broken(self, form, submission):
        raise RuntimeError("captcha service down")

    monkeypatch.setattr(SurveyPage, "get_salesmanago_spam_reason", broken)
    submit_emails(client, make_form_page(), on_commit, "ola@example.com")  # asserts HTTP 200
    record = ExportRecord.objects.get()
    assert (record.status, record.last_error) == (
        "quarantined", "Quarantined: the form's spam check failed (RuntimeError). Not sent unless "
                       "staff send it anyway.")
    assert sm.requests() == []
    assert errors(caplog) == [(
        "wagtail_salesmanago.delivery.quarantine",
        "The SALESmanago spam check of a form failed; its answer is quarantined.")]
    assert caplog.records[-1].exc_info[0] is RuntimeError  # with the check's traceback


@pytest.mark.django_db
def test_select_all_in_the_list_never_sends_a_quarantined_answer(client, sm, on_commit, admin):
    ignore("mailinator.com")
    page = make_form_page()
    sm.misbehave(status=500)
    submit_emails(client, page, on_commit, "failed@example.com", "bot@mailinator.com")
    sm.misbehave(status=None)
    url = ("/admin/bulk/wagtail_salesmanago/exportrecord/resend/?id=all&next="
           + reverse("wagtail_salesmanago_deliveries:index"))
    with on_commit():
        assert admin.post(url).status_code == 302
    assert sorted(ExportRecord.objects.values_list("email", "status")) == [
        ("bot@mailinator.com", "quarantined"), ("failed@example.com", "sent")]
    assert [c["email"] for c in sm.contacts()] == ["failed@example.com"]
    # Ticked on its own, it goes.
    kept = ExportRecord.objects.get(status="quarantined")
    with on_commit():
        admin.post(f"/admin/bulk/wagtail_salesmanago/exportrecord/resend/?id={kept.pk}")
    assert ExportRecord.objects.get(pk=kept.pk).status == "sent"


@pytest.mark.django_db
def test_a_list_in_the_server_configuration_shows_read_only_and_the_screen_still_saves(
        admin, site, sm, settings):
    settings.WAGTAIL_SALESMANAGO = {"default": {"ignored_domains": ["mailinator.com", "spam.example"]}}
    html = admin.get(settings_url(site)).content.decode()
    assert "mailinator.com\nspam.example</textarea>" in html
    response = admin.post(settings_url(site), settings_form(ignored_domains="anything"))
    assert response.status_code == 302
    assert SalesmanagoSettings.objects.get(site=site).ignored_domains == ""


@pytest.mark.parametrize("listed, email, same", [
    ("straße.de", "a@strasse.de", False),  # IDNA 2008: two domains, as browsers read them
    ("strasse.de", "a@straße.de", False),
    ("xn--strae-oqa.de", "a@STRAßE.de", True),
    ("ＭＡＩＬＩＮＡＴＯＲ．com", "a@mailinator.com", True),  # full-width letters and dot
])
def test_internationalised_domains_as_browsers_read_them(listed, email, same):
    assert bool(quarantine.ignored_domain(email, quarantine.ignored(listed))) is same


def test_a_list_is_read_once_for_all_the_answers():
    quarantine.ignored.cache_clear()
    listed = "\n".join(f"d{n}.example" for n in range(1000))
    for number in range(100):
        quarantine.reason(f"a{number}@x.example", listed)
    assert quarantine.ignored.cache_info().misses == 1


@pytest.mark.django_db
def test_finding_the_sites_of_an_account_makes_no_settings_and_costs_two_queries(sm):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wagtail_salesmanago.delivery.account import account_for_site, others_sharing
    root = Page.objects.get(depth=1)
    for number in range(20):
        Site.objects.create(hostname=f"s{number}.example",
                            root_page=root.add_child(title=f"S{number}", slug=f"s{number}"))
    shared = Site.objects.get(hostname="s3.example")
    SalesmanagoSettings.objects.create(site=shared, **sm.credentials())
    before = SalesmanagoSettings.objects.count()
    account = account_for_site(Site.objects.get(is_default_site=True))
    with CaptureQueriesContext(connection) as queries:
        others = others_sharing(account)
    assert others == [shared]
    assert len(queries) == 2 and SalesmanagoSettings.objects.count() == before
