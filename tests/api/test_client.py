"""The API client, against `responses`: exact bodies, the signature, each error class."""

import hashlib
import http.server
import json
import threading
import time

import pytest
import requests
import responses
from django.core.exceptions import ImproperlyConfigured

from wagtail_salesmanago import __version__
from wagtail_salesmanago.api.client import SalesmanagoClient, base_url
from wagtail_salesmanago.api.exceptions import (
    AccessDeniedError,
    AuthenticationError,
    NotConfigured,
    PermanentError,
    SalesmanagoError,
    TransientError,
    UnknownContactError,
)
from wagtail_salesmanago.checks import check_time_limits
from wagtail_salesmanago.payload import mapping

SECRET = "s3cr3t-Value"
URL = "https://app3.salesmanago.pl/api/"
OK = {"success": True, "message": [], "contactId": "21c252a6-6de0-436b-bae8-9d0142363266"}


@pytest.fixture
def responses_mock():
    """SALESmanago mocked with ``responses``: each answer a test adds must be asked for."""
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def client():
    return SalesmanagoClient("app3.salesmanago.pl", "client-1", SECRET, session=requests.Session())


def set_response(responses_mock, path, json_body=None, status=200, body=None):
    responses_mock.add(responses.POST, URL + path, json=json_body, body=body, status=status)


def sent_json(responses_mock, index=-1):
    return json.loads(responses_mock.calls[index].request.body)


def test_upsert_sends_the_exact_body_signed_with_sha(responses_mock, client):
    set_response(responses_mock, "contact/upsert", OK)
    before = int(time.time() * 1000)
    body = mapping.upsert_body(
        owner="owner@firma.pl", email="jan@example.com",
        properties={"ankieta.Ocena": "5"}, tags=["ANKIETA"],
    )

    assert client.upsert(body) == OK

    sent = sent_json(responses_mock)
    auth = {k: sent.pop(k) for k in ("clientId", "apiKey", "requestTime", "sha")}
    assert sent == {
        "owner": "owner@firma.pl",
        "contact": {"email": "jan@example.com"},
        "properties": {"ankieta.Ocena": "5"},
        "tags": ["ANKIETA"],
        "forceOptIn": False, "forceOptOut": False,
        "forcePhoneOptIn": False, "forcePhoneOptOut": False,
        "useApiDoubleOptIn": False,
        "async": False,
    }
    assert auth["clientId"] == "client-1"
    assert len(auth["apiKey"]) >= 16
    assert before <= auth["requestTime"] <= int(time.time() * 1000)
    expected_sha = hashlib.sha1((auth["apiKey"] + "client-1" + SECRET).encode("utf-8")).hexdigest()
    assert auth["sha"] == expected_sha
    assert SECRET not in responses_mock.calls[-1].request.body.decode()


def test_update_sends_contact_id_and_no_email(responses_mock, client):
    set_response(responses_mock, "contact/update", OK)
    client.update(mapping.update_body(
        owner="owner@firma.pl", contact_id="f6c5487b-369d-4107-958c-2912c1bc3f80",
        properties={"ankieta.E-mail": "inny@example.com"}, tags=[],
    ))
    sent = sent_json(responses_mock)
    for key in ("clientId", "apiKey", "requestTime", "sha"):
        sent.pop(key)
    assert sent == {
        "owner": "owner@firma.pl",
        "contactId": "f6c5487b-369d-4107-958c-2912c1bc3f80",
        "properties": {"ankieta.E-mail": "inny@example.com"},
        "tags": [],
    }


@pytest.mark.parametrize(
    "users, expected",
    [
        # The documented shape: plain e-mail strings.
        (["anna@firma.pl", "crm@firma.pl"], ["anna@firma.pl", "crm@firma.pl"]),
        # Tolerated: dicts with an e-mail or a login.
        ([{"email": "anna@firma.pl"}, {"login": "crm@firma.pl"}], ["anna@firma.pl", "crm@firma.pl"]),
        # Junk entries are ignored, not shown as users.
        ([None, 7, "", "  ", {}, {"email": None}, ["x@y.pl"], " anna@firma.pl "], ["anna@firma.pl"]),
        (None, []),
        ("anna@firma.pl", []),
    ],
)
def test_list_users_reads_the_documented_and_tolerated_shapes(
    responses_mock, client, users, expected
):
    set_response(responses_mock, "user/listByClient",
                 {"success": True, "message": [], "users": users})
    assert client.list_users("owner@firma.pl") == expected


