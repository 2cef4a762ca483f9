"""One deadline per delivery attempt, on real sockets: dripping servers, huge answers, a hung lookup.

Nothing here times the clock: each test asserts what the server saw (it was hung up on before it
finished sending) and what the client reported.
"""

import io
import json
import os
import signal
import socket
import threading
import time
import warnings
from datetime import timedelta

import pytest
import requests
import responses
import urllib3
from django.utils import timezone

from tests.drip_server import Answer, DripServer, http_answer
from tests.helpers import answer, make_form_page, raising
from wagtail_salesmanago.admin import connection
from wagtail_salesmanago.delivery import answers, holds
from wagtail_salesmanago.delivery.account import Account, account_for_site
from wagtail_salesmanago.api import deadlines, transport
from wagtail_salesmanago.api.client import HEADERS, SalesmanagoClient
from wagtail_salesmanago.api.exceptions import TransientError
from wagtail_salesmanago.models import DeliveryHold, ExportRecord, SalesmanagoSettings

SECRET = "s3cr3t-Value"
HEAD, BODY = http_answer(b'{"success": true, "message": [], "contactId": "c-1"}')
UNKNOWN = http_answer(b'{"success": false, "message": ["Contact not found"]}')
DRIPPED = Answer(drip=HEAD + BODY, interval=0.2)  # 25 s in all; no single read waits long
FAST = Answer(fast=HEAD + BODY)


def make_client(url, **kwargs):
    return SalesmanagoClient(url, "client-1", SECRET, **kwargs)


def assert_timed_out(error, limit="1 s in all", path="contact/upsert"):
    assert error.kind == "timeout"
    assert str(error) == f"SALESmanago did not answer in time (limit: {limit}). (POST /api/{path})"
    assert SECRET not in str(error) + repr(error)


def assert_hung_up_on(exchange):
    assert exchange.hung_up
    assert exchange.sent < exchange.total


@pytest.fixture(autouse=True)
def own_watchdog(monkeypatch):
    """Each test's deadlines are enforced by a watchdog thread of its own, started by its first
    call (not one an earlier test left running)."""
    # internal seam: the process's one watchdog has no public reset (a new process has its own).
    monkeypatch.setattr(deadlines, "watchdog", deadlines.Watchdog())


@pytest.fixture
def one_second(settings):
    settings.WAGTAIL_SALESMANAGO_DEADLINE = 1


@pytest.mark.parametrize("dripped", [
    DRIPPED,  # the status line and the headers, byte by byte
    Answer(fast=HEAD, drip=BODY, interval=0.2),  # the body, byte by byte
])
def test_an_answer_dripped_byte_by_byte_is_cut_off_at_the_deadline(one_second, dripped):
    with DripServer(dripped) as server:
        with pytest.raises(TransientError) as caught:
            make_client(server.url).upsert({})
        [exchange] = server.finished()

    assert_timed_out(caught.value)
    assert_hung_up_on(exchange)


def test_a_tls_handshake_dripped_byte_by_byte_is_cut_off_at_the_deadline(one_second):
    # A handshake record announcing 16 KB, then its bytes one by one.
    handshake = Answer(drip=b"\x16\x03\x03\x40\x00" + bytes(200), interval=0.2)
    with DripServer(handshake, raw=True) as server:
        with pytest.raises(TransientError) as caught:
            make_client(f"https://127.0.0.1:{server.port}").upsert({})
        [exchange] = server.finished()

    assert_timed_out(caught.value)
    assert_hung_up_on(exchange)


@pytest.mark.parametrize("declared", [True, False])
def test_a_huge_answer_is_not_read_past_one_megabyte(declared):
    head, body = http_answer(b"x" * 50_000_000, length=declared)
    with DripServer(Answer(fast=head, drip=body, interval=0, piece=65536)) as server:
        with pytest.raises(TransientError) as caught:
            make_client(server.url).upsert({})
        [exchange] = server.finished()

    error = caught.value
    assert error.kind == "garbled"
    assert str(error) == ("SALESmanago's answer was over 1 MB; it was not read. "
                          "(HTTP 200, POST /api/contact/upsert)")
    assert exchange.hung_up
    assert exchange.sent < 25_000_000  # at most what the sockets' buffers took


