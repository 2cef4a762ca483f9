"""Hostile-review repros (issue 9 §2.3, §2.4): redirects, and a hold check in the visitor's request."""

import http.server
import json
import threading
from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from tests.helpers import answer, make_form_page
from wagtail_salesmanago import deadlines, holds
from wagtail_salesmanago.account import account_for_site
from wagtail_salesmanago.client import SalesmanagoClient
from wagtail_salesmanago.exceptions import SalesmanagoError
from wagtail_salesmanago.models import DeliveryHold, ExportRecord, SalesmanagoSettings


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
def test_the_client_follows_no_redirect_away_from_the_endpoints_api(settings, status):
    """§2.3: "let the client only ever call /api/... paths on the endpoint's scheme, host and port".

    The endpoint answers with a redirect to another server's non-API path over plain http: with
    307/308 requests re-POSTs the signed body (clientId, apiKey, sha: replayable) there, and with
    301/302 it GETs it. An https-only endpoint can so take the server to any http:// host and path
    (an SSRF around the validator).
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
        try:
            client.list_users("owner@firma.pl")  # the answer is none of ours: it should be refused
        except SalesmanagoError:
            pass
    finally:
        endpoint.shutdown(), elsewhere.shutdown()

    assert [path for path, _ in endpoint.hits] == ["/api/user/listByClient"]
    assert elsewhere.hits == []  # fails: the redirect was followed


@pytest.mark.django_db
def test_a_visitor_on_a_held_site_waits_at_most_one_deadline(client, sm, on_commit, monkeypatch):
    """§2.4 / README: "A slow SALESmanago makes the visitor wait at most the deadline".

    When a held site's check is due, the visitor's request runs the credentials check with a
    deadline of its own and then the delivery with another: two deadlines. Here the check takes
    the whole deadline (simulated clock), and the upsert still goes out in the same request.
    """
    SalesmanagoSettings.objects.update(endpoint="app3.salesmanago.pl")
    page = make_form_page()
    site = page.get_site()
    now = timezone.now()
    DeliveryHold.objects.create(
        site=site, reason=DeliveryHold.Reason.REJECTED, message="Not authenticated",
        since=now - timedelta(hours=1), next_check_at=now - timedelta(seconds=1),
        fingerprint=holds.fingerprint(account_for_site(site)),
    )
    clock = [1000.0]
    monkeypatch.setattr(deadlines, "_clock", lambda: clock[0])

    def check_taking_the_whole_deadline(request):
        clock[0] += 10.5
        return 200, {}, json.dumps({"success": True, "message": [], "users": [sm.owner]})

    url = "https://app3.salesmanago.pl/api/"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add_callback(responses.POST, url + "user/listByClient", check_taking_the_whole_deadline)
        api.add(responses.POST, url + "contact/upsert", json={"success": True, "message": []})
        with on_commit():
            response = answer(client, page, {"Twój e-mail": "jan@example.com"})
        called = [call.request.url for call in api.calls]

    assert response.status_code == 200
    assert ExportRecord.objects.count() == 1
    # One attempt, one deadline: nothing more may start in this request once the check used it up.
    assert called == [url + "user/listByClient"]  # fails: the upsert ran on a second deadline


DEEP = "[" * 200_000  # 200 KB, under the 1 MB limit: json raises RecursionError, not ValueError


@pytest.mark.django_db
def test_a_deeply_nested_answer_is_garbled_and_retried_not_failed_for_good(client, sm, on_commit):
    """An erroneous or hostile answer is "not SALESmanago's JSON" (transient, retried). Actually
    ``response.json()`` raises RecursionError, which ``_decode`` does not catch: the record is
    failed for good ("Unexpected error: RecursionError."), and Test connection answers HTTP 500."""
    SalesmanagoSettings.objects.update(endpoint="app3.salesmanago.pl")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add(responses.POST, "https://app3.salesmanago.pl/api/contact/upsert", body=DEEP)
        with on_commit():
            answer(client, make_form_page(), {"Twój e-mail": "jan@example.com"})

    record = ExportRecord.objects.get()
    assert record.status == ExportRecord.Status.RETRYING, record.last_error


@pytest.mark.django_db
def test_test_connection_says_a_deeply_nested_answer_is_garbled(client, sm, django_user_model):
    from django.urls import reverse
    from wagtail.models import Site

    SalesmanagoSettings.objects.update(endpoint="app3.salesmanago.pl")
    client.force_login(django_user_model.objects.create_superuser("admin", "a@example.com", "pw"))
    client.raise_request_exception = False
    site = Site.objects.get(is_default_site=True)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add(responses.POST, "https://app3.salesmanago.pl/api/user/listByClient", body=DEEP)
        response = client.post(reverse("wagtail_salesmanago_test_connection", args=[site.pk]))

    assert response.status_code == 200  # fails: HTTP 500, the admin sees "the test failed"
    assert response.json()["ok"] is False


@pytest.mark.django_db
def test_a_long_answer_is_not_copied_whole_into_every_record_and_page(client, sm, on_commit):
    """SALESmanago's message is stored verbatim (up to the 1 MB answer limit) in each record's
    last error, in every attempt's log, in the hold, and shown in full in the deliveries list:
    a 500 KB message on a 50-record page is a 25 MB admin page, and a backlog multiplies it."""
    SalesmanagoSettings.objects.update(endpoint="app3.salesmanago.pl")
    message = "Internal error " + "x" * 500_000
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add(responses.POST, "https://app3.salesmanago.pl/api/contact/upsert", status=500,
                json={"success": False, "message": [message]})
        with on_commit():
            answer(client, make_form_page(), {"Twój e-mail": "jan@example.com"})

    record = ExportRecord.objects.get()
    assert record.status == ExportRecord.Status.RETRYING
    assert len(record.last_error) < 10_000, len(record.last_error)  # fails: about 500 KB
