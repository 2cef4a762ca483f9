"""Real Chromium (Debian's, driven by Playwright) against `make demo`: editor, visitor, sandbox, log.

Screenshots go to $SCREENSHOTS_DIR (the documentation's, docs/screenshots/, come from `make screenshots`), else to a temp dir.
"""

import time

import pytest
import requests

from tests.demo_process import running_demo
from tests.helpers import BROWSER_TEST_MARKS, answer_survey, log_in

pytestmark = BROWSER_TEST_MARKS


def contacts(demo):
    return {c["email"]: c for c in requests.get(f"{demo.sandbox_url}/sandbox/contacts.json",
                                                timeout=10).json()}


def test_editor_turns_export_on_a_visitor_answers_and_the_delivery_shows(browser, demo, shots):
    editor = log_in(browser, demo)
    editor.goto(demo.find(r"Edit the survey: (\S+)"))
    tab = editor.locator("[role=tabpanel]:has(input[name=salesmanago_enabled])").get_attribute("id")
    editor.click(f"a[href='#{tab}']")
    editor.uncheck("input[name=salesmanago_enabled]")
    editor.check("input[name=salesmanago_enabled]")
    editor.fill("input[name=salesmanago_tag]", "klienci e2e, ankieta")
    editor.locator(".salesmanago-preview").scroll_into_view_if_needed()
    editor.screenshot(path=shots / "editor-panel.png")
    editor.click("footer [data-w-dropdown-target=toggle]")
    editor.click("button[name=action-publish]")
    editor.wait_for_selector(".messages .success")

    visitor = browser.new_page(viewport={"width": 900, "height": 900})
    link = demo.find(r"(\S+\?smclientid=\S+)")
    visitor.goto(link)
    visitor.screenshot(path=shots / "survey.png")
    answer_survey(visitor, link)

    demo_contact = contacts(demo)["demo.kontakt@example.com"]
    assert demo_contact["tags"] == ["DEMO", "KLIENCI_E2E", "ANKIETA"]
    assert demo_contact["properties"]["ankieta.Jak-oceniasz-nasza-obsluge?"] == "Dobrze"
    assert demo_contact["properties"]["ankieta.Z-czego-korzystales?"] == "Infolinia"
    sandbox = browser.new_page(viewport={"width": 1000, "height": 900})
    sandbox.goto(f"{demo.sandbox_url}/sandbox/")
    sandbox.screenshot(path=shots / "sandbox.png")

    editor.goto(f"{demo.site_url}/admin/salesmanago/deliveries/")
    # The list cuts a contact ID short; the link's title has it whole.
    row = editor.locator("tr", has=editor.locator(f"a[title='{demo_contact['contactId']}']"))
    assert "po ID kontaktu" in row.inner_text()  # the admin is in Polish here
    row.locator("a[href*='/inspect/']").first.click()
    editor.wait_for_selector(".salesmanago-attempt")
    assert "ankieta.Jak-oceniasz-nasza-obsluge?" in editor.inner_text("pre.salesmanago-payload")


def test_a_visitor_without_an_id_answers_with_an_email_and_is_created(browser, demo):
    visitor = browser.new_page()
    answer_survey(visitor, demo.find(r"Survey:\s+(\S+)"), email="nowa.osoba@example.com")

    created = contacts(demo)["nowa.osoba@example.com"]
    assert created["tags"] == ["BADANIE_SATYSFAKCJI"]
    assert created["properties"]["ankieta.Twoj-adres-e-mail"] == "nowa.osoba@example.com"


def add_question(editor, label, field_type, target, consent_name=""):
    """Add a question in the form builder and choose where its answer goes in SALESmanago."""
    index = editor.locator("input[name$='-label'][name^='form_fields-']").count()
    editor.click("#id_form_fields-ADD")
    prefix = f"form_fields-{index}-"
    editor.fill(f"input[name={prefix}label]", label)
    editor.uncheck(f"input[name={prefix}required]")
    editor.select_option(f"select[name={prefix}field_type]", field_type)
    editor.select_option(f"select[name={prefix}salesmanago_target]", target)
    if consent_name:
        editor.fill(f"input[name={prefix}salesmanago_consent_name]", consent_name)
    return prefix


