"""Real Chromium against `make demo`: the dashboard's SALESmanago panel and the sidebar entries, in
Polish and English, at 1024px and 1400px wide (issue 13). `make screenshots` takes the documentation's
dashboard image here."""

import re
import uuid

import pytest
import requests

from tests.demo_process import running_demo
from tests.helpers import BROWSER_TEST_MARKS, answer_survey, log_in, set_language

pytestmark = BROWSER_TEST_MARKS

WIDTHS = (1024, 1400)
WORDS = {
    "en": {"heading": "SALESmanago deliveries", "failed": "1 delivery failed in the last 7 days.",
           "retrying": "1 delivery is waiting for a retry", "settings": "Settings",
           "log": "SALESmanago log"},
    "pl": {"heading": "Eksporty do SALESmanago",
           "failed": "1 eksport nie powiódł się w ostatnich 7 dniach.",
           "retrying": "1 eksport czeka na ponowienie", "settings": "Ustawienia",
           "log": "Log SALESmanago"},
}

#: The sidebar's labels whose text is cut (wider than their box), by their full text.
CUT_LABELS = """() => [...document.querySelectorAll('.sidebar-menu-item__label, .menuitem-label')]
  .filter(label => label.offsetParent && label.scrollWidth > label.clientWidth)
  .map(label => label.textContent.trim())"""


@pytest.fixture
def slow_retry_demo(tmp_path):
    """`make demo`'s site whose retry timer waits an hour: the retrying delivery stays retrying
    while the test looks."""
    with running_demo(tmp_path, DEMO_RETRY_SECONDS="3600") as running:
        yield running


def colour(locator):
    return locator.evaluate("e => getComputedStyle(e).backgroundColor")


def test_the_dashboard_panel_and_the_sidebar_in_both_languages_and_widths(
    browser, slow_retry_demo, shots
):
    staff = log_in(browser, slow_retry_demo)
    visitor = browser.new_page()
    link = slow_retry_demo.find(r"(\S+\?smclientid=\S+)")
    # An unknown contact ID fails for good; a server error leaves a delivery retrying.
    answer_survey(visitor, re.sub(r"smclientid=[^&\s]+", f"smclientid={uuid.uuid4()}", link))
    control = f"{slow_retry_demo.sandbox_url}/sandbox/control"
    requests.post(control, json={"status": 500}, timeout=10).raise_for_status()
    answer_survey(visitor, slow_retry_demo.find(r"Survey:\s+(\S+)"), email="czeka@example.com")
    requests.post(control, json={"status": None}, timeout=10).raise_for_status()

    for language in ("en", "pl"):
        words = WORDS[language]
        set_language(staff, slow_retry_demo, language)
        for width in WIDTHS:
            staff.set_viewport_size({"width": width, "height": 900})
            staff.goto(f"{slow_retry_demo.site_url}/admin/")

            panel = staff.locator("#salesmanago-deliveries-section")
            assert panel.locator(".w-panel__heading").inner_text().strip() == words["heading"]
            failed = panel.locator(".help-critical")
            retrying = panel.locator(".help-warning")
            assert words["failed"] in failed.inner_text()
            assert words["retrying"] in retrying.inner_text()
            # Failures are alarming, retries a warning, and both stand out from the panel.
            background = colour(panel)
            assert len({colour(failed), colour(retrying), background}) == 3, (language, width)
            if language == "pl" and width == 1400:
                staff.screenshot(path=shots / "dashboard.png")

            assert staff.evaluate(CUT_LABELS) == [], (language, width)
            deliveries = staff.locator(".sidebar-main-menu a[href$='/salesmanago/deliveries/']")
            # Two entries, two names: the log here, the settings' "SALESmanago" under Settings.
            assert deliveries.inner_text().strip() == words["log"]
            staff.locator(".sidebar-main-menu button", has_text=words["settings"]).click()
            settings = staff.locator(".sidebar-main-menu a[href$='/salesmanagosettings/']")
            settings.wait_for(state="visible")
            assert staff.evaluate(CUT_LABELS) == [], (language, width)
            assert settings.inner_text().strip() == "SALESmanago"
            icons = [entry.locator("svg use").get_attribute("href") for entry in (deliveries, settings)]
            assert icons == ["#icon-upload", "#icon-mail"], icons

    # The check sees a cut label: the old "Wysyłki do SALESmanago" was one.
    deliveries.locator(".menuitem-label").evaluate("l => l.textContent = 'Wysyłki do SALESmanago'")
    assert staff.evaluate(CUT_LABELS) == ["Wysyłki do SALESmanago"]