def test_list_users_sends_the_owner_like_the_sdk(responses_mock, client):
    set_response(responses_mock, "user/listByClient", {"success": True, "message": [], "users": []})
    client.list_users("owner@firma.pl")
    sent = sent_json(responses_mock)
    assert sorted(sent) == ["apiKey", "clientId", "owner", "requestTime", "sha"]
    assert sent["owner"] == "owner@firma.pl"


@pytest.mark.parametrize(
    "tags, expected",
    [
        # As two public clients read the answer: a list of {"tag": NAME, ...}.
        ([{"tag": "VIP", "numberOfTagged": 3}, {"tag": "KLIENT"}], ["VIP", "KLIENT"]),
        ([{"tag": " VIP "}, {"tag": "VIP"}, {"tag": ""}, {"tag": 5}, "VIP", None, {}], ["VIP"]),
        ([{"tag": "X" * 300}], ["X" * 255]),
        ([{"tag": f"T{n}"} for n in range(2000)], [f"T{n}" for n in range(500)]),
        ("VIP", []),
        (None, []),
    ],
)
def test_list_tags_reads_the_tags_and_nothing_else(responses_mock, client, tags, expected):
    set_response(responses_mock, "contact/tags", {"success": True, "message": [], "tags": tags})
    assert client.list_tags("owner@firma.pl") == expected
    sent = sent_json(responses_mock)
    assert (sent["owner"], sent["showSystemTags"]) == ("owner@firma.pl", False)


def test_every_request_gets_a_fresh_api_key(responses_mock, client):
    set_response(responses_mock, "contact/upsert", OK)
    set_response(responses_mock, "contact/upsert", OK)
    client.upsert({"owner": "o@x.pl"})
    client.upsert({"owner": "o@x.pl"})
    assert sent_json(responses_mock, 0)["apiKey"] != sent_json(responses_mock, 1)["apiKey"]


def test_headers_and_timeout(responses_mock):
    set_response(responses_mock, "contact/upsert", OK)
    client = SalesmanagoClient("app3.salesmanago.pl", "c", SECRET)
    client.upsert({})
    headers = responses_mock.calls[-1].request.headers
    assert headers["Content-Type"] == "application/json;charset=UTF-8"
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"].startswith(f"wagtail-salesmanago/{__version__} ")
    assert client.timeout == (3.05, 6.95)
    assert client.deadline == 10


@pytest.mark.parametrize("timeout, deadline, expected", [
    ([1, 2], None, ((1, 2), 3)),  # a list, as settings files often hold
    ((1, 2), None, ((1, 2), 3)),
    (5, None, ((5, 5), 10)),  # one number: connect and read, as requests reads it
    ((1, 2), 4, ((1, 2), 4)),
    ((3.05, 6.95), 0.5, ((3.05, 6.95), 0.5)),
])
def test_timeout_and_deadline_settings(settings, timeout, deadline, expected):
    settings.WAGTAIL_SALESMANAGO_TIMEOUT = timeout
    settings.WAGTAIL_SALESMANAGO_DEADLINE = deadline
    client = SalesmanagoClient("h", "c", SECRET)
    assert (client.timeout, client.deadline) == expected


@pytest.mark.parametrize("name, value", [
    ("TIMEOUT", "10"), ("TIMEOUT", (1,)), ("TIMEOUT", (1, 2, 3)), ("TIMEOUT", (1, -2)),
    ("TIMEOUT", True), ("TIMEOUT", None), ("DEADLINE", "10"), ("DEADLINE", 0),
])
def test_a_wrong_timeout_or_deadline_setting_is_named(settings, name, value):
    setattr(settings, f"WAGTAIL_SALESMANAGO_{name}", value)
    message = f"WAGTAIL_SALESMANAGO_{name} must be a number of seconds"
    with pytest.raises(ImproperlyConfigured, match=message):
        SalesmanagoClient("h", "c", SECRET)
    [error] = check_time_limits()
    assert error.id == "wagtail_salesmanago.E005" and error.msg.startswith(message)


def test_time_limits_pass_the_system_check_when_they_are_seconds():
    assert check_time_limits() == []


