"""Real Chromium against `make demo`: every SALESmanago screen, in Polish and English, at 1024px and
1400px, checked generically (tests/e2e/screen_audit.py): nothing cut, nothing past the window, no
oversized icon, every text at WCAG AA contrast. Each screen's screenshot is kept (issue 25)."""

import json
import re
import time
import uuid

import pytest
import requests

from tests.demo_process import running_demo
from tests.e2e.screen_audit import AUDIT, audit
from tests.helpers import BROWSER_TEST_MARKS, answer_survey, log_in, set_language

pytestmark = BROWSER_TEST_MARKS

WIDTHS = (1024, 1400)


@pytest.fixture
def seeded_demo(tmp_path):
    """`make demo`'s site with a delivery in each state: sent, failed, retrying (its retry an hour
    away), skipped, held (SALESmanago refused the credentials, then took them again) and
    throttled (SALESmanago asked for fewer calls, for a second: the site's pause is over before
    the screens are opened, its retry a minute away) and quarantined (the demo ignores
    mailinator.com)."""
    with running_demo(tmp_path, DEMO_RETRY_SECONDS="3600") as demo:
        yield demo


def seed(browser, demo):
    visitor = browser.new_page()
    link = demo.find(r"(\S+\?smclientid=\S+)")
    survey = demo.find(r"Survey:\s+(\S+)")
    control = f"{demo.sandbox_url}/sandbox/control"
    answer_survey(visitor, link)  # sent
    answer_survey(visitor, re.sub(r"smclientid=[^&\s]+", f"smclientid={uuid.uuid4()}", link))  # failed
    answer_survey(visitor, survey)  # no e-mail, no contact ID: skipped
    answer_survey(visitor, survey, email="ktos@mailinator.com")  # quarantined
    requests.post(control, json={"status": 500}, timeout=10).raise_for_status()
    answer_survey(visitor, survey, email="czeka@example.com")  # retrying
    requests.post(control, json={"status": 429, "retry_after": "1"}, timeout=10).raise_for_status()
    answer_survey(visitor, survey, email="spowolniona@example.com")  # throttled
    time.sleep(1)  # the site's pause ends
    requests.post(control, json={"status": None, "retry_after": None, "auth_fail": True},
                  timeout=10).raise_for_status()
    answer_survey(visitor, survey, email="wstrzymana@example.com")  # held
    requests.post(control, json={"auth_fail": False}, timeout=10).raise_for_status()
    visitor.close()


#: What is ours on a screen Wagtail draws: the page editor's SALESmanago tab (the editor's own
#: header and minimap are Wagtail's); elsewhere the whole of ``main``.
OURS = {"editor": "[role=tabpanel]:has(input[name=salesmanago_enabled])"}


def screens(staff, demo):
    """Each SALESmanago screen as (name, how to open it): every one staff can reach."""
    site = demo.site_url
    survey_id = re.search(r"/pages/(\d+)/", demo.find(r"Edit the survey: (\S+)")).group(1)
    deliveries = f"{site}/admin/salesmanago/deliveries/"

    def go(url):
        return lambda: staff.goto(url)

    def first_inspect(status):
        def opening():
            staff.goto(deliveries)
            row = staff.locator("tr", has=staff.locator(f".salesmanago-status--{status}"))
            staff.goto(site + row.locator("a[href*='/inspect/']").first.get_attribute("href"))
        return opening

    def resend_one():
        first_inspect("failed")()
        staff.locator("a[href*='/resend/?id=']").first.click()
        staff.wait_for_load_state()

    def resend_all():
        staff.goto(deliveries + "?status=failed")
        staff.locator(".salesmanago-resend-listed a, .salesmanago-resend-listed button").first.click()
        staff.wait_for_load_state()

    def check_now():
        staff.goto(deliveries)
        staff.locator("a[href*='/check-hold/']").first.click()
        staff.wait_for_load_state()

    def editor():
        staff.goto(f"{site}/admin/pages/{survey_id}/edit/")
        tab = staff.locator("[role=tabpanel]:has(input[name=salesmanago_enabled])").get_attribute("id")
        staff.click(f"a[href='#{tab}']")

    def filters(url, name):
        """The list's filters drawer open at filter ``name``: every choice it offers shown."""
        def opening():
            staff.goto(url)
            staff.click("#filters-drilldown [data-w-dropdown-target=toggle]")
            staff.click(f"[aria-controls='drilldown-id_{name}']")
            staff.wait_for_selector(f"#drilldown-id_{name}:not([hidden])")
            # The drawer fades in: look once its transitions have ended.
            staff.evaluate("Promise.all(document.getAnimations().map(a => a.finished))")
        return opening

    def settings_tested():
        # Refused: a passing test would lift the hold the other screens show.
        control = f"{demo.sandbox_url}/sandbox/control"
        requests.post(control, json={"auth_fail": True}, timeout=10).raise_for_status()
        staff.goto(f"{site}/admin/settings/wagtail_salesmanago/salesmanagosettings/")
        staff.click("[data-action='salesmanago-connection-test#test']")
        staff.wait_for_selector(".salesmanago-connection-result li.error")
        requests.post(control, json={"auth_fail": False}, timeout=10).raise_for_status()

    return {
        "dashboard": go(f"{site}/admin/"),
        "deliveries": go(deliveries),
        "deliveries-failed": go(deliveries + "?status=failed"),
        **{f"delivery-{status}": first_inspect(status)
           for status in ("sent", "failed", "retrying", "skipped", "held", "throttled",
                          "quarantined")},
        "resend-one": resend_one,
        "resend-all": resend_all,
        "check-now": check_now,
        "settings": settings_tested,
        "editor": editor,
        "export-past-answers": go(f"{site}/admin/salesmanago/export/{survey_id}/"),
        "form-submissions": go(f"{site}/admin/forms/submissions/{survey_id}/"),
        "forms": go(f"{site}/admin/forms/"),
        "deliveries-filter-newest": filters(deliveries, "newest"),
        "report-filter-period": filters(f"{site}/admin/reports/salesmanago/", "days"),
        "report-7-days": go(f"{site}/admin/reports/salesmanago/?days=7"),
        "report-90-days": go(f"{site}/admin/reports/salesmanago/?days=90"),
        "erase-a-person": go(f"{site}/admin/salesmanago/erase/"),
    }


