"""Reports > SALESmanago delivery report, as staff read it: a period's answers per day and per form,
each figure a link to the deliveries it counts, a chart of the same figures, CSV and XLSX."""

import csv
import io
import re
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.helpers import dated_record, make_form_page
from wagtail_salesmanago.models import ExportRecord

REPORT = "wagtail_salesmanago_report"
HEADINGS = ["Day", "Sent", "Pending", "Retrying", "Throttled", "On hold", "Failed", "Skipped",
            "Quarantined", "Answers",
            "Sent within 1 minute (%)", "Sent within 1 hour (%)"]


def at(days_ago, hour=12):
    """A moment ``days_ago`` days before today, at ``hour`` o'clock in the site's time zone."""
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())
                               + timedelta(hours=hour))


def record(page, created_at, status, sent_after=None):
    """A record of ``page``'s answer made at ``created_at``, sent ``sent_after`` it if given."""
    made = dated_record(page, created_at, status)
    ExportRecord.objects.filter(pk=made.pk).update(
        email=f"{made.submission_id}@example.com",
        sent_at=created_at + sent_after if sent_after is not None else None)
    return made


@pytest.fixture
def seeded(db):
    """Two forms' answers over the last days: today, yesterday, 3 days and 40 days ago."""
    a, b = make_form_page(title="Form A"), make_form_page(title="Form B")
    record(a, at(0, 9), "sent", timedelta(seconds=5))
    record(a, at(0, 10), "sent", timedelta(minutes=30))
    record(a, at(0, 11), "failed")
    record(b, at(0, 11), "retrying")
    record(b, at(1), "sent", timedelta(hours=3))
    record(b, at(1), "held")
    record(b, at(1), "throttled")
    record(a, at(3), "quarantined")
    record(a, at(3), "skipped")
    record(a, at(3), "pending")
    record(a, at(40), "sent", timedelta(seconds=1))  # only in the 90 days
    return a, b


def download(client, **query):
    response = client.get(reverse(REPORT), query)
    assert response.status_code == 200
    if query.get("export") == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        rows = list(sheet.iter_rows(values_only=True))
        assert all(isinstance(value, (int, float)) for row in rows[1:] for value in row[1:10])
        return [[rows[0][0], *rows[0][1:]], *[["" if value is None else str(value)[:10] if index == 0
                  else str(value) for index, value in enumerate(row)] for row in rows[1:]]]
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def expected_rows(days, figures):
    """The report's rows, newest day first: ``figures`` gives the days that had answers."""
    rows = []
    for days_ago in range(days):
        day = (timezone.localdate() - timedelta(days=days_ago)).isoformat()
        rows.append([day, *figures.get(days_ago, ["0"] * 9 + ["", ""])])
    return rows


SEVEN_DAYS = {
    0: ["2", "0", "1", "0", "0", "1", "0", "0", "4", "25.0", "50.0"],
    1: ["1", "0", "0", "1", "1", "0", "0", "0", "3", "0.0", "0.0"],
    3: ["0", "1", "0", "0", "0", "0", "1", "1", "3", "0.0", "0.0"],  # quarantined: not "to send"
}


@pytest.mark.django_db
def test_the_csv_and_the_xlsx_give_each_days_figures(admin, seeded):
    rows = expected_rows(7, SEVEN_DAYS)
    assert download(admin, days=7, export="csv") == [HEADINGS, *rows]
    # XLSX: the same figures, as numbers a spreadsheet can sum.
    xlsx = download(admin, days=7, export="xlsx")
    assert [[cell and f"{float(cell):g}" if index else cell for index, cell in enumerate(row)]
            for row in xlsx[1:]] == [
        [cell and f"{float(cell):g}" if index else cell for index, cell in enumerate(row)]
        for row in rows]
    assert xlsx[0] == HEADINGS


def table_rows(html, table_class):
    """The rows of the table whose classes are ``table_class``: each cell's text and link."""
    table = re.search(rf'<table[^>]*class="{table_class}"[^>]*>(.*?)</table>', html, re.S)
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table[1], re.S)[1:]:
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([(" ".join(re.sub(r"<[^>]+>", " ", cell).split()),
                      (re.search(r'href="([^"]*)"', cell) or [None, None])[1]) for cell in cells])
    return rows


