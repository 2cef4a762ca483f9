"""One endpoint validator for the form, Test connection, the configuration and the client."""

import pytest
import requests
import responses
from django.core.exceptions import ValidationError

from tests.helpers import (
    URL_SHAPE, answer, connection_url, leave_out, make_form_page, typed)
from wagtail_salesmanago.api.client import SalesmanagoClient, base_url
from wagtail_salesmanago.api.endpoint import parse_endpoint, same_endpoint, validate_endpoint
from wagtail_salesmanago.api.exceptions import NotConfigured
from wagtail_salesmanago.models import ExportRecord, SalesmanagoSettings

HOST_SHAPE = "Enter the host name only, like app3.salesmanago.pl, or a full URL."
INVISIBLE = "Remove the spaces and invisible characters from the endpoint."
USERINFO = "Leave the user name and password out of the endpoint."
PORT = "Enter a port number from 1 to 65535."
LOCAL = "only with DEBUG or WAGTAIL_SALESMANAGO_ALLOW_HTTP = True (for a local sandbox)."
HTTP = "Use https://. Plain http:// is allowed " + LOCAL
OTHER_PORT = "Use the standard https port. Other ports are allowed " + LOCAL


@pytest.mark.parametrize(
    "endpoint, url",
    [
        ("app3.salesmanago.pl", "https://app3.salesmanago.pl"),
        (" APP3.salesmanago.pl. ", "https://app3.salesmanago.pl"),
        ("https://www.salesmanago.com/", "https://www.salesmanago.com"),
        ("HTTPS://www.salesmanago.com:443", "https://www.salesmanago.com"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("localhost:8765", "https://localhost:8765"),
        ("http://[::1]:8765/", "http://[::1]:8765"),
        ("X.example.com", "https://x.example.com"),
        ("https://h:1", "https://h:1"),
        ("h:65535", "https://h:65535"),
    ],
)
def test_endpoints_are_rebuilt_from_scheme_host_and_port(endpoint, url):
    assert base_url(endpoint) == url
    assert parse_endpoint(endpoint).api_url("contact/upsert") == f"{url}/api/contact/upsert"


@pytest.mark.parametrize(
    "endpoint, message",
    [
        ("https://h#", leave_out("#")),
        ("https://h?", leave_out("?")),
        ("https://h/?x=1", leave_out("/?x=1")),
        ("http://127.0.0.1:8765/sandbox/reset#", leave_out("/sandbox/reset#")),
        ("https://app3.salesmanago.pl/api", leave_out("/api")),
        ("app3.salesmanago.pl/api/contact", leave_out("/api/contact")),  # the host, then a path
        ("https://h/go?to=https://x", leave_out("/go?to=https://x")),  # a URL in the URL
        ("https://h\\evil", URL_SHAPE),
        ("https://h%2Fevil", URL_SHAPE),
        ("ftp://app3.salesmanago.pl", URL_SHAPE),
        ("https://", URL_SHAPE),
        ("https://user:pw@h", USERINFO),
        ("https://h@evil.example", USERINFO),
        ("app3 salesmanago", INVISIBLE),
        ("https://h\n.example", INVISIBLE),
        ("https://h\x00", INVISIBLE),
        ("https://app3.sales\u200bmanago.pl", INVISIBLE),
        ("https://h:", PORT),
        ("https://h:0", PORT),
        ("https://h:65536", PORT),
        ("https://h:0443", PORT),
        ("https://h:+443", URL_SHAPE),
        ("app3..salesmanago.pl", HOST_SHAPE),
        ("-app3.salesmanago.pl", HOST_SHAPE),
        ("https://[::1", URL_SHAPE),
        ("[zz::1]", HOST_SHAPE),
        ("https://[zz::1]", URL_SHAPE),  # a URL's host: the URL's message
        ("https://app3..salesmanago.pl", URL_SHAPE),
        ("app3.salesmanago.pl\n", INVISIBLE),  # only spaces are trimmed
        ("[1::2::3]", HOST_SHAPE),
        ("", HOST_SHAPE),
    ],
)
def test_anything_but_a_server_is_refused_everywhere(endpoint, message, settings):
    settings.WAGTAIL_SALESMANAGO_ALLOW_HTTP = True
    with pytest.raises(ValidationError) as error:
        validate_endpoint(endpoint)
    assert error.value.messages == [message]
    assert error.value.code == "invalid"
    with pytest.raises(NotConfigured, match="is not valid"):
        SalesmanagoClient(endpoint, "c", "secret")


@pytest.mark.parametrize(
    "endpoint, message, code",
    [("http://127.0.0.1:8765", HTTP, "http"), ("https://h:8443", OTHER_PORT, "port"),
     ("h:8443", OTHER_PORT, "port")],
)
def test_http_and_other_ports_only_for_a_local_sandbox(endpoint, message, code, settings):
    settings.DEBUG, settings.WAGTAIL_SALESMANAGO_ALLOW_HTTP = False, False
    with pytest.raises(ValidationError) as error:
        validate_endpoint(endpoint)
    assert error.value.messages == [message]
    assert error.value.code == code  # a site's own form can tell the two apart
    settings.WAGTAIL_SALESMANAGO_ALLOW_HTTP = True
    validate_endpoint(endpoint)
    settings.DEBUG, settings.WAGTAIL_SALESMANAGO_ALLOW_HTTP = True, False
    validate_endpoint(endpoint)


def test_same_endpoint_compares_scheme_host_and_port():
    assert same_endpoint("app3.salesmanago.pl", "https://APP3.salesmanago.pl:443/")
    assert not same_endpoint("app3.salesmanago.pl", "http://app3.salesmanago.pl")
    assert not same_endpoint("app3.salesmanago.pl", "app3.salesmanago.pl:8443")
    assert not same_endpoint("app3.salesmanago.pl", "app2.salesmanago.pl")


def test_endpoints_that_cannot_be_read_are_the_same_only_as_the_same_text():
    assert same_endpoint(" not an endpoint ", "not an endpoint")
    assert not same_endpoint("not an endpoint", "not an endpoint either")
    assert same_endpoint(None, "") and same_endpoint("", None)  # none set, either way


@responses.activate
def test_the_client_calls_only_api_paths_on_the_endpoint():
    responses.post("https://app3.salesmanago.pl/api/user/listByClient",
                   json={"success": True, "message": [], "users": []})
    client = SalesmanagoClient("app3.salesmanago.pl:443/", "c", "secret", session=requests.Session())
    client.call("user/listByClient", {})
    assert [call.request.url for call in responses.calls] == [
        "https://app3.salesmanago.pl/api/user/listByClient"]
    for path in ("../sandbox/reset", "user/listByClient#", "user/listByClient?x=1", "/x", ""):
        with pytest.raises(ValueError, match="Not a SALESmanago API path"):
            client.call(path, {})
    assert len(responses.calls) == 1


@pytest.mark.django_db
def test_connection_test_validates_the_endpoint_and_calls_nothing_else(
        admin, sm, site, settings, client, on_commit):
    with on_commit():
        answer(client, make_form_page(), {"Twój e-mail": "jan@example.com"})
    seen = sm.requests()
    for endpoint, message in [
        (f"{sm.url}/sandbox/reset#", leave_out("/sandbox/reset#")),
        (f"{sm.url}/sandbox/reset?", leave_out("/sandbox/reset?")),
        (f"{sm.url}/sandbox/reset", leave_out("/sandbox/reset")),
        (sm.url.replace("://", "://user:pw@"), "Leave the user name and password out of the endpoint."),
    ]:
        for secret in (sm.api_secret, ""):
            data = admin.post(connection_url(site), typed(sm, endpoint=endpoint, api_secret=secret))
            assert data.json() == {"ok": False, "message": message, "users": []}
    settings.WAGTAIL_SALESMANAGO_ALLOW_HTTP = False
    data = admin.post(connection_url(site), typed(sm)).json()
    assert data["message"].startswith("Use https://. Plain http:// is allowed only with DEBUG")
    data = admin.post(connection_url(site), {}).json()  # nothing posted: the stored endpoint
    assert data["message"].startswith("Use https://. Plain http:// is allowed only with DEBUG")
    assert sm.requests() == seen
    assert [contact["email"] for contact in sm.contacts()] == ["jan@example.com"]


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["configuration", "admin"])
def test_an_endpoint_that_fails_validation_is_reported_and_not_used(
        sm, site, settings, client, on_commit, where):
    from django.core.checks import run_checks

    page = make_form_page()
    with on_commit():
        answer(client, page, {"Twój e-mail": "jan@example.com"})
    bad = f"{sm.url}/sandbox/reset#"
    if where == "configuration":
        settings.WAGTAIL_SALESMANAGO = {"default": {"endpoint": bad}}
        check, tags = "wagtail_salesmanago.E004", None
    else:
        SalesmanagoSettings.objects.update(endpoint=bad)  # stored before validation was strict
        check, tags = "wagtail_salesmanago.W002", ["database"]
    messages = {m.id: m.msg for m in run_checks(tags=tags, databases=["default"])}
    assert messages[check].endswith(f"is not used: {leave_out('/sandbox/reset#')}")

    with on_commit():
        answer(client, page, {"Twój e-mail": "ewa@example.com"})
    record = ExportRecord.objects.latest("pk")
    assert record.status != "sent" and "is not used" in record.last_error
    assert len(sm.requests()) == 1
    assert [contact["email"] for contact in sm.contacts()] == ["jan@example.com"]


@pytest.mark.parametrize("last, ok", [(61, True), (62, False)])
def test_a_host_name_takes_253_characters_at_most(last, ok):
    host = ".".join(["a" * 63] * 3 + ["b" * last])  # 253 characters, then 254
    if ok:
        assert validate_endpoint(host).url == f"https://{host}"
        return
    with pytest.raises(ValidationError) as error:
        validate_endpoint(host)
    assert error.value.messages == [HOST_SHAPE]


def test_a_long_path_is_quoted_by_its_first_64_characters():
    path = "/" + "a" * 63 + "bcdef" * 40  # 264 characters: the message shows the first 64
    with pytest.raises(ValidationError) as caught:
        parse_endpoint("app3.salesmanago.pl" + path)
    assert caught.value.messages == [leave_out("/" + "a" * 63)]