def test_editor_maps_questions_to_the_contact_card_and_a_visitors_lead_arrives(browser, demo, shots):
    # Wagtail's own page editor runs inline scripts, so this test runs without DEMO_CSP (the
    # settings screen's test below covers our admin JavaScript under a strict policy).
    editor = log_in(browser, demo, browser.new_page(viewport={"width": 1280, "height": 1100}))
    editor.goto(demo.find(r"Edit the survey: (\S+)"))
    add_question(editor, "Imię i nazwisko", "singleline", "name")
    add_question(editor, "Telefon", "singleline", "phone")
    consent_question = add_question(editor, "Zgoda na newsletter", "checkbox", "consent", "NEWSLETTER")
    editor.locator(f"[name={consent_question}choices]").evaluate("e => e.scrollIntoView({block: 'center'})")
    editor.screenshot(path=shots / "editor-form-builder.png")

    tab = editor.locator("[role=tabpanel]:has(input[name=salesmanago_enabled])").get_attribute("id")
    editor.click(f"a[href='#{tab}']")
    editor.check("input[name=salesmanago_double_opt_in]")
    editor.fill("input[name=salesmanago_double_opt_in_email_id]", "potwierdzenie-e2e")
    editor.fill("input[name=salesmanago_double_opt_in_language]", "pl")
    editor.click("footer [data-w-dropdown-target=toggle]")
    editor.click("button[name=action-publish]")
    editor.wait_for_selector(".messages .success")

    # The preview shows the page as last saved: what SALESmanago will get from now on.
    editor.goto(demo.find(r"Edit the survey: (\S+)"))
    editor.click(f"a[href='#{tab}']")
    preview = editor.locator(".salesmanago-preview")
    preview.evaluate("e => e.scrollIntoView({block: 'center'})")
    questions = preview.locator(".salesmanago-details tbody td:first-child").all_inner_texts()
    targets = dict(zip(questions, preview.locator(".salesmanago-target").all_inner_texts()))
    assert targets["Imię i nazwisko"] == "imię i nazwisko (razem)"  # the admin is in Polish here
    assert targets["Telefon"] == "telefon"
    assert targets["Zgoda na newsletter"] == "zgoda „NEWSLETTER”"
    assert "potwierdzenie-e2e" in preview.locator(".salesmanago-opt-in").inner_text()
    editor.screenshot(path=shots / "editor-lead-preview.png")

    visitor = browser.new_page(viewport={"width": 900, "height": 1200})
    visitor.goto(demo.find(r"Survey:\s+(\S+)"))
    visitor.fill("input[type=email]", "lead.e2e@example.com")
    visitor.get_by_label("Imię i nazwisko").fill("Anna Nowak")
    visitor.get_by_label("Telefon").fill("+48 600 100 200")
    visitor.get_by_label("Zgoda na newsletter").check()
    visitor.check("input[type=radio][value=Dobrze]")
    before = int(time.time() * 1000)
    visitor.click("input[type=submit]")
    visitor.wait_for_selector("text=Twoje odpowiedzi trafiły do nas")
    after = int(time.time() * 1000)

    lead = contacts(demo)["lead.e2e@example.com"]
    assert (lead["name"], lead["phone"]) == ("Anna Nowak", "+48 600 100 200")
    consent = lead["consents"]["NEWSLETTER"]
    assert consent["consentAccept"] is True and consent["ip"] == "127.0.0.1"
    assert before <= consent["agreementDate"] <= after  # the submission's time, in ms
    assert lead["double_opt_in_emails_sent"] == 1
    assert (lead["double_opt_in_email_id"], lead["double_opt_in_language"]) == (
        "potwierdzenie-e2e", "PL")
    assert lead["email_opt_in"] == "pending confirmation"