def test_a_deadline_a_claim_does_not_outlast_twice_is_warned_about(settings):
    """A claim lapses after CLAIM_SECONDS; a send still waiting for a slow answer by then could be
    claimed and sent again by another sender."""
    settings.WAGTAIL_SALESMANAGO_DEADLINE = 300
    [warning] = check_time_limits()
    assert warning.id == "wagtail_salesmanago.W003" and "CLAIM_SECONDS" in warning.msg
    settings.WAGTAIL_SALESMANAGO_DEADLINE = 60
    assert check_time_limits() == []


@pytest.mark.parametrize(
    "endpoint, url",
    [
        ("app3.salesmanago.pl", "https://app3.salesmanago.pl"),
        (" app3.salesmanago.pl/ ", "https://app3.salesmanago.pl"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("https://www.salesmanago.com/", "https://www.salesmanago.com"),
    ],
)
def test_base_url(endpoint, url):
    assert base_url(endpoint) == url


@pytest.mark.parametrize(
    "path, kwargs, error_class, text",
    [
        ("contact/upsert", {"status": 500, "body": "Oops"}, TransientError,
         "SALESmanago had a server error. (HTTP 500, POST /api/contact/upsert)"),
        ("contact/upsert", {"status": 502, "json_body": {"success": False, "message": ["Gateway"]}},
         TransientError, "SALESmanago had a server error. SALESmanago said: Gateway (HTTP 502"),
        ("contact/upsert", {"body": "<html>Maintenance</html>"}, TransientError,
         "SALESmanago's answer was not the JSON it should be. (HTTP 200, POST /api/contact/upsert)"),
        ("contact/upsert", {"json_body": {"result": "ok"}}, TransientError,
         "SALESmanago's answer was not the JSON it should be."),
        ("contact/upsert", {"json_body": {"success": False, "message": ["Not authenticated"]}},
         AuthenticationError, "SALESmanago rejected the credentials or the owner. "
                              "SALESmanago said: Not authenticated (HTTP 200, POST /api/contact/upsert)"),
        ("contact/upsert", {"json_body": {"success": False,
                                          "message": ["Not authenticated, invalid owner"]}},
         AuthenticationError, "SALESmanago said: Not authenticated, invalid owner"),
        ("contact/upsert", {"json_body": {"success": False, "message": ["User not authenticated"]}},
         AuthenticationError, "SALESmanago said: User not authenticated"),
        # Other texts are not confirmed by any public source: not taken at their word (the
        # outbox checks the credentials to tell), whatever they seem to say.
        ("contact/upsert", {"json_body": {"success": False,
                                          "message": ["Authorization failed. Wrong clientId"]}},
         PermanentError, "SALESmanago refused the request. SALESmanago said: Authorization failed"),
        ("contact/update", {"json_body": {"success": False, "message": ["Api key not specified"]}},
         UnknownContactError, "Api key not specified"),
        # The credentials check refused, in any words: the credentials or the owner.
        ("user/listByClient", {"json_body": {"success": False, "message": ["Wrong clientId"]}},
         AuthenticationError, "SALESmanago rejected the credentials or the owner."),
        ("contact/upsert", {"status": 403, "json_body": {"success": False, "message": ["Nope"]}},
         AuthenticationError, "SALESmanago said: Nope (HTTP 403"),
        # A plain-string message is quoted as it is; a 401 is a refusal whatever its words.
        ("contact/upsert", {"status": 401, "json_body": {"success": False, "message": "Nope"}},
         AuthenticationError, "SALESmanago said: Nope (HTTP 401"),
        # Item 12: a 401/403 that is not SALESmanago's answer (a proxy, a WAF): a hold, not retries.
        ("contact/upsert", {"status": 401, "body": "<html>Unauthorized</html>"}, AccessDeniedError,
         "Access to SALESmanago was denied, and the answer was not SALESmanago's (a proxy or "
         "firewall in between?). (HTTP 401, POST /api/contact/upsert)"),
        ("contact/upsert", {"status": 403, "body": "<html>Request blocked</html>"},
         AccessDeniedError, "(HTTP 403, POST /api/contact/upsert)"),
        ("contact/update", {"json_body": {"success": False, "message": ["Contact not found"]}},
         UnknownContactError, "SALESmanago does not know this contact. SALESmanago said: Contact not found"),
        ("contact/upsert", {"json_body": {"success": False, "message": ["Email invalid"]}},
         PermanentError, "SALESmanago refused the request. SALESmanago said: Email invalid"),
    ],
)
def test_error_classes(responses_mock, client, path, kwargs, error_class, text):
    set_response(responses_mock, path, **kwargs)
    with pytest.raises(error_class) as caught:
        client.call(path, {"owner": "o@x.pl"})
    error = caught.value
    assert text in str(error)
    assert isinstance(error, requests.HTTPError)
    assert isinstance(error, SalesmanagoError)
    assert error.transient is (error_class is TransientError)
    assert error.holds_site is (error_class in (AuthenticationError, AccessDeniedError))
    assert SECRET not in str(error) and SECRET not in repr(error)
    assert error.response is not None


@pytest.mark.parametrize(
    "status, body, kind, text",
    [
        (300, "", "garbled", "SALESmanago's answer was a redirect, which is not followed."),
        (399, "", "garbled", "SALESmanago's answer was a redirect, which is not followed."),
        (400, "Bad Request", "garbled", "SALESmanago's answer was not the JSON it should be."),
        (499, "", "garbled", "SALESmanago's answer was not the JSON it should be."),
        (500, "Oops", "server", "SALESmanago had a server error."),
        (200, "<html>Maintenance</html>", "garbled",
         "SALESmanago's answer was not the JSON it should be."),
    ],
)
def test_a_transient_error_names_its_kind_and_the_whole_call(
    responses_mock, client, status, body, kind, text
):
    set_response(responses_mock, "contact/upsert", status=status, body=body)
    with pytest.raises(TransientError) as caught:
        client.call("contact/upsert", {"owner": "o@x.pl"})

    error = caught.value
    assert str(error) == f"{text} (HTTP {status}, POST /api/contact/upsert)"
    assert (error.kind, error.path, error.response.status_code) == (kind, "contact/upsert", status)


def test_every_line_of_salesmanagos_message_is_quoted(responses_mock, client):
    said = {"success": False, "message": ["Email invalid", "", "Tag too long"]}
    set_response(responses_mock, "contact/upsert", said)
    with pytest.raises(PermanentError, match=r"SALESmanago said: Email invalid; Tag too long \(HTTP 200"):
        client.call("contact/upsert", {"owner": "o@x.pl"})


@pytest.mark.parametrize("endpoint, reason", [
    ("ftp://app3.salesmanago.pl",
     "Enter a URL like https://app3.salesmanago.pl, without a path, “?” or “#”."),
    ("https://exa mple.com", "Remove the spaces and invisible characters from the endpoint."),
])
def test_a_client_for_an_invalid_endpoint_says_which_and_why(endpoint, reason):
    with pytest.raises(NotConfigured) as caught:
        SalesmanagoClient(endpoint, "client-1", SECRET)
    assert str(caught.value) == f"The SALESmanago endpoint {endpoint!r} is not valid: {reason}"


def test_timeouts_and_refused_connection_are_transient(responses_mock, client):
    responses_mock.add(responses.POST, URL + "contact/upsert", body=requests.ReadTimeout("slow"))
    responses_mock.add(responses.POST, URL + "contact/upsert", body=requests.ConnectTimeout("dark"))
    responses_mock.add(responses.POST, URL + "contact/update",
                       body=requests.ConnectionError("refused"))
    with pytest.raises(TransientError) as silent:
        client.upsert({})
    with pytest.raises(TransientError) as dark:
        client.upsert({})
    with pytest.raises(TransientError, match="Could not connect to SALESmanago at "
                                             "https://app3.salesmanago.pl") as refused:
        client.update({})
    assert str(silent.value) == ("SALESmanago did not answer in time (limit: 6.95 s without data). "
                                 "(POST /api/contact/upsert)")
    assert str(dark.value) == ("SALESmanago did not answer in time (limit: 3.05 s to connect). "
                               "(POST /api/contact/upsert)")
    assert (silent.value.kind, dark.value.kind, refused.value.kind) == ("timeout", "timeout", "unreachable")
    assert isinstance(silent.value.__cause__, requests.Timeout)
    assert isinstance(refused.value.__cause__, requests.ConnectionError)


def test_a_connect_timeout_is_told_as_such_when_the_read_limit_is_the_shorter(responses_mock):
    # A site's own (connect, read) pair: 5 s to connect, 2 s without data; 10 s for the call.
    client = SalesmanagoClient("app3.salesmanago.pl", "client-1", SECRET, timeout=(5, 2),
                               deadline=10, session=requests.Session())
    responses_mock.add(responses.POST, URL + "contact/upsert", body=requests.ConnectTimeout("dark"))
    with pytest.raises(TransientError) as dark:
        client.upsert({})
    assert str(dark.value) == ("SALESmanago did not answer in time (limit: 5 s to connect). "
                               "(POST /api/contact/upsert)")


@pytest.mark.parametrize("text, kind", [
    ("NameResolutionError(...)", "dns"),  # urllib3's own
    ("[Errno -2] Name or service not known", "dns"),  # glibc
    ("[Errno 11001] getaddrinfo failed", "dns"),  # Windows
    ("[Errno 8] nodename nor servname provided, or not known", "dns"),  # macOS
    ("[Errno 111] Connection refused", "unreachable"),
])
def test_a_host_that_does_not_resolve_is_told_from_one_that_does_not_answer(
    responses_mock, client, text, kind
):
    # Test connection says "does not resolve" for the first (connection.transient_message).
    responses_mock.add(responses.POST, URL + "contact/upsert", body=requests.ConnectionError(text))
    with pytest.raises(TransientError) as caught:
        client.upsert({})
    assert caught.value.kind == kind


def test_a_connection_error_that_says_nothing_is_unreachable(responses_mock, client):
    responses_mock.add(responses.POST, URL + "contact/upsert", body=requests.ConnectionError())
    with pytest.raises(TransientError) as caught:
        client.upsert({})
    assert caught.value.kind == "unreachable"


def test_repr_names_the_account_not_the_secret(client):
    assert SECRET not in repr(client)
    assert repr(client) == "SalesmanagoClient('https://app3.salesmanago.pl', client_id='client-1')"
    error = UnknownContactError("x", path="contact/update", status_code=200, api_message="m")
    assert repr(error) == ("UnknownContactError('x', path='contact/update', status_code=200, "
                           "api_message='m')")


class Recorder(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.hits.append((self.path, body))
        self.server.answer(self)

    do_GET = do_POST

    def log_message(self, *args):
        pass


def serve(answer_with):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.hits, server.answer = [], answer_with
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def ok(handler):
    body = b'{"success": true, "message": [], "users": ["owner@firma.pl"]}'
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_never_followed_off_the_endpoints_api(settings, status):
    """The client only ever calls /api/... paths on the endpoint's scheme, host and port.

    Followed, a redirect to another server would re-POST the signed body (clientId, apiKey, sha:
    replayable) there (307/308), or GET it and take its answer for SALESmanago's (301/302): an
    SSRF around the endpoint's validation. It is a garbled answer instead, retried.
    """
    settings.DEBUG = True  # the local test servers speak plain http
    elsewhere = serve(ok)
    target = f"http://127.0.0.1:{elsewhere.server_port}/internal/admin?x=1"

    def redirect(handler):
        handler.send_response(status)
        handler.send_header("Location", target)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    endpoint = serve(redirect)
    try:
        client = SalesmanagoClient(f"http://127.0.0.1:{endpoint.server_port}", "client-1", "s3cr3t")
        with pytest.raises(TransientError) as caught:
            client.list_users("owner@firma.pl")
    finally:
        endpoint.shutdown(), elsewhere.shutdown()

    assert [path for path, _ in endpoint.hits] == ["/api/user/listByClient"]
    assert elsewhere.hits == []
    assert caught.value.kind == "garbled" and f"HTTP {status}" in str(caught.value)
    assert "internal" not in str(caught.value)  # the Location is not echoed


def test_clients_of_one_thread_share_its_connections_and_each_thread_has_its_own():
    first = SalesmanagoClient("app3.salesmanago.pl", "client-1", SECRET)
    second = SalesmanagoClient("app3.salesmanago.pl", "client-2", SECRET)
    other_thread = []
    worker = threading.Thread(target=lambda: other_thread.append(
        SalesmanagoClient("app3.salesmanago.pl", "client-1", SECRET).session))
    worker.start()
    worker.join()

    assert first.session is second.session  # one pool of kept-alive connections per thread
    assert other_thread[0] is not first.session  # requests' sessions are not thread-safe