def links(html):
    """Every link to the deliveries list in the report, with the figure it is on."""
    found = re.findall(r'<a href="(/admin/salesmanago/deliveries/\?[^"]*)"[^>]*>\s*(\d+)\s*</a>',
                       html)
    found += [(url, title.rsplit(": ", 1)[1]) for url, title in re.findall(
        r'<a href="(/admin/salesmanago/deliveries/\?[^"]*)"[^>]*>\s*<rect[^>]*><title>([^<]*)</title>',
        html)]
    return [(url.replace("&amp;", "&"), int(count)) for url, count in found]


@pytest.mark.django_db
def test_every_figure_links_to_the_deliveries_it_counts(admin, seeded):
    html = admin.get(reverse(REPORT), {"days": 7}).content.decode()
    found = links(html)
    # By day and in the chart: 9 figures that are not 0; by form: 5 of form A's, 4 of B's.
    assert len(found) == 27
    for url, count in found:
        listed = admin.get(url).context["object_list"]
        assert len(listed) == count, url


@pytest.mark.django_db
def test_the_page_shows_the_days_the_forms_and_a_chart_of_the_same_figures(admin, seeded):
    a, b = seeded
    html = admin.get(reverse(REPORT), {"days": 7}).content.decode()

    by_day = [[text for text, link in row] for row in table_rows(html, "listing")
              if row and re.fullmatch(r"\d{4}-\d\d-\d\d", row[0][0])]
    assert by_day == [[day, *rest[:9], *[f"{float(v):g}%" if v else "—" for v in rest[9:]]]
                      for day, *rest in expected_rows(7, SEVEN_DAYS)]

    by_form = [[text for text, link in row] for row in table_rows(html, "listing salesmanago-report-forms")]
    last_a = ExportRecord.objects.filter(page=a, status="sent").latest("sent_at").sent_at
    last_b = ExportRecord.objects.filter(page=b, status="sent").latest("sent_at").sent_at
    assert by_form == [
        ["Form A", "2", "1", "0", "0", "0", "1", "1", "1", "25%", "50%",
         timezone.localtime(last_a).strftime("%Y-%m-%d %H:%M")],
        ["Form B", "1", "0", "1", "1", "1", "0", "0", "0", "0%", "0%",
         timezone.localtime(last_b).strftime("%Y-%m-%d %H:%M")],
    ]
    # The chart: one segment per day and status with answers, its height its share of the scale.
    segments = re.findall(r'<rect class="salesmanago-chart__segment"[^>]* height="([\d.]+)"[^>]*>'
                          r"<title>([^<]*)</title>", html)
    today = timezone.localdate().isoformat()
    assert [title for height, title in segments if title.startswith(today)] == [
        f"{today}, Sent: 2", f"{today}, Retrying: 1", f"{today}, Failed: 1"]
    heights = {title: float(height) for height, title in segments}
    assert heights[f"{today}, Sent: 2"] == pytest.approx(2 * heights[f"{today}, Failed: 1"], abs=0.2)
    legend = re.findall(r"</svg>\s*([^<:]+): (\d+)\s*</li>", html)
    assert legend == [("Sent", "3"), ("Pending", "1"), ("Retrying", "1"), ("Throttled", "1"),
                      ("On hold", "1"), ("Failed", "1"), ("Skipped", "1"), ("Quarantined", "1")]


@pytest.mark.django_db
def test_the_period_is_30_days_unless_7_or_90_is_chosen(admin, seeded):
    assert len(download(admin, export="csv")) == 1 + 30
    assert len(download(admin, days="365", export="csv")) == 1 + 30  # no other period
    rows = download(admin, days=90, export="csv")
    assert len(rows) == 1 + 90
    assert rows[41] == [(timezone.localdate() - timedelta(days=40)).isoformat(),
                        "1", "0", "0", "0", "0", "0", "0", "0", "1", "100.0", "100.0"]


