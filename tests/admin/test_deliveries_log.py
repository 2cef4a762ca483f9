"""The deliveries log as staff read it (issue 13): titles, empty values, badges, dates, sorting,
filters, Resend and what it says afterwards, and the links between submissions and deliveries."""

import re
from datetime import datetime, timedelta, timezone as tz
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

import wagtail_salesmanago
from tests.helpers import answer, make_form_page
from wagtail_salesmanago.models import DeliveryHold, ExportRecord, SalesmanagoSettings
from wagtail_salesmanago.admin.views import resend_url

INDEX = "wagtail_salesmanago_deliveries:index"
RESULTS = "wagtail_salesmanago_deliveries:index_results"


def inspect(record):
    return reverse("wagtail_salesmanago_deliveries:inspect", args=[record.pk])


def text(html):
    """What a reader sees of ``html``: no tags, and no scripts (the admin's CSRF token, 64 random
    letters, sometimes spells a word such as "Any")."""
    html = re.sub(r"<(script|style)\b[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def failed(two_forms):
    return ExportRecord.objects.get(email="failed@example.com")


@pytest.mark.django_db
def test_a_delivery_is_titled_by_its_contact_cut_to_fit_with_its_form_first_in_the_detail(
        admin, failed):
    html = admin.get(inspect(failed)).content.decode()
    assert "<title>Delivery: failed@example.com" in html
    submissions = reverse("wagtailforms:list_submissions", args=[failed.page_id])
    assert re.search(rf'Form A <a class="salesmanago-submissions" href="{submissions}[^"]*">'
                     r"\(its form submissions\)</a>", html)
    failed.email = ""
    failed.save()
    assert "<title>Delivery: no contact" in admin.get(inspect(failed)).content.decode()
    # The header fits at 1024 px: a contact ID is cut, the detail has it whole.
    failed.mode, failed.contact_id = "update", "e28e8474-df37-437e-a7b4-141c67ef9f23"
    failed.save()
    html = admin.get(inspect(failed)).content.decode()
    assert "<title>Delivery: e28e8474-df37-437e-a7b4…" in html
    assert "e28e8474-df37-437e-a7b4-141c67ef9f23" in text(html)


@pytest.mark.django_db
def test_empty_values_show_a_dash_and_what_does_not_apply_is_hidden(admin, two_forms):
    record = ExportRecord.objects.get(email="failed@example.com")
    record.status = "skipped"
    record.save()
    page = text(admin.get(inspect(record)).content.decode())
    assert "None" not in page and "(blank)" not in page
    assert "SALESmanago contact ID" not in page  # nothing from SALESmanago: not shown
    assert "Next attempt" not in page and "Sent " not in page
    assert "Notes —" in page and "Contact ID from the link or cookie —" in page


@pytest.mark.django_db
def test_one_clock_in_the_list_the_detail_and_the_attempts(admin, failed):
    moment = datetime(2026, 11, 27, 23, 35, tzinfo=tz.utc)  # 00:35 on the 28th in Warsaw
    ExportRecord.objects.filter(pk=failed.pk).update(created_at=moment)
    failed.attempt_log.update(started_at=moment)
    # The hold's notice writes its moments the same way.
    DeliveryHold.objects.create(site=failed.page.get_site(), reason="auth", since=moment,
                                next_check_at=moment + timedelta(minutes=30))
    # One format in both languages, that nobody reads as 12 June: ISO 8601's order, 24 hours.
    written = "2026-11-28 00:35"
    for language, since in (("en", f"on hold (since {written}"), ("pl", f"wstrzymane (od {written}")):
        headers = {"HTTP_ACCEPT_LANGUAGE": language}
        with translation.override(language):
            listing = text(admin.get(reverse(INDEX), **headers).content.decode())
            detail = admin.get(inspect(failed), **headers).content.decode()
        assert written in listing.replace(since, ""), language
        assert since in listing and "2026-11-28 01:05" in listing, language
        [attempt] = re.findall(r'<tr class="salesmanago-attempt">\s*<td>(.*?)</td>', detail, re.S)
        assert written == text(attempt).strip()
        assert text(detail).count(written) == 2  # created, and the attempt
        assert "23:35" not in text(detail) and "11:35" not in text(detail)


@pytest.mark.django_db
def test_badges_differ_by_status_and_are_capitalised(admin, two_forms):
    html = admin.get(reverse(INDEX)).content.decode()
    failed = re.search(r'class="([^"]*salesmanago-status--failed[^"]*)">\s*(\w+)', html)
    sent = re.search(r'class="([^"]*salesmanago-status--sent[^"]*)">\s*(\w+)', html)
    assert (failed.group(2), sent.group(2)) == ("Failed", "Sent")
    assert "salesmanago-status--failed" in failed.group(1)
    assert "wagtail_salesmanago/css/admin.css" in html  # where the colours are
    record = ExportRecord.objects.get(email="failed@example.com")
    assert "salesmanago-status--failed" in admin.get(inspect(record)).content.decode()


@pytest.mark.django_db
def test_status_contact_and_form_sort_and_the_form_links_to_its_deliveries(admin, two_forms):
    a, _ = two_forms
    by_contact = admin.get(reverse(INDEX), {"ordering": "_contact"}).context["object_list"]
    assert [r.email for r in by_contact] == [
        "failed@example.com", "other@example.com", "sent@example.com"]
    by_status = admin.get(reverse(INDEX), {"ordering": "-status"}).context["object_list"]
    assert [r.status for r in by_status] == ["sent", "sent", "failed"]
    html = admin.get(reverse(INDEX)).content.decode()
    assert f'href="{reverse(INDEX)}?page={a.pk}">Form A</a>' in html
    assert "ordering=last_error" not in html


@pytest.mark.django_db
def test_each_row_checkbox_names_its_delivery(admin, two_forms):
    html = admin.get(reverse(INDEX)).content.decode()
    labels = re.findall(r'aria-label="(Select Form[^"]*)"', html)
    assert sorted(labels) == ["Select Form A: failed@example.com", "Select Form A: sent@example.com",
                              "Select Form B: other@example.com"]


@pytest.mark.django_db
def test_the_status_filter_is_radios_with_any_and_labels_are_capitalised(admin, two_forms):
    html = admin.get(reverse(INDEX)).content.decode()
    assert re.search(r'<input type="radio" name="status" value=""[^>]*>\s*Any', html)
    assert re.search(r'<input type="radio" name="status" value="failed"[^>]*>\s*Failed', html)
    assert "---------" not in html
    for label in ("Status", "Form page", "Created"):
        assert f">{label}</" in html or f">{label}<" in html or f"{label}\n" in html


@pytest.mark.django_db
def test_resend_all_failed_follows_the_filter_in_the_refreshed_results(admin, two_forms):
    button = "Resend all failed in this list"
    assert button in admin.get(reverse(RESULTS), {"status": "failed"}).content.decode()
    assert button not in admin.get(reverse(RESULTS)).content.decode()
    assert button not in admin.get(reverse(RESULTS), {"status": "sent"}).content.decode()


@pytest.mark.django_db
def test_the_detail_offers_resend_with_a_confirmation_only_where_it_makes_sense(admin, failed):
    html = admin.get(inspect(failed)).content.decode()
    confirm = resend_url(failed, inspect(failed)).replace("&", "&amp;")
    assert f'href="{confirm}"' in html
    # Skipped with a contact to send (the form's rules stopped it): staff may send it anyway.
    failed.status = "skipped"
    failed.save()
    assert "Send anyway" in admin.get(inspect(failed)).content.decode()
    # Skipped with none (no contact identity), or sent: nothing to offer.
    for status, mode in (("skipped", ""), ("sent", failed.mode)):
        failed.status, failed.mode = status, mode
        failed.save()
        assert "/exportrecord/resend/" not in admin.get(inspect(failed)).content.decode(), status


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # real commits; the site as it found it
def test_resend_says_what_happened(admin, client, sm):
    page = make_form_page(title="Form A")
    SalesmanagoSettings.objects.update(client_id="")
    answer(client, page, {"Twój e-mail": "failed@example.com"})
    record = ExportRecord.objects.get()
    response = admin.post(resend_url(record, inspect(record)), follow=True)
    assert "1 delivery failed again: its attempts say why." in text(response.content.decode())
    assert "will be sent again" not in response.content.decode()

    SalesmanagoSettings.objects.update(client_id=sm.client_id)
    response = admin.post(resend_url(record, inspect(record)), follow=True)
    assert "1 delivery was sent to SALESmanago again." in text(response.content.decode())


@pytest.mark.django_db
def test_submissions_and_deliveries_link_both_ways(admin, failed):
    submissions = reverse("wagtailforms:list_submissions", args=[failed.page_id])
    html = admin.get(submissions).content.decode()
    assert f'href="{inspect(failed)}"' in html
    assert "salesmanago-status--failed" in html
    # The SALESmanago column comes right after the date, before the answers.
    headings = [text(h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", html, re.S)]
    assert headings[headings.index("SALESmanago") - 1] == "Submission date"
    assert f'href="{submissions}"' in admin.get(inspect(failed)).content.decode()


@pytest.mark.django_db
def test_polish_counts_and_labels(admin, failed, settings):
    settings.LANGUAGE_CODE = "pl"
    html = text(admin.get(reverse(INDEX)).content.decode())
    assert "Dowolny" in html and "Any" not in html
    assert "Zaznacz Form A: failed@example.com" in admin.get(reverse(INDEX)).content.decode()
    detail = text(admin.get(inspect(failed)).content.decode())
    assert "upsert" not in detail.replace("upsert by", "")
    assert "None" not in detail


def contrast(a, b):
    """WCAG's contrast ratio of two "#rrggbb" colours."""
    def luminance(colour):
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    light, dark = sorted([luminance(a), luminance(b)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_status_tag_has_its_own_colours_at_aa_contrast():
    css = (Path(wagtail_salesmanago.__file__).parent / "static/wagtail_salesmanago/css/admin.css").read_text()
    rules = re.findall(r"\.salesmanago-status--(\w+) \{ color: (#\w{6}); background-color: (#\w{6});", css)
    tags = {status: (text, background) for status, text, background in rules}
    assert sorted(tags) == sorted(ExportRecord.Status.values)
    assert len(set(tags.values())) == len(tags)  # no two statuses look alike
    for status, (text, background) in tags.items():
        assert contrast(text, background) >= 4.5, status
