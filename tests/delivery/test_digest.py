"""``salesmanago_digest``: yesterday's deliveries mailed to whoever a site's settings name, with
why any failed; nothing on a day without answers. Checked in Django's mail outbox."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from wagtail.models import Page, Site

from tests.helpers import dated_record, make_form_page
from wagtail_salesmanago import stored_messages
from wagtail_salesmanago.models import SalesmanagoSettings

YESTERDAY = timezone.localdate() - timedelta(days=1)


def at(day, hour=12):
    return timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())
                               + timedelta(hours=hour))


def digest(*args):
    out = io.StringIO()
    call_command("salesmanago_digest", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def asked(db):
    SalesmanagoSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"digest_to": "marketing@example.com, ADMINS"})


@pytest.mark.django_db
def test_yesterdays_figures_per_form_with_why_deliveries_failed(asked, settings):
    settings.ADMINS = [("Ops", "ops@example.com")]
    a, b = make_form_page(title="Newsletter"), make_form_page(title="Webinar")
    dated_record(a, at(YESTERDAY, 9), "sent", sent_at=at(YESTERDAY, 9) + timedelta(seconds=3))
    refused = stored_messages.message("api_said", api_message="Not a valid e-mail.")
    for hour in (10, 11):
        dated_record(a, at(YESTERDAY, hour), "failed", last_error=refused)
    dated_record(b, at(YESTERDAY, 23), "retrying")
    dated_record(b, at(YESTERDAY + timedelta(days=1), 0), "failed")  # today: tomorrow's digest

    assert digest() == "localhost [default]: mailed marketing@example.com, ops@example.com.\n"

    [sent] = mail.outbox
    assert sent.to == ["marketing@example.com", "ops@example.com"]
    assert sent.subject == (f"SALESmanago deliveries of localhost [default] on {YESTERDAY}: "
                            "some need attention")
    failed_url = ("http://testserver/admin/salesmanago/deliveries/?status=failed"
                  f"&page={a.pk}&created_at_from={YESTERDAY}&created_at_to={YESTERDAY}")
    assert sent.body == (
        f"Answers of {YESTERDAY} from the forms of localhost [default], by where their delivery "
        "to SALESmanago stands now.\n"
        "\nNewsletter\n"
        "Answers: 3 (sent: 1, failed: 2)\n"
        "Sent within 1 minute: 33.3%\n"
        "Why deliveries failed:\n"
        f"- {stored_messages.render(refused)} (2×)\n"
        f"The failed deliveries: {failed_url}\n"
        "\nWebinar\n"
        "Answers: 1 (retrying: 1)\n"
        "Sent within 1 minute: 0%\n"
        "\nThe report: http://testserver/admin/reports/salesmanago/?days=7\n")


@pytest.mark.django_db
def test_nothing_is_mailed_on_a_day_without_answers(asked):
    dated_record(make_form_page(), at(YESTERDAY - timedelta(days=1)), "failed")
    assert digest() == f"localhost [default]: no answers on {YESTERDAY}, nothing to send.\n"
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_day_when_all_went_through_says_so_plainly(asked):
    page = make_form_page(title="Newsletter")
    dated_record(page, at(YESTERDAY), "sent", sent_at=at(YESTERDAY, 13))
    digest()
    [sent] = mail.outbox
    assert sent.subject == f"SALESmanago deliveries of localhost [default] on {YESTERDAY}"
    assert "Answers: 1 (sent: 1)\nSent within 1 minute: 0%\n\nThe report:" in sent.body


@pytest.mark.django_db
def test_a_dry_run_prints_the_digest_and_mails_nothing(asked):
    dated_record(make_form_page(title="Newsletter"), at(YESTERDAY), "held")
    out = digest("--dry-run")
    assert out.startswith("localhost [default]: would mail marketing@example.com:\nSubject: "
                          f"SALESmanago deliveries of localhost [default] on {YESTERDAY}: "
                          "some need attention\n\nAnswers of")
    assert "Answers: 1 (on hold: 1)" in out
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize("inside", [False, True], ids=["a site beside", "a site inside"])
def test_only_the_sites_forms_and_only_the_sites_that_asked(asked, inside):
    """Another site, whose root is beside this site's or inside it (under its home page), keeps
    its forms to itself, and asks for no digest."""
    ours, theirs = make_form_page(title="Ours"), make_form_page(title="Theirs")
    parent = Site.objects.get(is_default_site=True).root_page if inside else Page.objects.get(depth=1)
    other_root = parent.add_child(title="Other", slug="other")
    other = Site.objects.create(hostname="other.example", root_page=other_root)
    SalesmanagoSettings.objects.create(site=other)  # asks for no digest
    theirs.move(other_root, pos="last-child")
    dated_record(ours, at(YESTERDAY), "sent", sent_at=at(YESTERDAY))
    dated_record(theirs, at(YESTERDAY), "failed")
    digest()
    [sent] = mail.outbox
    assert "Ours" in sent.body and "Theirs" not in sent.body
    assert "need attention" not in sent.subject


@pytest.mark.django_db
def test_a_digest_to_an_empty_admins_says_so_and_fails(asked, settings):
    settings.ADMINS = []
    SalesmanagoSettings.objects.update(digest_to="ADMINS")
    dated_record(make_form_page(), at(YESTERDAY), "sent", sent_at=at(YESTERDAY))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("salesmanago_digest", stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == "localhost [default]: the digest goes to ADMINS, and ADMINS is empty.\n"
    assert mail.outbox == []


@pytest.mark.django_db
def test_at_most_ten_causes_a_form_the_rest_counted(asked):
    page = make_form_page(title="Newsletter")
    for number in range(12):
        said = stored_messages.message("api_said", api_message=f"Reason {number:02d}")
        for _ in range(2 if number < 3 else 1):
            dated_record(page, at(YESTERDAY), "failed", last_error=said)
    digest()
    body = mail.outbox[0].body
    assert body.count("SALESmanago said: Reason") == 10
    assert "- and 2 more, for other reasons\n" in body


@pytest.mark.django_db
def test_no_site_asks(db):
    assert digest() == "No site asks for a digest (Settings > SALESmanago > daily digest to).\n"


@pytest.mark.django_db
def test_a_mail_server_that_refuses_one_site_stops_no_other(asked, settings, monkeypatch, caplog):
    settings.EMAIL_BACKEND = "tests.delivery.test_digest.RefusingBackend"
    dated_record(make_form_page(), at(YESTERDAY), "sent", sent_at=at(YESTERDAY))
    with pytest.raises(CommandError, match=r"The digest of localhost \[default\] could not be mailed"):
        digest()
    assert "Could not mail the SALESmanago digest of site" in caplog.text


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP down")


@pytest.mark.django_db
def test_in_polish(asked, settings):
    settings.LANGUAGE_CODE = "pl"
    dated_record(make_form_page(title="Newsletter"), at(YESTERDAY), "failed")
    digest()
    [sent] = mail.outbox
    assert sent.subject == (f"Eksporty do SALESmanago z localhost [domyślny] z {YESTERDAY}: "
                            "część wymaga uwagi")
    assert "Odpowiedzi: 1 (nieudane: 1)" in sent.body
