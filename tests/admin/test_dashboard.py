"""The admin's dashboard and sidebar, as staff see them: a SALESmanago panel when deliveries need
attention (failed, retrying, on hold), and a short sidebar entry with its own icon."""

import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from tests.helpers import answer, make_form_page
from wagtail_salesmanago.models import ExportRecord

INDEX = "wagtail_salesmanago_deliveries:index"


def dashboard(client):
    return client.get(reverse("wagtailadmin_home")).content.decode()


def panel(html):
    """The SALESmanago panel's classes, heading and content, or ``None`` when it is not shown."""
    found = re.search(
        r'<section class="([^"]*)" id="salesmanago-deliveries-section"[^>]*>.*?'
        r'<h2 class="w-panel__heading[^"]*"[^>]*>\s*<span[^>]*>([^<]*)</span>.*?'
        r'<div id="salesmanago-deliveries-content" class="w-panel__content">(.*?)</section>',
        html, re.S,
    )
    return found and {"classes": found[1].split(), "heading": found[2], "content": found[3]}


def text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def blocks(content):
    """The panel's help blocks: (colour, text without tags), in order."""
    return [(colour, " ".join(re.sub(r"<[^>]+>", " ", text).split()))
            for colour, text in re.findall(r'class="help-block help-(\w+)[^"]*"[^>]*>(.*?)</div>',
                                           content, re.S)]


@pytest.mark.django_db
def test_failures_show_in_a_wagtail_dashboard_panel_in_the_alarm_colour(admin, two_forms):
    shown = panel(dashboard(admin))

    assert "w-panel" in shown["classes"] and "w-panel--dashboard" in shown["classes"]
    assert shown["heading"] == "SALESmanago deliveries"
    assert blocks(shown["content"]) == [
        ("critical", "1 delivery failed in the last 7 days. See the failed deliveries")]
    assert f'href="{reverse(INDEX)}?status=failed"' in shown["content"]

    # All is well: the panel says deliveries go through, in no alarming colour.
    moment = timezone.now() - timedelta(hours=2)
    ExportRecord.objects.filter(status="sent").update(sent_at=moment)
    ExportRecord.objects.filter(status="failed").update(status="sent", sent_at=None)
    ExportRecord.objects.filter(email="other@example.com").update(sent_at=moment - timedelta(days=8))
    shown = panel(dashboard(admin))
    assert blocks(shown["content"]) == []
    assert text(shown["content"]) == (
        f"1 delivery sent in the last 7 days. The last one at "
        f"{timezone.localtime(moment):%Y-%m-%d %H:%M}. See the sent deliveries "
        "See the report: answers per day and per form")
    assert f'href="{reverse(INDEX)}?status=sent"' in shown["content"]
    assert f'href="{reverse("wagtail_salesmanago_report")}"' in shown["content"]



@pytest.mark.django_db
def test_a_sent_delivery_staff_send_again_counts_as_sent_only_once_it_is(admin, two_forms):
    moment = timezone.now() - timedelta(hours=2)
    ExportRecord.objects.filter(status="sent").update(sent_at=moment)
    # Sent once, then put back to be sent again ("Resend"): it waits, and keeps when it was sent.
    ExportRecord.objects.filter(status="failed").update(status="pending", sent_at=moment)
    assert text(panel(dashboard(admin))["content"]).startswith(
        "2 deliveries sent in the last 7 days.")