def test_editor_sets_a_rule_tags_answers_asks_sms_consent_and_a_campaigns_visitor_arrives_with_it(
        browser, demo, shots):
    """Issue 26: an export rule, an answer as a tag, an SMS consent, and campaign attribution,
    end to end."""
    editor = log_in(browser, demo, browser.new_page(viewport={"width": 1280, "height": 1100}))
    editor.goto(demo.find(r"Edit the survey: (\S+)"))
    channels = editor.locator("input[name$='-label'][value='Z czego korzystałeś?']").get_attribute(
        "name").removesuffix("label")
    editor.select_option(f"select[name={channels}salesmanago_tag_mode]", "question_and_value")
    add_question(editor, "Telefon", "singleline", "phone")
    sms = add_question(editor, "Zgoda na SMS", "checkbox", "sms_consent", "SMS")
    editor.locator(f"[name={sms}salesmanago_tag_mode]").evaluate(
        "e => e.scrollIntoView({block: 'center'})")
    editor.screenshot(path=shots / "editor-tags-sms.png")
    # A rule: only answers that tick the SMS consent go, tagged.
    tab = editor.locator("[role=tabpanel]:has(input[name=salesmanago_enabled])").get_attribute("id")
    editor.click(f"a[href='#{tab}']")
    editor.click("#id_salesmanago_rules-ADD")
    editor.fill("input[name='salesmanago_rules-0-question']", "Zgoda na SMS")
    editor.select_option("select[name='salesmanago_rules-0-condition']", "checked")
    editor.fill("input[name='salesmanago_rules-0-tags']", "lead sms")
    editor.locator("input[name='salesmanago_rules-0-tags']").evaluate(
        "e => e.scrollIntoView({block: 'center'})")
    editor.screenshot(path=shots / "editor-rule.png")
    editor.click("footer [data-w-dropdown-target=toggle]")
    editor.click("button[name=action-publish]")
    editor.wait_for_selector(".messages .success")

    editor.goto(demo.find(r"Edit the survey: (\S+)"))
    editor.click(f"a[href='#{tab}']")
    preview = editor.locator(".salesmanago-preview")
    preview.evaluate("e => e.scrollIntoView({block: 'center'})")
    rows = {row.locator("td").first.inner_text(): row.locator(".salesmanago-target").inner_text()
            for row in preview.locator(".salesmanago-details tbody tr").all()}
    assert rows["Zgoda na SMS"] == "zgoda na SMS „SMS”"  # the admin is in Polish here
    assert "Z_CZEGO_KORZYSTALES_-INFOLINIA" in rows["Z czego korzystałeś?"]
    assert "Zgody na SMS: SMS." in preview.locator(".salesmanago-opt-in").inner_text()
    assert "„Zgoda na SMS” jest zaznaczone: dodaje tagi LEAD_SMS" in preview.locator(
        ".salesmanago-rules").inner_text()
    preview.locator(".salesmanago-details").evaluate("e => e.scrollIntoView({block: 'end'})")
    editor.screenshot(path=shots / "editor-preview-tags.png")

    # The visitor comes from a campaign, reads another page first, then answers.
    visitor = browser.new_page(viewport={"width": 900, "height": 1200})
    survey = demo.find(r"Survey:\s+(\S+)")
    lead_form = demo.find(r"Lead form:\s+(\S+)")
    visitor.goto(lead_form + "?utm_source=newsletter&utm_medium=email&utm_campaign=jesien",
                 referer="https://poczta.example.net/skrzynka")
    visitor.goto(survey)
    visitor.fill("input[type=email]", "kampania.e2e@example.com")
    visitor.get_by_label("Telefon").fill("+48 600 100 300")
    visitor.get_by_label("Zgoda na SMS").check()
    answer_survey(visitor, None)

    # Another visitor leaves the SMS consent unticked: the rule keeps the answer back.
    answer_survey(browser.new_page(), survey, email="bez.sms@example.com")
    assert "bez.sms@example.com" not in contacts(demo)

    contact = contacts(demo)["kampania.e2e@example.com"]
    assert contact["tags"] == ["BADANIE_SATYSFAKCJI", "Z_CZEGO_KORZYSTALES_-INFOLINIA", "LEAD_SMS"]
    assert (contact["phone"], contact["phone_opt_in"]) == ("+48 600 100 300", "opted in")
    assert contact["consents"]["SMS"]["consentAccept"] is True
    assert {k: v for k, v in contact["properties"].items() if "utm" in k or "_page" in k
            or "referrer" in k} == {
        "ankieta.utm_source": "newsletter", "ankieta.utm_medium": "email",
        "ankieta.utm_campaign": "jesien", "ankieta.referrer": "https://poczta.example.net/skrzynka",
        "ankieta.landing_page": lead_form,
    }


STRICT_CSP = "script-src 'self'; object-src 'none'; base-uri 'self'"


@pytest.fixture
def strict_demo(tmp_path):
    with running_demo(tmp_path, DEMO_CSP=STRICT_CSP) as running:
        yield running