def test_an_answer_declared_over_one_megabyte_is_refused_before_its_body(one_second):
    # It says 50 MB and then sends a byte now and then: not waited for until the deadline.
    head, _ = http_answer(b"x" * 50_000_000)
    with DripServer(Answer(fast=head, drip=b"x" * 100, interval=0.2)) as server:
        with pytest.raises(TransientError) as caught:
            make_client(server.url).upsert({})
        [exchange] = server.finished()

    assert str(caught.value) == ("SALESmanago's answer was over 1 MB; it was not read. "
                                 "(HTTP 200, POST /api/contact/upsert)")
    assert exchange.hung_up and exchange.sent < len(head) + 10


@pytest.mark.parametrize("left", [0, -0.5])
def test_a_call_with_no_time_left_is_not_made(left):
    class Spent:
        def remaining(self):
            return left

    session = requests.Session()
    session.post = raising(AssertionError("no call may be made"))
    with pytest.raises(deadlines.DeadlineExceeded):
        transport.post(session, "https://app3.salesmanago.pl/api/contact/upsert", {},
                       timeout=(3.05, 6.95), deadline=Spent())


@pytest.mark.parametrize("declared", ["\xb2", "1e9", " 12 ", ""])
def test_a_content_length_that_is_no_number_is_read_as_not_given(declared):
    answer = b'{"success": true}'
    response = requests.Response()
    response.headers["Content-Length"], response.raw, response.status_code = (
        declared, io.BytesIO(answer), 200)
    assert transport.read_answer(response, deadlines.Deadline(30)) == answer


def test_a_call_through_a_proxy_is_cut_off_at_the_deadline(one_second, monkeypatch):
    with DripServer(DRIPPED) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        with pytest.raises(TransientError) as caught:
            make_client("http://salesmanago.test", session=transport.new_session(HEADERS)).upsert({})
        [exchange] = proxy.finished()

    assert exchange.path == "http://salesmanago.test/api/contact/upsert"
    assert_timed_out(caught.value)
    assert_hung_up_on(exchange)



def test_a_proxys_manager_keeps_the_options_requests_gives_it_and_is_watched():
    """The adapter overrides requests' ``proxy_manager_for``: what a caller passes still reaches
    urllib3, and the proxy's connections are ones a deadline can cut off."""
    manager = transport.DeadlineAdapter().proxy_manager_for("http://proxy.test:3128", blocksize=32768)
    assert manager.connection_pool_kw["blocksize"] == 32768
    assert manager.pool_classes_by_scheme == {
        "http": transport.HTTPConnectionPool, "https": transport.HTTPSConnectionPool}

def test_a_name_lookup_that_hangs_is_given_up_at_the_deadline(one_second, monkeypatch):
    release, ended, looked_up = threading.Event(), threading.Event(), []
    real_getaddrinfo = socket.getaddrinfo

    def hanging_getaddrinfo(host, *args, **kwargs):
        if host != "salesmanago.test":
            return real_getaddrinfo(host, *args, **kwargs)
        looked_up.append(host)
        looked_up.append(release.wait(30))  # True: released once the caller had given up
        ended.set()
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", hanging_getaddrinfo)
    try:
        with pytest.raises(TransientError) as caught:
            make_client("https://salesmanago.test").upsert({})
        still_hanging = not release.is_set()
    finally:
        release.set()

    ended.wait(40)
    assert looked_up == ["salesmanago.test", True] and still_hanging
    assert_timed_out(caught.value)


def test_a_read_limit_shorter_than_the_deadline_is_named_in_the_error(settings):
    settings.WAGTAIL_SALESMANAGO_TIMEOUT = (1, 0.3)
    settings.WAGTAIL_SALESMANAGO_DEADLINE = 30
    with DripServer(Answer(fast=HEAD, drip=BODY, interval=2)) as server:
        with pytest.raises(TransientError) as caught:
            make_client(server.url).upsert({})
        [exchange] = server.finished()

    assert_timed_out(caught.value, limit="0.3 s without data")
    assert_hung_up_on(exchange)


def update_record():
    """An update's record (not stored) of a form without its own owner."""
    return ExportRecord(
        page=make_form_page(),
        mode=ExportRecord.Mode.UPDATE, contact_id="f6c5487b-369d-4107-958c-2912c1bc3f80",
        email="jan@example.com", payload={"properties": {"ankieta.Ocena": "5"}, "tags": []},
    )


