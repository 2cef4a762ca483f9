"""The sandbox's HTTP side: SALESmanago's API paths, JSON views, an HTML page and a control endpoint."""

import json
import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .page import render_contacts_page
from .state import DEFAULT_CONSENTS, SandboxState

DEFAULT_CLIENT_ID = "sandbox-client"
DEFAULT_API_SECRET = "sandbox-secret"
DEFAULT_OWNER = "owner@example.com"


#: What the sandbox's ``/static/sm.js`` does of what SALESmanago's monitoring code does, seen
#: from the page: it reads ``_smid`` and ``_smclt``, keeps the anonymous visitor in a
#: first-party cookie ``smuuid``, and takes the queued ``sm(...)`` calls (shown in
#: ``window.SalesmanagoSandbox`` for tests). It tracks nothing anywhere.
MONITORING_SCRIPT = """(function () {
  var uuid = (document.cookie.match(/(?:^|; )smuuid=([^;]*)/) || [])[1];
  if (!uuid) {
    uuid = "sandbox-" + Math.random().toString(16).slice(2);
    var days = window._smclt || 3650;
    document.cookie = "smuuid=" + uuid + "; path=/; max-age=" + days * 86400 + "; SameSite=Lax";
  }
  window.SalesmanagoSandbox = {smid: window._smid, clt: window._smclt || null, uuid: uuid,
                               queued: ((window.sm && window.sm.q) || []).length};
})();
"""