@pytest.mark.django_db
def test_no_panel_for_a_user_who_may_see_no_deliveries(client, two_forms, django_user_model):
    user = django_user_model.objects.create_user("viewer", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert panel(client.get(reverse("wagtailadmin_home")).content.decode()) is None


@pytest.mark.django_db
def test_retrying_deliveries_are_counted_in_the_warning_colour(admin, client, sm, on_commit):
    page = make_form_page()
    sm.misbehave(status=500)  # SALESmanago has a server error: the deliveries wait for a retry
    with on_commit():
        for email in ("a@example.com", "b@example.com"):
            answer(client, page, {"Twój e-mail": email})
    assert list(ExportRecord.objects.values_list("status", flat=True)) == ["retrying"] * 2

    shown = panel(dashboard(admin))

    assert blocks(shown["content"]) == [
        ("warning", "2 deliveries are waiting for a retry, which happens automatically. "
                    "See the deliveries to retry")]
    assert f'href="{reverse(INDEX)}?status=retrying"' in shown["content"]


@pytest.mark.django_db
def test_failures_come_before_retries_and_an_old_failure_is_not_counted(admin, two_forms):
    ExportRecord.objects.filter(email="other@example.com").update(status="retrying")
    [old] = copies(ExportRecord.objects.get(email="failed@example.com"), "failed", 1)
    ExportRecord.objects.filter(pk=old.pk).update(updated_at="2000-01-01T00:00Z")

    colours = [colour for colour, _ in blocks(panel(dashboard(admin))["content"])]

    assert colours == ["critical", "warning"]
    assert "1 delivery failed in the last 7 days." in panel(dashboard(admin))["content"]


@pytest.mark.django_db
@pytest.mark.parametrize("count, failed, retrying", [
    (1, "1 eksport nie powiódł się w ostatnich 7 dniach.",
     "1 eksport czeka na ponowienie, które nastąpi automatycznie."),
    (3, "3 eksporty nie powiodły się w ostatnich 7 dniach.",
     "3 eksporty czekają na ponowienie, które nastąpi automatycznie."),
    (5, "5 eksportów nie powiodło się w ostatnich 7 dniach.",
     "5 eksportów czeka na ponowienie, które nastąpi automatycznie."),
], ids=["one", "few", "many"])
def test_the_panel_in_polish_with_each_plural_form(admin, two_forms, settings, count, failed,
                                                   retrying):
    settings.LANGUAGE_CODE = "pl"
    record = ExportRecord.objects.get(email="failed@example.com")
    ExportRecord.objects.exclude(pk=record.pk).delete()
    copies(record, "failed", count - 1)
    copies(record, "retrying", count)

    shown = panel(dashboard(admin))

    assert shown["heading"] == "Eksporty do SALESmanago"
    assert [text for _, text in blocks(shown["content"])] == [
        f"{failed} Zobacz nieudane eksporty", f"{retrying} Zobacz eksporty do ponowienia"]


def sidebar_links(html):
    """The admin sidebar's links (in its menus too): {url: (label, icon)}, from the JSON the
    sidebar is built from."""
    props = re.search(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>',
                      html, re.S)[1]
    links = {}

    def walk(node):
        if isinstance(node, dict):
            if node.get("url") and "icon_name" in node:
                links[node["url"]] = (node["label"], node["icon_name"])
            node = list(node.values())
        if isinstance(node, list):
            for child in node:
                walk(child)

    walk(json.loads(props))
    return links


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "pl"])
def test_the_sidebar_has_a_short_deliveries_entry_with_its_own_name_and_icon(admin, two_forms, settings,
                                                                   language):
    settings.LANGUAGE_CODE = language
    links = sidebar_links(dashboard(admin))
    settings_url = reverse("wagtailsettings:edit", args=["wagtail_salesmanago", "salesmanagosettings"])

    deliveries_label, deliveries_icon = links[reverse(INDEX)]
    settings_label, settings_icon = links[settings_url]
    # Two names for two entries: the log, and under Settings the settings.
    assert (deliveries_label, settings_label) == (
        {"en": "SALESmanago log", "pl": "Log SALESmanago"}[language], "SALESmanago")
    assert (deliveries_icon, settings_icon) == ("upload", "mail")
    # The page itself says what it is.
    title = {"en": "SALESmanago deliveries", "pl": "Eksporty do SALESmanago"}[language]
    assert f"<title>{title}" in admin.get(reverse(INDEX)).content.decode()


def copies(record, status, count):
    """``count`` more records like ``record``, in ``status``."""
    made = []
    for _ in range(count):
        record.pk, record.status = None, status
        record.submission_id = f"{record.submission_id}-{len(made)}"  # one record per answer
        record.save()
        made.append(ExportRecord.objects.get(pk=record.pk))
    return made


@pytest.mark.django_db
def test_an_answer_exported_again_is_no_failure_on_the_dashboard(admin, two_forms):
    failed = ExportRecord.objects.get(email="failed@example.com")
    again = ExportRecord.objects.get(pk=failed.pk)
    again.pk, again.status = None, "sent"  # "Export past answers" made it a new record
    again.save()
    assert blocks(panel(dashboard(admin))["content"]) == []