@pytest.mark.django_db
def test_the_fallback_upsert_never_starts_when_the_update_used_the_whole_deadline(monkeypatch):
    now = [1000.0]
    # internal seam: the deadlines' own monotonic clock, moved (time.monotonic itself also runs
    # the watchdog, threads and urllib3; the real clock would take the deadline's 10 s).
    monkeypatch.setattr(deadlines, "_clock", lambda: now[0])

    def unknown_contact_after_the_deadline(request):
        now[0] += 10.5
        return 200, {}, json.dumps({"success": False, "message": ["Contact not found"]})

    url = "https://app3.salesmanago.pl/api/"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add_callback(responses.POST, url + "contact/update", unknown_contact_after_the_deadline)
        api.add(responses.POST, url + "contact/upsert", json={"success": True, "message": []})
        with pytest.raises(TransientError) as caught:
            answers.deliver(make_client("app3.salesmanago.pl"), update_record(), "owner@firma.pl")
        called = [call.request.url for call in api.calls]

    assert called == [url + "contact/update"]
    assert_timed_out(caught.value, limit="10 s in all")


@pytest.mark.django_db
def test_the_fallback_upsert_gets_only_what_the_update_left(settings, monkeypatch):
    settings.WAGTAIL_SALESMANAGO_DEADLINE = 30
    offset = [0.0]
    # internal seam: the deadlines' own monotonic clock, moved 29.5 s on (the real one would
    # take them; time.monotonic itself also runs the watchdog, threads and urllib3).
    monkeypatch.setattr(deadlines, "_clock", lambda: time.monotonic() + offset[0])

    def update_takes_all_but_half_a_second(path):
        if path == "/api/contact/update":
            offset[0] += 29.5

    routes = {"/api/contact/update": Answer(fast=b"".join(UNKNOWN)), "/api/contact/upsert": DRIPPED}
    with DripServer(routes, on_request=update_takes_all_but_half_a_second) as server:
        record = update_record()
        with pytest.raises(TransientError) as caught:
            answers.deliver(make_client(server.url), record, "owner@firma.pl")
        update, upsert = server.finished()

    assert record.mode == ExportRecord.Mode.UPSERT
    assert (update.path, update.hung_up, upsert.path) == ("/api/contact/update", False, "/api/contact/upsert")
    assert_hung_up_on(upsert)
    assert_timed_out(caught.value, limit="30 s in all")


def test_connections_are_reused_and_a_cut_off_one_is_replaced(one_second):
    routes = {"/api/contact/upsert": FAST, "/api/contact/update": DRIPPED}
    with DripServer(routes) as server:
        client = make_client(server.url, session=transport.new_session(HEADERS))
        client.upsert({})
        client.upsert({})
        reused = server.connections
        with pytest.raises(TransientError):
            client.update({})
        assert client.upsert({})["success"] is True
        exchanges = server.finished()

    assert reused == 1
    assert server.connections == 2
    assert [e.hung_up for e in exchanges] == [False, False, True, False]


def test_a_deadline_cuts_off_only_the_call_of_its_own_thread(one_second):
    dripping, outcome = threading.Event(), {}

    def call_the_slow_server(url):
        try:
            make_client(url).upsert({})
        except TransientError as err:
            outcome["slow"] = err

    slowly = Answer(drip=HEAD + BODY, interval=0.03)  # about 3 s: past the other call's deadline
    with DripServer(DRIPPED, on_request=lambda path: dripping.set()) as slow, DripServer(slowly) as other:
        thread = threading.Thread(target=call_the_slow_server, args=(slow.url,))
        thread.start()
        assert dripping.wait(30)
        outcome["other"] = make_client(other.url, deadline=60).upsert({})
        thread.join(60)
        [slow_exchange], [other_exchange] = slow.finished(), other.finished()

    assert_timed_out(outcome["slow"])
    assert_hung_up_on(slow_exchange)
    assert outcome["other"]["contactId"] == "c-1"
    assert not other_exchange.hung_up