class Handler(BaseHTTPRequestHandler):
    server_version = "SalesmanagoSandbox/1"
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without this, Nagle's algorithm and the client's
    # delayed ACK add ~40 ms to every keep-alive answer (found by `make bench`).
    disable_nagle_algorithm = True

    @property
    def state(self):
        return self.server.state

    def log_message(self, format, *args):  # keep test and demo output quiet
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path in ("/sandbox", "/sandbox/"):
            self._send(200, render_contacts_page(self.state.contact_list()), "text/html; charset=utf-8")
        elif path == "/sandbox/contacts.json":
            self._send_json(200, self.state.contact_list())
        elif path == "/sandbox/requests.json":
            self._send_json(200, self.state.request_list())
        elif path == "/sandbox/control":
            self._send_json(200, self.state.describe_faults())
        elif path == "/static/sm.js":
            self._send(200, MONITORING_SCRIPT, "text/javascript; charset=utf-8")
        elif re.fullmatch(r"/dynamic/[A-Za-z0-9_-]{1,64}/popups\.js", path):
            client_id = path.split("/")[2]
            self._send(200, f"window.SalesmanagoSandboxPopups = {json.dumps(client_id)};\n",
                       "text/javascript; charset=utf-8")
        else:
            self._send_json(404, {"error": "not found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        if path.startswith("/api/"):
            answer = self.state.handle(path[len("/api/"):], raw)
            if answer.drop:
                self.close_connection = True
                self.connection.close()
                return
            headers = {"Retry-After": answer.retry_after} if answer.retry_after else {}
            if isinstance(answer.body, str):
                self._send(answer.status, answer.body, "text/html; charset=utf-8", headers)
            else:
                self._send(answer.status, json.dumps(answer.body, ensure_ascii=False),
                           "application/json; charset=utf-8", headers)
        elif path == "/sandbox/control":
            try:
                self.state.faults.update(json.loads(raw or b"{}"))
            except ValueError as err:  # bad JSON, an unknown fault or a bad value: nothing changed
                self._send_json(400, {"error": str(err)})
                return
            self._send_json(200, self.state.describe_faults())
        elif path == "/sandbox/reset":
            self.state.reset()
            self._send_json(200, {"reset": True})
        elif path == "/sandbox/confirm":
            self._confirm(raw, self.state.confirm, "confirmed",
                          "That contact is not waiting for a confirmation.")
        elif path == "/sandbox/unsubscribe":
            self._confirm(raw, self.state.unsubscribe, "unsubscribed",
                          "That contact is already unsubscribed.")
        elif path == "/sandbox/restore":
            who, _from_page = self._who(raw)
            email = who.get("email") if isinstance(who, dict) else None
            if not email or not self.state.restore(email):
                self._send_json(404, {"error": "No hidden contact with that e-mail."})
            else:
                self._send_json(200, {"restored": True})
        elif path == "/sandbox/callbacks":
            try:
                self.state.set_callbacks(json.loads(raw or b"{}"))
            except ValueError as err:
                self._send_json(400, {"error": str(err)})
                return
            self._send_json(200, dict(self.state.callback_urls))
        else:
            self._send_json(404, {"error": "not found"})

    def _who(self, raw):
        """Who a control names: JSON, or a form of the sandbox's page (which is then shown
        again); ``(who, from_page)``."""
        if "application/x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
            form = urllib.parse.parse_qs(raw.decode("utf-8", "replace"))
            return {key: values[0] for key, values in form.items()}, True
        try:
            return json.loads(raw or b"{}"), False
        except ValueError:
            return None, False

    def _confirm(self, raw, action, done, nothing_to_do):
        """The contact clicks the link in the double opt-in e-mail, or unsubscribes (SALESmanago's
        side, simulated); then SALESmanago calls the site's callback URL, if it has one."""
        who, from_page = self._who(raw)
        if not isinstance(who, dict) or not (who.get("contactId") or who.get("email")):
            self._send_json(400, {"error": 'Send {"contactId": "..."} or {"email": "..."}.'})
            return
        found, changed, called = action(contact_id=who.get("contactId"), email=who.get("email"))
        if not found:
            self._send_json(404, {"error": "No such contact."})
        elif not changed:
            self._send_json(409, {"error": nothing_to_do})
        else:
            if from_page:
                self.send_response(303)
                self.send_header("Location", "/sandbox/")
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._send_json(200, {done: True, **({"callback": called} if called else {})})

    def _send_json(self, status, data):
        self._send(status, json.dumps(data, ensure_ascii=False), "application/json; charset=utf-8")

    def _send(self, status, text, content_type, headers=None):
        body = text.encode("utf-8")
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, state, verbose=False):
        super().__init__(address, Handler)
        self.state = state
        self.verbose = verbose

    def handle_error(self, request, client_address):
        # Clients that time out and hang up are part of the game; say so only when asked.
        if self.verbose:
            super().handle_error(request, client_address)


class Sandbox:
    """A running sandbox. Use as a context manager, or ``start()`` / ``stop()``::

        with Sandbox(contacts=["known@example.com"]) as sandbox:
            settings.endpoint = sandbox.url
            ...
            assert sandbox.contacts()[0]["email"] == "known@example.com"
    """

    def __init__(
        self,
        *,
        host="127.0.0.1",
        port=0,
        client_id=DEFAULT_CLIENT_ID,
        api_secret=DEFAULT_API_SECRET,
        owners=(DEFAULT_OWNER,),
        consents=DEFAULT_CONSENTS,
        state_file=None,
        seed=None,
        verbose=False,
        contacts=(),
        opt_in_url="",
        opt_out_url="",
    ):
        self.client_id = client_id
        self.api_secret = api_secret
        self.owner = owners[0]
        self.state = SandboxState(
            client_id=client_id, api_secret=api_secret, owners=owners, consents=consents,
            state_file=state_file, seed=seed,
        )
        self.state.set_callbacks({"opt_in": opt_in_url, "opt_out": opt_out_url})
        for email in contacts:
            self.add_contact(email)
        self.server = SandboxServer((host, port), self.state, verbose=verbose)
        self._thread = None

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def contacts(self):
        """The stored contacts, oldest first (what ``/sandbox/contacts.json`` shows)."""
        return self.state.contact_list()

    def requests(self):
        """The API requests received, oldest first, with ``apiKey`` and ``sha`` blanked."""
        return self.state.request_list()

    def add_contact(self, email):
        """Create a contact (as if it came from a mailing) unless it exists; its contact ID.

        Use the ID as ``?smclientid=<ID>`` on a form page to test an update by contact ID.
        """
        return self.state.add_contact(email)

    def confirm(self, *, contact_id=None, email=None):
        """Confirm a double opt-in, as the contact clicking the e-mail's link would; ``True`` if one
        was waiting, ``ValueError`` if there is no such contact."""
        found, confirmed, _called = self.state.confirm(contact_id=contact_id, email=email)
        if not found:
            raise ValueError(f"No such contact: {contact_id or email!r}")
        return confirmed

    def unsubscribe(self, *, contact_id=None, email=None):
        """The contact unsubscribes from e-mail (then the site's opt-out callback is called, if
        set); ``True`` if it had not already, ``ValueError`` if there is no such contact."""
        found, unsubscribed, _called = self.state.unsubscribe(contact_id=contact_id, email=email)
        if not found:
            raise ValueError(f"No such contact: {contact_id or email!r}")
        return unsubscribed

    def set_callbacks(self, *, opt_in="", opt_out=""):
        """The site's callback URLs, as its owner gives them in SALESmanago's settings."""
        self.state.set_callbacks({"opt_in": opt_in, "opt_out": opt_out})

    def misbehave(self, **faults):
        """Set faults, e.g. ``misbehave(status=500)``; ``None`` clears one (``status=None``)."""
        self.state.faults.update(faults)

    def reset(self):
        """Forget contacts (those given at start too), requests and faults."""
        self.state.reset()

    def credentials(self):
        """Settings values that point a site at this sandbox."""
        return {
            "endpoint": self.url,
            "client_id": self.client_id,
            "api_secret": self.api_secret,
            "owner_email": self.owner,
        }