def test_every_screen_reads_whole_in_both_languages_and_widths(browser, seeded_demo, shots):
    staff = log_in(browser, seeded_demo)
    seed(browser, seeded_demo)
    found = {}
    for language in ("en", "pl"):
        set_language(staff, seeded_demo, language)
        for width in WIDTHS:
            staff.set_viewport_size({"width": width, "height": 900})
            for name, opening in screens(staff, seeded_demo).items():
                opening()
                staff.screenshot(path=shots / f"screen-{name}-{language}-{width}.png", full_page=True)
                problems = audit(staff, OURS.get(name, "main"))
                if problems:
                    found[f"{name} {language} {width}"] = problems
    (shots / "screen-audit.json").write_text(json.dumps(found, indent=1, ensure_ascii=False))
    assert found == {}


def test_the_audit_sees_what_it_looks_for(browser):
    """Each rule of the audit fails on a page built to break it: a check that cannot fail is none."""
    page = browser.new_page(viewport={"width": 1024, "height": 700})
    page.set_content("""
      <main>
        <div id=cut style="width:100px;overflow:hidden;white-space:nowrap">A label far too long for its box</div>
        <p id=past style="width:2000px">Past the window</p>
        <button id=icon style="font-size:14px">Resend<svg><use href="#nothing"></use></svg></button>
        <span id=faint style="color:#f5a25d;background:#fff3e6">retrying</span>
        <div style="overflow-x:auto"><p style="width:2000px">A table that scrolls</p></div>
        <span style="color:#1d6b3f;background:#e6f4ea">sent</span>
        <p class="help-block help-warning" style="color:#000">No icon here</p>
        <header><div id=title style="width:100px;overflow-x:auto;white-space:nowrap">A header's title too long</div></header>
        <svg viewBox="0 0 100 40" width=100 height=40><text x=2 y=24 font-size=12 fill="#c8c8c8">7</text>
          <rect x=20 y=0 width=10 height=40 fill="#fff1d1" stroke="#f5c26b"/></svg>
        <div id=flush style="border:1px solid #000"><p style="margin:0">A line on the border</p></div>
        <div style="border:1px solid #000;padding:0 1rem"><p>A line with room</p></div>
      </main>""")
    problems = page.evaluate(AUDIT, "main")
    assert [problem.split(":")[0] for problem in problems] == [
        "cut sideways", "past the window", "icon 300x150", "contrast 1.88", "help block without its icon",
        "cut sideways", "contrast 1.67", "graphic contrast 1.64", "touching its border",
    ], problems


SEEDED = {"en": {"Sent": 1, "Retrying": 1, "Throttled": 1, "On hold": 1, "Failed": 1,
                 "Skipped": 1, "Quarantined": 1},
          "pl": {"Wysłane": 1, "Ponawiane": 1, "Spowolnione": 1, "Wstrzymane": 1, "Nieudane": 1,
                 "Pominięte": 1, "W kwarantannie": 1}}


def test_the_report_charts_what_was_seeded_and_its_csv_says_the_same(browser, seeded_demo, shots):
    """Reports > SALESmanago delivery report on the seeded site: one delivery in each state today. The
    chart's segments, the day's row and the CSV the page offers give the same figures."""
    staff = log_in(browser, seeded_demo)
    seed(browser, seeded_demo)
    report = f"{seeded_demo.site_url}/admin/reports/salesmanago/?days=7"
    (shots / "report").mkdir(exist_ok=True)
    for language in ("en", "pl"):
        set_language(staff, seeded_demo, language)
        for width in WIDTHS:
            staff.set_viewport_size({"width": width, "height": 900})
            staff.goto(report)
            staff.screenshot(path=shots / "report" / f"{language}-{width}.png", full_page=True)
            if (language, width) == ("en", 1400):  # the documentation's (docs/deliveries.md)
                staff.screenshot(path=shots / "report.png")
            titles = staff.locator("rect.salesmanago-chart__segment title").all_text_contents()
            day = titles[0].split(",")[0]
            assert {title.split(", ")[1].split(": ")[0]: int(title.rsplit(": ", 1)[1])
                    for title in titles} == SEEDED[language]
            assert {title.split(",")[0] for title in titles} == {day}  # all today
            # The day's row: the same figures, in the chart's order, and its 7 answers.
            row = staff.locator("table.listing:not(.salesmanago-report-forms) tbody tr").first
            assert row.locator("td").all_inner_texts()[:10] == [
                day, "1", "0", "1", "1", "1", "1", "1", "1", "7"]
            assert audit(staff, "main") == []
    csv_text = staff.request.get(report + "&export=csv").text()
    assert csv_text.splitlines()[1].split(",")[:10] == [
        day, "1", "0", "1", "1", "1", "1", "1", "1", "7"]