def test_test_connection_is_cut_off_at_the_same_deadline(one_second):
    with DripServer(DRIPPED) as server:
        account = Account(site=None, endpoint=server.url, client_id="client-1", api_secret=SECRET,
                          owner_email="owner@example.com")
        outcome = connection.test_connection(account)
        [exchange] = server.finished()

    assert outcome.ok is False
    assert outcome.message == f"SALESmanago at {server.url} did not answer in time."
    assert_hung_up_on(exchange)


@pytest.mark.django_db
def test_a_visitor_is_not_held_by_a_dripping_salesmanago(client, sm, on_commit, one_second):
    page = make_form_page()
    with DripServer(DRIPPED) as server:
        SalesmanagoSettings.objects.update(endpoint=server.url)
        with on_commit():
            response = answer(client, page, {"Twój e-mail": "ola@example.com"})
        [exchange] = server.finished()

    assert response.status_code == 200 and b"Thank you" in response.content
    record = ExportRecord.objects.get()
    assert record.status == ExportRecord.Status.RETRYING
    assert record.last_error == (
        "SALESmanago did not answer in time (limit: 1 s in all). (POST /api/contact/upsert)"
    )
    assert_hung_up_on(exchange)


@pytest.mark.django_db
def test_the_credentials_check_after_a_refusal_shares_the_attempts_deadline(client, sm, monkeypatch):
    from wagtail_salesmanago.delivery import outbox

    SalesmanagoSettings.objects.update(endpoint="app3.salesmanago.pl")
    answer(client, make_form_page(), {"Twój e-mail": "jan@example.com"})  # stored, not yet sent
    now = [1000.0]
    # internal seam: the deadlines' own monotonic clock, moved (time.monotonic itself also runs
    # the watchdog, threads and urllib3; the real clock would take the deadline's 10 s).
    monkeypatch.setattr(deadlines, "_clock", lambda: now[0])

    def refusal_after_the_deadline(request):
        now[0] += 10.5
        return 200, {}, json.dumps({"success": False, "message": ["Something unexpected"]})

    url = "https://app3.salesmanago.pl/api/"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add_callback(responses.POST, url + "contact/upsert", refusal_after_the_deadline)
        api.add(responses.POST, url + "user/listByClient",
                json={"success": True, "message": [], "users": [sm.owner]})
        record = outbox.send(ExportRecord.objects.get().pk)
        called = [call.request.url for call in api.calls]

    assert called == [url + "contact/upsert"]  # no check once the attempt's time is up
    assert record.status == ExportRecord.Status.RETRYING


@pytest.mark.django_db
def test_a_held_sites_credentials_check_shares_the_visitors_deadline(
    client, sm, on_commit, monkeypatch
):
    """A held site's credentials check, due in a visitor's request, runs on the attempt's deadline:
    when it uses the whole deadline (simulated clock), no upsert starts on a second one."""
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
    # internal seam: the deadlines' own monotonic clock, moved (time.monotonic itself also runs
    # the watchdog, threads and urllib3; the real clock would take the deadline's 10 s).
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
    assert called == [url + "user/listByClient"]


