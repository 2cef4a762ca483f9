"""A hostile HTTP server for deadline tests: it sends its answers slowly, or far too much of them.

Each answer is ``fast`` bytes sent at once, then ``drip`` bytes sent ``piece`` bytes at a time,
``interval`` seconds apart. The server counts the bytes it managed to send and notices when the
client hangs up before the end, so tests assert on what happened on the wire, not on the clock.
"""

import select
import socket
import threading
import time
from dataclasses import dataclass, field


def http_answer(body=b'{"success": true, "message": []}', *, length=True, status="200 OK"):
    """An HTTP/1.1 answer: status line and headers, then ``body``."""
    head = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
    if length:
        head += f"Content-Length: {len(body)}\r\n"
    else:
        head += "Connection: close\r\n"
    return head.encode() + b"\r\n", body


@dataclass
class Answer:
    fast: bytes = b""
    drip: bytes = b""
    interval: float = 0.2
    piece: int = 1


@dataclass
class Exchange:
    """One answer being sent: what was asked, how much went out, and how it ended."""

    path: str
    total: int
    sent: int = 0
    hung_up: bool = False
    done: threading.Event = field(default_factory=threading.Event)


class DripServer:
    """Serve ``answers`` (a path -> ``Answer`` map, or one ``Answer`` for every path) on a free port.

    ``raw=True`` skips reading an HTTP request and answers as soon as a client connects (for a
    TLS client, whose first words are a handshake). ``on_request(path)`` runs before each answer.
    ``close=True`` closes the connection after each answer (an answer cut short, or none at all).
    """

    def __init__(self, answers, *, raw=False, on_request=None, close=False):
        self.answers = answers
        self.raw = raw
        self.close = close
        self.on_request = on_request
        self.exchanges = []
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._threads = []
        self._stopped = False

    def __enter__(self):
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc_info):
        self._stopped = True
        self._listener.close()

    def finished(self, timeout=60):
        """The exchanges, once each has ended (sent in full, or the client hung up)."""
        for exchange in self.exchanges:
            assert exchange.done.wait(timeout), f"{exchange.path}: the server is still sending"
        return self.exchanges

    def _accept(self):
        while not self._stopped:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, conn):
        with conn:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            reader = conn.makefile("rb")
            while True:
                path = "" if self.raw else read_request(reader)
                if path is None:
                    return
                if self.on_request:
                    self.on_request(path)
                answer = self.answers.get(path) if isinstance(self.answers, dict) else self.answers
                exchange = Exchange(path, len(answer.fast) + len(answer.drip))
                self.exchanges.append(exchange)
                try:
                    send(conn, answer, exchange)
                finally:
                    exchange.done.set()
                if exchange.hung_up or self.raw or self.close:
                    return


def read_request(reader):
    """The path of the next request on the connection (its body read and dropped); None at its end."""
    line = reader.readline()
    if not line:
        return None
    length = 0
    while (header := reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = header.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    reader.read(length)
    return line.split()[1].decode()


def send(conn, answer, exchange):
    try:
        conn.sendall(answer.fast)
        exchange.sent += len(answer.fast)
        for start in range(0, len(answer.drip), answer.piece):
            if answer.interval and hung_up(conn, answer.interval):
                exchange.hung_up = True
                return
            piece = answer.drip[start:start + answer.piece]
            conn.sendall(piece)
            exchange.sent += len(piece)
    except OSError:  # broken pipe, reset: the client went away mid-answer
        exchange.hung_up = True


def hung_up(conn, wait):
    """Whether the client closed its side within ``wait`` seconds; what it sends meanwhile is dropped."""
    until = time.monotonic() + wait
    while (left := until - time.monotonic()) > 0:
        readable, _, _ = select.select([conn], [], [], left)
        if readable:
            try:
                if not conn.recv(65536):
                    return True
            except OSError:
                return True
    return False
