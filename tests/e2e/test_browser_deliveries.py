"""Real Chromium against `make demo`: the deliveries log as staff see it, in Polish and English,
at 1024px and 1400px wide (issue 13). `make screenshots` takes the documentation's list and detail here."""

import re
import uuid

from tests.helpers import BROWSER_TEST_MARKS, answer_survey, log_in, set_language

pytestmark = BROWSER_TEST_MARKS

WIDTHS = (1024, 1400)
#: What a person reads in each language, and English that must not show in the Polish admin.
WORDS = {
    "pl": {"failed": "Nieudany", "any": "Dowolny",
           "resend_all": "Wyślij ponownie wszystkie nieudane",
           "preferred": "pl", "english": ["None", "(blank)", "upsert", "Resend", "Any", "failed",
                                          "sent", "does not know", "answered"],
           # The stored error in the reader's language; SALESmanago's own words as it said them.
           "error": ["SALESmanago nie zna tego kontaktu.", "Contact not found"]},
    "en": {"failed": "Failed", "any": "Any", "resend_all": "Resend all failed in this list",
           "preferred": "en", "english": [],
           "error": ["SALESmanago does not know this contact.", "Contact not found"]},
}

#: Each visible button or button-like link whose text sticks out of its box (empty: all fit).
CLIPPED_BUTTONS = """() => [...document.querySelectorAll(
    'main .button, main button.w-header-button, header .button, .w-slim-header .button, a.button')]
  .filter(b => b.offsetParent && b.innerText.trim())
  .filter(b => {
    const box = b.getBoundingClientRect(), range = document.createRange();
    range.selectNodeContents(b);
    const text = range.getBoundingClientRect();
    return text.width === 0 || text.left < box.left - 1 || text.right > box.right + 1
      || text.top < box.top - 1 || text.bottom > box.bottom + 1
      || getComputedStyle(b).overflow === 'hidden' && b.scrollWidth > b.clientWidth + 1;
  }).map(b => b.innerText.trim())"""


def shape(written):
    """A date as written, with its digits blanked: equal shapes mean one format."""
    return re.sub(r"\d+", "9", written)


def badge_colour(page, status):
    return page.eval_on_selector(f".salesmanago-status--{status}",
                                 "el => getComputedStyle(el).backgroundColor + getComputedStyle(el).color")


def test_the_deliveries_log_reads_right_in_both_languages_and_widths(browser, demo, shots):
    staff = log_in(browser, demo)
    link = demo.find(r"(\S+\?smclientid=\S+)")
    visitor = browser.new_page()
    answer_survey(visitor, link)  # a known contact: sent
    answer_survey(visitor, re.sub(r"smclientid=[^&\s]+", f"smclientid={uuid.uuid4()}", link))
    index = f"{demo.site_url}/admin/salesmanago/deliveries/"

    for language in ("en", "pl"):
        words = WORDS[language]
        set_language(staff, demo, words["preferred"])
        for width in WIDTHS:
            staff.set_viewport_size({"width": width, "height": 900})
            staff.goto(index)
            body = staff.inner_text("main")
            for english in words["english"] + ["None"]:
                assert not re.search(rf"\b{re.escape(english)}\b", body), (language, width, english)
            assert all(text in body for text in words["error"]), (language, width, body)
            assert staff.evaluate(CLIPPED_BUTTONS) == [], (language, width)
            assert badge_colour(staff, "failed") != badge_colour(staff, "sent")
            failed_row = staff.locator("tr", has=staff.locator(".salesmanago-status--failed"))
            listed_created = failed_row.locator("td").last.inner_text().strip()
            contact_height = failed_row.locator(".salesmanago-contact").bounding_box()["height"]
            assert contact_height < 30, (language, width)  # one line: a UUID is not broken

            if language == "pl" and width == 1400:
                staff.screenshot(path=shots / "deliveries.png")

            # The filter panel refreshes the results without a reload; the button follows it.
            assert not staff.get_by_text(words["resend_all"]).is_visible()
            staff.click("button[aria-label][data-w-dropdown-target=toggle] >> nth=0")
            staff.click("button.w-drilldown__toggle:has-text('Status')")
            staff.locator("input[name=status][value=failed]").check()
            staff.get_by_text(words["resend_all"]).wait_for(state="visible")
            assert "/resend/" not in staff.url  # no full navigation to a resend
            staff.locator("input[name=status][value='']").check()
            staff.get_by_text(words["resend_all"]).wait_for(state="detached")

            staff.goto(index)
            staff.locator("tr", has=staff.locator(".salesmanago-status--failed")).locator(
                "a.salesmanago-contact").click()
            staff.wait_for_selector(".salesmanago-attempt")
            detail = staff.inner_text("main")
            for english in words["english"] + ["None"]:
                assert not re.search(rf"\b{re.escape(english)}\b", detail), (language, width, english)
            assert all(text in detail for text in words["error"]), (language, width, detail)
            assert listed_created in detail  # the same moment, written the same way
            attempt = staff.inner_text(".salesmanago-attempt td >> nth=0").strip()
            assert shape(attempt) == shape(listed_created), (attempt, listed_created)
            assert staff.evaluate(CLIPPED_BUTTONS) == [], (language, width)
            assert staff.locator(".w-slim-header, header").get_by_text(
                "Resend" if language == "en" else "Wyślij ponownie").first.is_visible()
            assert badge_colour(staff, "failed")
            if language == "pl" and width == 1400:
                staff.screenshot(path=shots / "delivery.png", full_page=True)
