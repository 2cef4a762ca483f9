"""Deadlines for calls to SALESmanago, and the watchdog thread that enforces them.

A blocking read ends only when data comes or its socket's timeout passes, and a server that sends
a byte now and then keeps it going for ever. Shutting the socket down from another thread ends
it at once, whatever phase the call is in; a name lookup cannot be interrupted, so it runs in a
helper thread that the caller stops waiting for.
"""

import contextlib
import heapq
import itertools
import os
import socket
import threading
import time

_clock = time.monotonic  # tests move it
_local = threading.local()


class DeadlineExceeded(Exception):
    """The attempt's deadline passed. Not an ``OSError``, so urllib3 neither retries nor wraps it."""


def current():
    """The deadline of the call running in this thread, if any."""
    return getattr(_local, "deadline", None)


class Deadline:
    """The time one delivery attempt may take, shared by all its calls (``seconds`` from now)."""

    def __init__(self, seconds):
        self.seconds = seconds
        self._ends_at = _clock() + seconds
        self._lock = threading.Lock()
        self._call = None  # a token for the call running now
        self._handles = []  # duplicates of its sockets: they survive a TLS wrap of the original
        self.cut = False  # the deadline passed while a call was running

    def remaining(self):
        return self._ends_at - _clock()

    @contextlib.contextmanager
    def running(self):
        """Run one call of this thread under the deadline: its sockets are shut down when it passes."""
        call = object()
        with self._lock:
            self._call = call
        _local.deadline = self
        watchdog.watch(self, call, max(0.0, self.remaining()))
        try:
            yield
        finally:
            _local.deadline = None
            with self._lock:  # waits for the watchdog if it is cutting this call off
                self._call = None
                handles, self._handles = self._handles, []
            for handle in handles:
                handle.close()

    def watch(self, sock):
        """Shut ``sock`` down if the deadline passes before the call ends (at once if it has)."""
        handle = socket.socket(fileno=os.dup(sock.fileno()))  # its kind read from the descriptor
        with self._lock:
            if self._call is not None and not self.cut:
                self._handles.append(handle)
                return
        shut_down(handle)
        handle.close()

    def cut_off(self, call):
        with self._lock:
            if self._call is not call:
                return  # that call has ended
            self.cut = True
            for handle in self._handles:
                shut_down(handle)

    def open(self, open_socket):
        """``open_socket()`` (lookup and connect) in a helper thread, waited for until the deadline.

        Past it, ``DeadlineExceeded``; the helper finishes on its own and closes what it opened.
        """
        outcome = {}
        lock = threading.Lock()
        finished, abandoned = threading.Event(), threading.Event()

        def run():
            try:
                outcome["sock"] = open_socket()
            except Exception as err:
                outcome["error"] = err
            with lock:
                finished.set()
                if abandoned.is_set() and "sock" in outcome:
                    outcome["sock"].close()

        threading.Thread(target=run, name="salesmanago-connect", daemon=True).start()
        finished.wait(max(0.0, self.remaining()))
        with lock:
            if not finished.is_set():
                abandoned.set()
                raise DeadlineExceeded
        if "error" in outcome:
            raise outcome.pop("error")
        return outcome["sock"]


def shut_down(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed or reset


class Watchdog:
    """One thread for the process that cuts off each call still running at its deadline."""

    def __init__(self):
        self._reset()
        if hasattr(os, "register_at_fork"):  # not on Windows
            os.register_at_fork(after_in_child=self._reset)  # threads do not survive a fork

    def _reset(self):
        self._wake = threading.Condition()
        self._due = []  # a heap of (monotonic time, order, deadline, call)
        self._order = itertools.count()
        self._thread = None

    def watch(self, deadline, call, delay):
        entry = (time.monotonic() + delay, next(self._order), deadline, call)
        with self._wake:
            heapq.heappush(self._due, entry)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="salesmanago-deadlines", daemon=True
                )
                self._thread.start()
            if self._due[0] is entry:  # sooner than what the thread sleeps for
                self._wake.notify()

    def _run(self):
        while True:
            with self._wake:
                delay = self._due[0][0] - time.monotonic() if self._due else None
                if delay is None or delay > 0:
                    self._wake.wait(delay)
                    continue
                _, _, deadline, call = heapq.heappop(self._due)
            deadline.cut_off(call)


watchdog = Watchdog()
