"""`make demo`'s script, end to end: a newcomer answers the seeded survey and the lead form and sees
the contacts."""

import re
import sqlite3
import time

import pytest
import requests

from tests.demo_process import running_demo
from tests.helpers import read_form


# One demo for the module: each test answers as its own contact. Its retry timer runs every second
# and a failed delivery waits a second for its retry, where a real site waits minutes.
@pytest.fixture(scope="module")
def fresh_demo(tmp_path_factory):
    # On a new database, as `make demo` on a fresh machine (the browser tests start from a copy).
    with running_demo(tmp_path_factory.mktemp("demo"), fresh=True, DEMO_RETRY_SECONDS="1",
                      DEMO_RETRY_BASE_SECONDS="1") as running:
        yield running


@pytest.mark.slow
@pytest.mark.own_database
def test_demo_serves_the_survey_and_the_sandbox_shows_the_contact(fresh_demo):
    output, sandbox_url = fresh_demo.output, fresh_demo.sandbox_url
    survey_url = re.search(r"Survey:\s+(\S+)", output).group(1)
    link = re.search(r"(\S+\?smclientid=\S+)", output).group(1)
    assert re.search(r"Admin:\s+\S+/admin/\s+\(user: admin, password: \S+\)", output)
    assert survey_url.endswith("/badanie-satysfakcji/")

    for url, email in ((survey_url, "nowa@example.com"), (link, "")):
        answer_survey_over_http(url, email)

    contacts = sandbox_contacts(sandbox_url)
    assert contacts["nowa@example.com"]["tags"] == ["BADANIE_SATYSFAKCJI"]
    assert contacts["nowa@example.com"]["properties"]["ankieta.Jak-oceniasz-nasza-obsluge?"] == "Dobrze"
    demo_contact = contacts["demo.kontakt@example.com"]
    assert demo_contact["tags"] == ["DEMO", "BADANIE_SATYSFAKCJI"]
    assert demo_contact["properties"] == {"ankieta.Jak-oceniasz-nasza-obsluge?": "Dobrze"}


@pytest.mark.slow
@pytest.mark.own_database
def test_demo_lead_form_fills_the_contact_card_and_asks_for_confirmation(fresh_demo):
    output, sandbox_url = fresh_demo.output, fresh_demo.sandbox_url
    lead_url = re.search(r"Lead form:\s+(\S+)", output).group(1)
    assert lead_url.endswith("/newsletter/")

    session = requests.Session()
    page = session.get(lead_url, timeout=10)
    assert "Zapisz się na newsletter" in page.text
    form = read_form(page.text)
    field = {prefix: next(n for n in form_names(page.text) if n.startswith(prefix))
             for prefix in ("imie", "adres", "telefon", "firma", "branza", "chce", "zgadzam")}
    answer = session.post(lead_url.split("/newsletter", 1)[0] + form.action, timeout=10, data={
        **form.values, field["imie"]: "Jan Kowalski", field["adres"]: "jan.kowalski@example.com",
        field["telefon"]: "+48 600 700 800", field["firma"]: "Kowalski sp. z o.o.", field["chce"]: "on",
        field["branza"]: "Usługi", field["zgadzam"]: "on",
    })
    assert answer.status_code == 200
    assert "Sprawdź skrzynkę" in answer.text

    lead = sandbox_contacts(sandbox_url)["jan.kowalski@example.com"]
    assert (lead["name"], lead["phone"], lead["company"]) == (
        "Jan Kowalski", "+48 600 700 800", "Kowalski sp. z o.o.")
    assert lead["tags"] == ["NEWSLETTER", "LEAD", "USLUGI"]
    for name in ("NEWSLETTER", "SMS"):
        consent = lead["consents"][name]
        assert consent["consentAccept"] is True and consent["ip"] == "127.0.0.1"
    assert (lead["email_opt_in"], lead["phone_opt_in"]) == ("pending confirmation", "opted in")
    assert lead["double_opt_in_emails_sent"] == 1
    assert (lead["double_opt_in_email_id"], lead["double_opt_in_language"]) == (
        "demo-potwierdzenie-newslettera", "PL")

    # The contact confirms in the sandbox; SALESmanago's opt-in callback reaches the demo site.
    confirmed = requests.post(f"{sandbox_url}/sandbox/confirm",
                              json={"email": "jan.kowalski@example.com"}, timeout=10).json()
    assert confirmed["callback"]["status"] == 200, confirmed
    assert confirmed["callback"]["answer"] == {"success": True, "message": "OK"}
    with sqlite3.connect(fresh_demo.database) as connection:
        assert connection.execute(
            "SELECT opt_in_state FROM wagtail_salesmanago_exportrecord WHERE email = ?",
            ["jan.kowalski@example.com"]).fetchall() == [("confirmed",)]


@pytest.mark.slow
@pytest.mark.own_database
def test_demo_retries_a_delivery_that_failed(fresh_demo):
    """SALESmanago fails while a visitor answers; the demo's retry timer sends the contact later."""
    assert re.search(r"Retries:\s+salesmanago_retry runs every 1 s", fresh_demo.output)
    control = f"{fresh_demo.sandbox_url}/sandbox/control"
    requests.post(control, json={"status": 500}, timeout=10).raise_for_status()
    try:
        answer_survey_over_http(fresh_demo.find(r"Survey:\s+(\S+)"), "ponowna@example.com")
        assert "ponowna@example.com" not in sandbox_contacts(fresh_demo.sandbox_url)
    finally:
        requests.post(control, json={"status": None}, timeout=10).raise_for_status()

    # Waiting for an outcome, not timing it: the retry comes within seconds.
    deadline = time.monotonic() + 90
    while "sent: 1." not in fresh_demo.printed() and time.monotonic() < deadline:
        time.sleep(0.5)
    printed = fresh_demo.printed()
    assert re.search(r"salesmanago_retry: 1 due; sent: 1\.", printed), printed
    contact = sandbox_contacts(fresh_demo.sandbox_url)["ponowna@example.com"]
    assert contact["tags"] == ["BADANIE_SATYSFAKCJI"]
    assert contact["properties"]["ankieta.Jak-oceniasz-nasza-obsluge?"] == "Dobrze"


def answer_survey_over_http(url, email):
    """Answer the seeded survey at ``url`` as a visitor: "Dobrze", with ``email``."""
    session = requests.Session()
    page = session.get(url, timeout=10)
    form = read_form(page.text)
    radio = next(n for n in form_names(page.text) if n.startswith("jak_oceniasz"))
    email_field = next(n for n in form_names(page.text) if n.startswith("twoj_adres"))
    data = {**form.values, radio: "Dobrze", email_field: email}
    site = url.split("/badanie", 1)[0]
    answer = session.post(site + form.action, data=data, timeout=10)
    assert answer.status_code == 200
    assert "Twoje odpowiedzi trafiły do nas" in answer.text


def sandbox_contacts(sandbox_url):
    contacts = requests.get(f"{sandbox_url}/sandbox/contacts.json", timeout=10).json()
    return {contact["email"]: contact for contact in contacts}


def form_names(html):
    return set(re.findall(r'name="([^"]+)"', html))