@pytest.mark.django_db
def test_a_held_sites_dripping_credentials_check_is_cut_off_at_the_visitors_deadline(
        client, sm, on_commit, one_second):
    page = make_form_page()
    site, now = page.get_site(), timezone.now()
    with DripServer(DRIPPED) as server:
        SalesmanagoSettings.objects.update(endpoint=server.url)
        hold = DeliveryHold.objects.create(
            site=site, reason=DeliveryHold.Reason.REJECTED, message="Not authenticated",
            since=now - timedelta(hours=1), next_check_at=now - timedelta(seconds=1),
            fingerprint=holds.fingerprint(account_for_site(site)),
        )
        with on_commit():
            response = answer(client, page, {"Twój e-mail": "ola@example.com"})
        [exchange] = server.finished()

    assert response.status_code == 200 and b"Thank you" in response.content
    assert_hung_up_on(exchange)  # the check, not read to its end
    assert exchange.path == "/api/user/listByClient"
    record = ExportRecord.objects.get()
    assert (record.status, record.hold_id) == ("held", hold.pk)  # it waits for the next check


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this system")
def test_a_forked_worker_gets_a_watchdog_of_its_own():
    """RQ forks a work horse for each job: it may fork while the watchdog holds its lock."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork() in a threaded process
        with deadlines.watchdog._wake:  # held at the moment of the fork, as its thread may
            pid = os.fork()
            if pid == 0:  # the child: a call past its deadline is cut off, or the alarm ends it
                code = 3
                try:
                    signal.alarm(10)
                    deadline = deadlines.Deadline(0.05)
                    with deadline.running():
                        time.sleep(0.5)
                    code = 0 if deadline.cut else 4
                finally:
                    os._exit(code)  # never back into pytest
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def wait_until_cut(deadline):
    """Until the watchdog has cut the running call off (at most 5 s on a busy machine)."""
    for _ in range(500):
        if deadline.cut:
            return
        time.sleep(0.01)


def test_the_watchdog_waits_quietly_once_every_deadline_has_passed(monkeypatch):
    failures = []
    monkeypatch.setattr(threading, "excepthook", failures.append)
    deadline = deadlines.Deadline(0.01)
    with deadline.running():
        wait_until_cut(deadline)
    time.sleep(0.2)  # the watchdog, its list empty, waits for the next call
    assert deadline.cut and failures == []


def test_a_connection_made_after_its_deadline_is_closed_by_its_helper(one_second, monkeypatch):
    """A lookup and connect that outlast the deadline finish in a helper thread, which closes what
    they opened; helper and watchdog are daemon threads: they never keep a process from exiting."""
    release, made, helpers = threading.Event(), [], []

    def slow_connect(*args, **kwargs):
        helpers.append(threading.current_thread())
        release.wait(30)
        made.append(socket.socketpair())
        return made[-1][0]

    monkeypatch.setattr(urllib3.util.connection, "create_connection", slow_connect)
    try:
        with pytest.raises(TransientError) as caught:
            make_client("https://salesmanago.test").upsert({})
        watcher = deadlines.watchdog._thread
    finally:
        release.set()
    [helper] = helpers
    helper.join(10)

    assert_timed_out(caught.value)
    [(ours, theirs)] = made
    assert ours.fileno() == -1 and theirs.recv(1) == b""  # closed, nothing sent
    assert (helper.name, helper.daemon) == ("salesmanago-connect", True)
    assert (watcher.name, watcher.daemon) == ("salesmanago-deadlines", True)
    theirs.close()


def test_a_session_used_without_a_deadline_works_as_requests_own():
    """In a thread that never ran a call under a deadline: requests' timeouts only."""
    answered = []
    with DripServer(Answer(fast=b"".join(http_answer()))) as server:
        thread = threading.Thread(target=lambda: answered.append(
            transport.new_session(HEADERS).post(server.url + "/api/x", json={}, timeout=5).json()))
        thread.start()
        thread.join(10)
        server.finished()
    assert answered == [{"success": True, "message": []}]


def test_a_sessions_connections_are_ours_on_this_urllib3(monkeypatch):
    """transport relies on two parts of urllib3 outside its public API (its docstring says why): the
    manager's pool classes by scheme, and the connection's ``_new_conn`` making every socket. If a
    urllib3 release drops either, this says so (setup.cfg's floor and `make matrix` test the
    lowest and the newest urllib3)."""
    ours, theirs = socket.socketpair()
    opened = []
    monkeypatch.setattr(urllib3.util.connection, "create_connection",
                        lambda address, *args, **kwargs: opened.append(address) or ours)
    session = transport.new_session(HEADERS)
    pools = {scheme: session.get_adapter(f"{scheme}://salesmanago.test").poolmanager
             .connection_from_url(f"{scheme}://salesmanago.test") for scheme in ("http", "https")}
    assert {scheme: pool.ConnectionCls for scheme, pool in pools.items()} == {
        "http": transport.HTTPConnection, "https": transport.HTTPSConnection}

    deadline = deadlines.Deadline(0.5)
    with deadline.running():
        pools["http"].ConnectionCls("salesmanago.test", 80).connect()  # urllib3's public connect
        wait_until_cut(deadline)
    theirs.settimeout(5)
    assert opened == [("salesmanago.test", 80)]
    assert deadline.cut and theirs.recv(1) == b""  # the socket it made was shut down at the deadline
    ours.close()
    theirs.close()


