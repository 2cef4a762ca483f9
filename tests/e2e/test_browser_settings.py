"""Real Chromium against `make demo`: the settings screen at 1024px in Polish."""

from tests.helpers import BROWSER_TEST_MARKS, log_in

pytestmark = BROWSER_TEST_MARKS


def test_test_connection_checks_the_endpoint_as_save_does(browser, demo, shots):
    page = browser.new_page(viewport={"width": 1024, "height": 1300})
    log_in(browser, demo, page)
    page.goto(f"{demo.site_url}/admin/settings/wagtail_salesmanago/salesmanagosettings/")
    test_button = "[data-action='salesmanago-connection-test#test']"
    page.click(test_button)
    success = page.wait_for_selector(".salesmanago-connection-result li.success")
    assert success.query_selector("svg.messages-icon") and "działa" in success.inner_text()
    # The keyboard focus stays on the button, not lost to <body>.
    assert page.evaluate("document.activeElement.dataset.action") == "salesmanago-connection-test#test"
    page.screenshot(path=shots / "settings-1024.png")

    page.fill("input[name=endpoint]", "app3.salesmanago.pl/api")
    page.click(test_button)
    tested = page.wait_for_selector(".salesmanago-connection-result li.error").inner_text().strip()
    with page.expect_navigation():
        page.click("footer button[type=submit]")
    saved = page.inner_text(".w-field__wrapper:has(input[name=endpoint]) .error-message").strip()
    page.screenshot(path=shots / "settings-endpoint-with-a-path.png", full_page=True)
    assert tested == saved and tested