@pytest.mark.django_db
def test_the_counts_take_one_grouped_query_whatever_the_period_and_the_forms(admin, seeded):
    def queries(**query):
        with CaptureQueriesContext(connection) as captured:
            assert admin.get(reverse(REPORT), query).status_code == 200
        return [q["sql"] for q in captured.captured_queries if "GROUP BY" in q["sql"]]

    few = queries(days=7)
    for number in range(20):
        record(make_form_page(title=f"Form {number}"), at(number % 90), "sent", timedelta(0))
    many = queries(days=90)
    assert len(few) == len(many) == 2  # the counts, and each form's last success


@pytest.mark.django_db
def test_an_editor_sees_only_the_forms_they_may_see(editor_of, seeded):
    a, b = seeded
    client = editor_of(b)
    html = client.get(reverse(REPORT), {"days": 7}).content.decode()
    assert [row[0][0] for row in table_rows(html, "listing salesmanago-report-forms")] == ["Form B"]
    assert "Form A" not in html
    assert download(client, days=7, export="csv")[1][1:10] == [
        "0", "0", "1", "0", "0", "0", "0", "0", "1"]


@pytest.mark.django_db
def test_no_report_for_a_user_who_may_see_no_deliveries(client, seeded, django_user_model):
    from django.contrib.auth.models import Permission
    user = django_user_model.objects.create_user("viewer", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get(reverse(REPORT)).status_code == 302  # Wagtail's "no permission"
    assert reverse(REPORT) not in client.get(reverse("wagtailadmin_home")).content.decode()


@pytest.mark.django_db
def test_the_reports_menu_has_it(admin, seeded):
    html = admin.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse(REPORT) in html


@pytest.mark.django_db
def test_a_period_without_answers_says_so(admin, db):
    make_form_page()
    html = admin.get(reverse(REPORT)).content.decode()
    assert "No answers in this period." in html
    assert "No form had answers in this period." in html


@pytest.mark.django_db
def test_in_polish_with_the_chart_drawn_in_plain_numbers(admin, seeded, settings):
    settings.LANGUAGE_CODE = "pl"
    html = admin.get(reverse(REPORT), {"days": 7}).content.decode()
    svg = re.search(r'<svg class="salesmanago-chart__bars".*?</svg>', html, re.S)[0]
    assert not re.search(r'="[\d.]*,\d', svg)  # never "12,5": a coordinate is no Polish decimal
    assert "Raport eksportów do SALESmanago" in html
    assert "Wysłane: 3" in html  # the legend: counted answers, in the plural
    assert "7 dni" in html
    assert "Odpowiedzi dziennie" in html


@pytest.mark.django_db
def test_with_several_sites_the_report_and_its_links_keep_to_one(admin, seeded):
    from wagtail.models import Page, Site
    a, b = seeded
    other_root = Page.objects.get(depth=1).add_child(title="Other", slug="other")
    other = Site.objects.create(hostname="other.example", root_page=other_root)
    b.move(other_root, pos="last-child")

    html = admin.get(reverse(REPORT), {"days": 7, "site": other.pk}).content.decode()
    assert [row[0][0] for row in table_rows(html, "listing salesmanago-report-forms")] == ["Form B"]
    found = links(html)
    assert found and all(f"site={other.pk}" in url for url, count in found)
    for url, count in found:  # the log filters by site too
        assert len(admin.get(url).context["object_list"]) == count, url
    # The log lists the other site's deliveries only, filtered so.
    listed = admin.get(reverse("wagtail_salesmanago_deliveries:index"), {"site": other.pk})
    assert {r.page_id for r in listed.context["object_list"]} == {b.pk}
    html = admin.get(reverse(REPORT), {"days": 7}).content.decode()
    assert "other.example" in html  # the site filter
    # Unfiltered, the forms of both sites: each says its site.
    assert [[row[0][0], row[1][0]] for row in table_rows(html, "listing salesmanago-report-forms")] == [
        ["Form A", "localhost [default]"], ["Form B", "other.example"]]


@pytest.mark.django_db
def test_a_site_inside_another_keeps_its_forms_to_itself(admin, seeded):
    """A site whose root page lies under another site's home: its forms are its own, not the
    outer site's too."""
    from wagtail.models import Site
    a, b = seeded
    outer = Site.objects.get(is_default_site=True)
    inner_root = outer.root_page.add_child(title="Micro", slug="micro")
    inner = Site.objects.create(hostname="micro.example", root_page=inner_root)
    b.move(inner_root, pos="last-child")

    def forms_of(site):
        html = admin.get(reverse(REPORT), {"days": 7, "site": site.pk}).content.decode()
        return [row[0][0] for row in table_rows(html, "listing salesmanago-report-forms")]

    assert (forms_of(outer), forms_of(inner)) == (["Form A"], ["Form B"])


@pytest.mark.django_db
def test_a_form_failing_all_period_shows_its_last_success_from_before(admin, db):
    page = make_form_page(title="Failing")
    record(page, at(40), "sent", timedelta(seconds=2))
    record(page, at(1), "failed")
    record(page, at(0), "failed")
    html = admin.get(reverse(REPORT), {"days": 7}).content.decode()
    [row] = [[text for text, link in row]
             for row in table_rows(html, "listing salesmanago-report-forms")]
    last = timezone.localtime(at(40) + timedelta(seconds=2)).strftime("%Y-%m-%d %H:%M")
    assert row == ["Failing", "0", "0", "0", "0", "0", "2", "0", "0", "0%", "0%", last]


@pytest.mark.django_db
def test_a_delivery_resent_today_of_an_older_answer_is_its_forms_last_success(admin, db):
    page = make_form_page(title="Resent")
    record(page, at(1), "sent", timedelta(seconds=1))
    resent = record(page, at(30), "sent")
    ExportRecord.objects.filter(pk=resent.pk).update(sent_at=at(0, 8))  # resent this morning
    html = admin.get(reverse(REPORT), {"days": 7}).content.decode()
    [row] = [[text for text, link in row]
             for row in table_rows(html, "listing salesmanago-report-forms")]
    assert row[-1] == timezone.localtime(at(0, 8)).strftime("%Y-%m-%d %H:%M")


@pytest.mark.django_db
def test_an_answer_exported_again_is_one_figure_and_its_link_lists_one(admin, db):
    page = make_form_page(title="Again")
    first = dated_record(page, at(0, 9), "failed")
    dated_record(page, at(0, 10), "failed", answer=first.submission_id)  # exported again, failed again
    html = admin.get(reverse(REPORT), {"days": 7}).content.decode()
    found = links(html)
    assert {count for url, count in found} == {1}
    for url, count in found:
        assert [r.pk for r in admin.get(url).context["object_list"]] == [first.pk + 1]


@pytest.mark.django_db
def test_a_translated_home_is_its_sites_too(admin, seeded, settings):
    """With Wagtail's i18n a site has a root per language (its home's translation): a form
    under the Polish home is the site's, in the site filter and its counts, as Wagtail reads it."""
    from django.core.cache import cache
    from wagtail.models import Locale, Page, Site
    settings.WAGTAIL_I18N_ENABLED = True
    settings.WAGTAIL_CONTENT_LANGUAGES = settings.LANGUAGES = [("en", "English"), ("pl", "Polish")]
    a, b = seeded
    site = Site.objects.get(is_default_site=True)
    polish_home = site.root_page.copy_for_translation(Locale.objects.create(language_code="pl"))
    b.move(polish_home, pos="last-child")
    other_root = Page.objects.get(depth=1).add_child(title="Other", slug="other")
    Site.objects.create(hostname="other.example", root_page=other_root)
    cache.clear()  # Wagtail's cached site roots, made before the translation

    html = admin.get(reverse(REPORT), {"days": 7, "site": site.pk}).content.decode()
    assert [row[0][0] for row in table_rows(html, "listing salesmanago-report-forms")] == [
        "Form A", "Form B"]