def test_one_watchdog_thread_serves_every_call_and_a_call_in_time_is_not_cut():
    def watchers():
        return [t.name for t in threading.enumerate()].count("salesmanago-deadlines")

    before = watchers()  # earlier tests' own watchdogs wait on, as daemons
    calls = [deadlines.Deadline(30), deadlines.Deadline(30)]
    for deadline in calls:
        with deadline.running():
            pass
    assert watchers() == before + 1
    assert [deadline.cut for deadline in calls] == [False, False]


@pytest.mark.parametrize("ran", [False, True])
def test_a_socket_handed_over_outside_a_call_is_shut_down_at_once(ran):
    """Before its first call or after its last, a deadline keeps no socket open."""
    deadline = deadlines.Deadline(30)
    if ran:
        with deadline.running():
            pass
    ours, theirs = socket.socketpair()
    theirs.settimeout(5)
    deadline.watch(ours)
    assert theirs.recv(1) == b""
    ours.close()
    theirs.close()


def test_a_connection_is_not_waited_for_once_the_deadline_has_passed():
    """A deadline already spent: the connect (here 0.5 s) is not waited for at all, and its
    helper closes what it opened."""
    deadline = deadlines.Deadline(-1)
    made, helpers, started = [], [], threading.Event()

    def connect():
        helpers.append(threading.current_thread())
        started.set()
        time.sleep(0.5)  # well under the second the code once waited, well over a thread switch
        made.append(socket.socketpair())
        return made[-1][0]

    with pytest.raises(deadlines.DeadlineExceeded):
        deadline.open(connect)
    assert made == []  # given up before the connect ended
    started.wait(10)
    helpers[0].join(10)
    [(ours, theirs)] = made
    assert ours.fileno() == -1
    theirs.close()


def test_an_answer_of_exactly_one_megabyte_is_read():
    answer = b'{"success": true, "message": []}'
    head, body = http_answer(answer + b" " * (1_000_000 - len(answer)))
    with DripServer(Answer(fast=head, drip=body, interval=0, piece=65536)) as server:
        assert make_client(server.url).upsert({}) == {"success": True, "message": []}
        server.finished()


def test_a_socket_handed_over_after_the_deadline_passed_is_shut_down_at_once():
    """A connect that completes just as the deadline passes: its socket is shut down at once."""
    deadline = deadlines.Deadline(0)
    ours, theirs = socket.socketpair()
    theirs.settimeout(5)
    with deadline.running():
        wait_until_cut(deadline)
        deadline.watch(ours)
        assert theirs.recv(1) == b""  # shut down: the other end reads the end of the stream
    assert deadline.cut
    ours.close()
    theirs.close()


@pytest.mark.parametrize("raw, said", [
    (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
     b"Content-Length: 10\r\n\r\nnot-gzip!!",
     "SALESmanago's answer came compressed, but its compressed body was broken."),
    (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
     b'{"success"',
     "SALESmanago's answer broke off before its end (the body was cut short or badly framed)."),
    (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
     b'5\r\n{"suc\r\nZZ\r\n',
     "SALESmanago's answer broke off before its end (the body was cut short or badly framed)."),
    (b'{"success": true}',  # HTTP/0.9: a body without a status line
     "Something answered at SALESmanago's address, but not in HTTP (no status line)."),
    (b"", "The connection to SALESmanago was made, but closed without an answer."),
], ids=["broken-gzip", "cut-short", "bad-chunk", "http-0.9", "closed"])
def test_an_answer_that_came_but_cannot_be_read_says_what_happened(raw, said):
    with DripServer(Answer(fast=raw, interval=0), close=True) as server:
        with pytest.raises(TransientError) as caught:
            make_client(server.url).upsert({})

    assert (caught.value.kind, str(caught.value)) == (
        "garbled", f"{said} (POST /api/contact/upsert)")


def test_a_refused_connection_under_a_deadline_is_told_as_nothing_answering(one_second):
    # A port nothing listens on (bound, then closed): the connection is refused at once, in the
    # deadline's helper thread, and the refusal itself reaches the client.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_client(f"http://127.0.0.1:{port}", session=transport.new_session(HEADERS))

    with pytest.raises(TransientError) as caught:
        client.upsert({})

    assert caught.value.kind == "unreachable"
    assert str(caught.value).startswith(f"Could not connect to SALESmanago at http://127.0.0.1:{port}")
    assert isinstance(caught.value.__cause__, requests.ConnectionError)
