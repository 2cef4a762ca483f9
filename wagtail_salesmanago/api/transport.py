"""HTTP for the client: each call, answer included, ends within its deadline.

requests' timeouts bound each socket operation, not the call: a server that sends one byte every
few seconds never trips them (urllib3's ``Timeout`` documentation says so), and ``http.client``
reads the status line and headers before requests returns. So the sessions of ``new_session()``
open connections that hand their sockets to the running ``Deadline`` (see ``deadlines``): the
lookup and connect are waited for until the deadline, and the sockets are shut down when it passes
(TLS handshake, request, status line and headers, body). The answer is read in chunks and refused
past ``MAX_ANSWER_BYTES``. A session without these connections (one a caller passes in) keeps only
requests' per-read timeouts, and the deadline between the chunks of the body.

Two of urllib3's parts that are not its public API are relied on, because no public one gives the
socket between the TCP connect and the TLS handshake to the thread making the call:
``HTTPConnection._new_conn`` (overridden: the lookup and connect it makes, run under the deadline,
and the raw socket watched before the handshake) and ``PoolManager.pool_classes_by_scheme`` (how a
manager picks the pools whose documented ``ConnectionCls`` is ours). Both date from urllib3 1.x;
setup.cfg sets the lowest urllib3 they are tested on and ``make matrix`` runs the suite on it and
on the newest (``tests/api/test_deadline.py`` fails if either stops working).
"""

import contextlib

import requests
from requests.adapters import HTTPAdapter
from urllib3 import connection, connectionpool, poolmanager
from urllib3.exceptions import ReadTimeoutError

from .deadlines import DeadlineExceeded, current

#: A bigger answer is not SALESmanago's (its answers are a few hundred bytes): not read further.
MAX_ANSWER_BYTES = 1_000_000
CHUNK_BYTES = 16 * 1024


class AnswerTooLarge(Exception):
    """The answer was over ``MAX_ANSWER_BYTES``: ``AnswerTooLarge(status_code)``."""

    @property
    def status_code(self):
        return self.args[0]


def post(session, url, payload, *, timeout, deadline):
    """POST ``payload`` as JSON and read the whole answer before ``deadline``.

    ``timeout`` is the (connect, read) pair, each bounded by what is left of the deadline. Returns
    the response with its content loaded. Raises ``DeadlineExceeded``, ``AnswerTooLarge``, or
    requests' errors (``ConnectTimeout`` / ``ReadTimeout`` when those limits, not the deadline, ran out).
    """
    connect, read = timeout
    remaining = deadline.remaining()
    if remaining <= 0:
        raise DeadlineExceeded
    bounded = (min(connect, remaining), min(read, remaining))
    try:
        with deadline.running():
            # A redirect is never followed: it would re-send the signed body (307/308), or fetch
            # another URL whose answer is taken for SALESmanago's (301/302), off the endpoint's API.
            # (Not max_redirects = 0: requests then raises on any 3xx, even when not following.)
            response = session.post(
                url, json=payload, timeout=bounded, stream=True, allow_redirects=False
            )
            with contextlib.closing(response):
                content = read_answer(response, deadline)
    except requests.RequestException as err:
        if deadline.cut:
            raise DeadlineExceeded from err
        if isinstance(err, requests.ConnectTimeout):
            if bounded[0] < connect:
                raise DeadlineExceeded from err
        elif is_read_timeout(err):
            if bounded[1] < read:
                raise DeadlineExceeded from err
            raise requests.ReadTimeout() from err  # one kind for the client; err says what
        raise
    if deadline.cut:  # the answer ended because its socket was shut down
        raise DeadlineExceeded
    response._content = content
    return response


def read_answer(response, deadline):
    """The answer's body, up to ``MAX_ANSWER_BYTES``; past that ``AnswerTooLarge``, read no further."""
    declared = response.headers.get("Content-Length")
    if declared and declared.strip().isdecimal() and int(declared) > MAX_ANSWER_BYTES:
        raise AnswerTooLarge(response.status_code)
    body = bytearray()
    for chunk in response.iter_content(CHUNK_BYTES):
        body += chunk
        if len(body) > MAX_ANSWER_BYTES:
            raise AnswerTooLarge(response.status_code)
        if deadline.cut:  # a session without our connections: its sockets were not shut down
            raise DeadlineExceeded
    return bytes(body)


def is_read_timeout(err):
    """requests reports a read timeout in the body as a ``ConnectionError``; both count."""
    cause = err.args[0] if err.args else None
    return isinstance(err, requests.ReadTimeout) or isinstance(cause, ReadTimeoutError)


class WatchedConnection:
    """Connection mixin: hands each socket to the deadline of the call running in this thread."""

    def _new_conn(self):
        deadline = current()
        if deadline is None:
            return super()._new_conn()
        sock = deadline.open(super()._new_conn)
        deadline.watch(sock)
        return sock

    def request(self, *args, **kwargs):
        deadline = current()
        if deadline is not None and self.sock is not None:  # a reused connection
            deadline.watch(self.sock)
        return super().request(*args, **kwargs)


class HTTPConnection(WatchedConnection, connection.HTTPConnection):
    pass


class HTTPSConnection(WatchedConnection, connection.HTTPSConnection):
    pass


class HTTPConnectionPool(connectionpool.HTTPConnectionPool):
    ConnectionCls = HTTPConnection


class HTTPSConnectionPool(connectionpool.HTTPSConnectionPool):
    ConnectionCls = HTTPSConnection


def watched(manager):
    """Make ``manager`` open watched connections (unless it has its own kind, e.g. SOCKS)."""
    if manager.pool_classes_by_scheme == poolmanager.pool_classes_by_scheme:
        manager.pool_classes_by_scheme = {"http": HTTPConnectionPool, "https": HTTPSConnectionPool}
    return manager


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter, with connections that a ``Deadline`` can cut off."""

    def __init__(self):
        super().__init__()
        watched(self.poolmanager)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        return watched(super().proxy_manager_for(proxy, **proxy_kwargs))


def new_session(headers):
    """A ``requests.Session`` sending ``headers``, whose calls a ``Deadline`` can cut off."""
    session = requests.Session()
    session.headers.update(headers)
    for prefix in ("https://", "http://"):
        session.mount(prefix, DeadlineAdapter())
    return session