def test_settings_and_test_connection_work_under_a_strict_content_security_policy(
        browser, strict_demo, shots, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 1300})
    console = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    log_in(browser, strict_demo, page)
    response = page.goto(f"{strict_demo.site_url}/admin/settings/wagtail_salesmanago/salesmanagosettings/")
    assert response.headers["content-security-policy"] == STRICT_CSP

    test_button = "[data-action='salesmanago-connection-test#test']"
    page.click(test_button)
    page.wait_for_selector("text=Połączenie z SALESmanago działa")
    owners = page.eval_on_selector_all("#salesmanago-owners option", "options => options.map(o => o.value)")
    assert owners and page.get_attribute("input[name=owner_email]", "list") == "salesmanago-owners"
    page.screenshot(path=shots / "settings.png")

    # A new client ID with the stored secret: refused in the browser, nothing sent.
    page.fill("input[name=client_id]", "inny-klient")
    page.click(test_button)
    page.wait_for_selector("text=Zmieniono endpoint lub client ID: wpisz ponownie API secret.")
    page.screenshot(path=tmp_path / "settings-secret-again.png")
    assert not [line for line in console if "Content Security Policy" in line or "pageerror" in line]

    # The policy is in force: an inline script is refused.
    with pytest.raises(Exception):
        page.add_script_tag(content="window.inlineRan = true")
    assert page.evaluate("window.inlineRan") is None


def test_the_monitoring_code_starts_only_after_the_visitors_consent(browser, demo):
    """The demo's pages carry {% salesmanago_monitoring_code %} (the sandbox's sm.js stands for
    SALESmanago's) and a cookie banner that uses the documented consent hook."""
    visitor = browser.new_context().new_page()
    loaded = []
    visitor.on("request", lambda request: loaded.append(request.url))
    survey = demo.find(r"Survey:\s+(\S+)")
    visitor.goto(survey)
    visitor.wait_for_load_state("networkidle")
    assert not [url for url in loaded if url.endswith("/static/sm.js")]  # no consent, no tracking
    assert visitor.evaluate("typeof window.SalesmanagoSandbox") == "undefined"
    assert "smuuid" not in {c["name"] for c in visitor.context.cookies()}

    visitor.click("#demo-consent button")
    visitor.wait_for_function("window.SalesmanagoSandbox !== undefined")
    assert f"{demo.sandbox_url}/static/sm.js" in loaded
    assert visitor.evaluate("window.SalesmanagoSandbox.smid") == "sandbox-client"
    assert "smuuid" in {c["name"] for c in visitor.context.cookies()}
    assert visitor.locator("#demo-consent").is_hidden()

    # The next page: consent is known, the code starts by itself.
    visitor.goto(survey)
    visitor.wait_for_function("window.SalesmanagoSandbox !== undefined")


def test_staff_erase_a_person_and_nothing_of_theirs_is_left_anywhere(browser, demo, shots):
    """Issue 27: a lead answers; staff erase them (here and in SALESmanago); every column of every
    table the package owns is searched for the address."""
    email = "do.usuniecia@example.com"
    visitor = browser.new_page(viewport={"width": 900, "height": 1200})
    visitor.goto(demo.find(r"Lead form:\s+(\S+)"))
    visitor.get_by_label("Imię i nazwisko").fill("Ewa Usuwana")
    visitor.get_by_label("Adres e-mail").fill(email)
    visitor.get_by_label("Chcę otrzymywać newsletter").check()
    visitor.click("input[type=submit]")
    visitor.wait_for_selector("text=Sprawdź skrzynkę")
    assert email in contacts(demo)
    assert owned_rows_with(demo.database, email)

    editor = log_in(browser, demo, browser.new_page(viewport={"width": 1024, "height": 900}))
    editor.goto(f"{demo.site_url}/admin/salesmanago/erase/")
    editor.fill("input[name=email]", email)
    editor.check("input[name=in_salesmanago]")
    editor.click(".nice-padding button[type=submit]")
    editor.wait_for_selector("text=Tego nie da się cofnąć")  # the admin is in Polish here
    editor.screenshot(path=shots / "erase-confirm.png")
    editor.click("button.no")
    editor.wait_for_selector(".messages .success")
    editor.screenshot(path=shots / "erase.png")
    assert "Usunięto 1 eksport." in editor.inner_text(".messages")

    deadline = time.monotonic() + 30  # a worker may take the deletion in SALESmanago a moment later
    while email in contacts(demo) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert email not in contacts(demo)
    assert owned_rows_with(demo.database, email) == []
    assert email not in editor.content()


def owned_rows_with(database, text):
    """Every row of the package's tables in ``database`` with ``text`` in any column."""
    import sqlite3

    with sqlite3.connect(database) as connection:
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE "
            "'wagtail_salesmanago_%'")]
        assert "wagtail_salesmanago_exportrecord" in tables
        found = []
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                if any(text.lower() in str(value).lower() for value in row):
                    found.append((table, row[0]))
        return found
