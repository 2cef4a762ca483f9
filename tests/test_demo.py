"""`make demo`'s script, end to end: a newcomer answers the seeded survey and sees the contact."""

import re

import pytest
import requests

from tests.demo_process import running_demo
from tests.helpers import read_form


@pytest.fixture
def demo(tmp_path):
    with running_demo(tmp_path) as running:
        yield running.output, running.sandbox_url


@pytest.mark.slow
def test_demo_serves_the_survey_and_the_sandbox_shows_the_contact(demo):
    output, sandbox_url = demo
    survey_url = re.search(r"Survey:\s+(\S+)", output).group(1)
    link = re.search(r"(\S+\?smclientid=\S+)", output).group(1)
    assert re.search(r"Admin:\s+\S+/admin/\s+\(user: admin, password: \S+\)", output)
    assert survey_url.endswith("/badanie-satysfakcji/")

    for url, email in ((survey_url, "nowa@example.com"), (link, "")):
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

    contacts = {c["email"]: c for c in requests.get(f"{sandbox_url}/sandbox/contacts.json",
                                                    timeout=10).json()}
    assert contacts["nowa@example.com"]["tags"] == ["BADANIE_SATYSFAKCJI"]
    assert contacts["nowa@example.com"]["properties"]["ankieta.Jak-oceniasz-nasza-obsluge?"] == "Dobrze"
    demo_contact = contacts["demo.kontakt@example.com"]
    assert demo_contact["tags"] == ["DEMO", "BADANIE_SATYSFAKCJI"]
    assert demo_contact["properties"] == {"ankieta.Jak-oceniasz-nasza-obsluge?": "Dobrze"}


def form_names(html):
    return set(re.findall(r'name="([^"]+)"', html))
