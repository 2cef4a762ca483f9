"""What the sandbox knows: its account, its contacts, recent requests and its misbehaviour.

Plain Python (no Django): the HTTP layer in ``server.py`` calls ``SandboxState.handle``.
"""

import collections
import hashlib
import json
import os
import random
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, fields

from ..mapping import normalise_tags

API_PATHS = ("contact/upsert", "contact/update", "user/listByClient")
HIDDEN_FIELDS = ("apiKey", "sha")


@dataclass
class Faults:
    """Ways the sandbox can misbehave, as SALESmanago sometimes does."""

    latency: float = 0.0  # seconds added before every API answer
    hang: float = 0.0  # seconds to wait, then drop the connection without answering
    status: int = 0  # answer every API call with this HTTP status (e.g. 500)
    fail_next: int = 0  # answer the next N API calls with HTTP 500
    failure_rate: float = 0.0  # answer this fraction of API calls with HTTP 500
    auth_fail: bool = False  # answer every API call "Not authenticated"
    non_json: bool = False  # answer every API call with an HTML page

    def update(self, values):
        unknown = set(values) - {f.name for f in fields(self)}
        if unknown:
            raise ValueError(f"Unknown fault(s): {', '.join(sorted(unknown))}")
        for name, value in values.items():
            kind = type(getattr(Faults, name))
            if kind is bool and isinstance(value, str):
                value = value.lower() in ("1", "true", "yes", "on")
            setattr(self, name, kind(value))


@dataclass
class Answer:
    status: int
    body: object  # a dict for JSON, or str for a raw text body
    drop: bool = False  # close the connection without answering


def failure(message, status=200):
    return Answer(status, {"success": False, "message": [message]})


class SandboxState:
    """An in-memory SALESmanago account, optionally persisted to a JSON file."""

    def __init__(self, *, client_id, api_secret, owners, state_file=None, seed=None):
        self.client_id = client_id
        self.api_secret = api_secret
        self.owners = [owner.lower() for owner in owners]
        self.state_file = state_file
        self.faults = Faults()
        self.contacts = {}  # contact ID -> contact dict
        self.requests = collections.deque(maxlen=10000)
        self.lock = threading.RLock()
        self.generation = 0  # bumped by reset(), so requests in flight then are forgotten too
        self.random = random.Random(seed)
        if state_file and os.path.exists(state_file):
            with open(state_file, encoding="utf-8") as fh:
                self.contacts = {c["contactId"]: c for c in json.load(fh)}

    # Views -------------------------------------------------------------------------

    def contact_list(self):
        with self.lock:
            return sorted(
                (json.loads(json.dumps(c)) for c in self.contacts.values()),
                key=lambda c: c["created"],
            )

    def request_list(self):
        with self.lock:
            return list(self.requests)

    def reset(self):
        with self.lock:
            self.contacts.clear()
            self.requests.clear()
            self.faults = Faults()
            self.generation += 1
            self._save()

    # The API -----------------------------------------------------------------------

    def handle(self, path, raw_body):
        """The answer to ``POST /api/<path>`` with ``raw_body``."""
        try:
            body = json.loads(raw_body or b"{}")
        except ValueError:
            body = None
        generation = self.generation
        answer = self._misbehaviour()
        if self.generation != generation:
            return Answer(0, None, drop=True)
        answer = answer or self._answer(path, body)
        self._log(path, body, answer)
        return answer

    def _misbehaviour(self):
        faults = self.faults
        if faults.latency:
            time.sleep(faults.latency)
        if faults.hang:
            time.sleep(faults.hang)
            return Answer(0, None, drop=True)
        with self.lock:
            if faults.fail_next > 0:
                faults.fail_next -= 1
                return Answer(500, "Internal Server Error")
            if faults.failure_rate and self.random.random() < faults.failure_rate:
                return Answer(500, "Internal Server Error")
        if faults.status:
            return Answer(faults.status, f"HTTP {faults.status}")
        if faults.non_json:
            return Answer(200, "<html><body>Maintenance</body></html>")
        if faults.auth_fail:
            return failure("Not authenticated")
        return None

    def _answer(self, path, body):
        if path not in API_PATHS:
            return Answer(404, {"success": False, "message": ["Unknown API method"]})
        if not isinstance(body, dict):
            return failure("Invalid JSON request")
        refusal = self._authenticate(body)
        if refusal:
            return failure(refusal)
        if path == "user/listByClient":
            return Answer(200, {"success": True, "message": [], "users": [
                {"email": owner} for owner in self.owners
            ]})
        if not body.get("owner"):
            return failure("Not authenticated, not owner specified")
        if str(body["owner"]).lower() not in self.owners:
            return failure("Not authenticated, invalid owner")
        with self.lock:
            if path == "contact/upsert":
                return self._upsert(body)
            return self._update(body)

    def _authenticate(self, body):
        if not body.get("apiKey"):
            return "Api key not specified"
        if not body.get("requestTime"):
            return "Not authenticated, requestTime not specified"
        if body.get("clientId") != self.client_id:
            return "Authorization failed. Wrong clientId"
        expected = hashlib.sha1(
            f"{body['apiKey']}{self.client_id}{self.api_secret}".encode()
        ).hexdigest()
        if body.get("sha") != expected:
            return "Not authenticated"
        return None

    def _upsert(self, body):
        email = str((body.get("contact") or {}).get("email") or "").strip()
        if not email:
            return failure("Contact email not specified")
        contact = self._find_by_email(email)
        created = contact is None
        if created:
            contact = self._new_contact(email)
        self._apply(contact, body)
        return self._ok(contact)

    def _update(self, body):
        if body.get("contactId"):
            contact = self.contacts.get(str(body["contactId"]))
        else:
            contact = self._find_by_email(str(body.get("email") or ""))
        if contact is None:
            return failure("Contact not found")
        self._apply(contact, body)
        return self._ok(contact)

    def _find_by_email(self, email):
        email = email.lower()
        return next((c for c in self.contacts.values() if c["email"].lower() == email), None)

    def _new_contact(self, email):
        now = time.time()
        contact = {
            "contactId": str(uuid.uuid4()),
            "email": email,
            "tags": [],
            "properties": {},
            "created": now,
            "modified": now,
        }
        self.contacts[contact["contactId"]] = contact
        return contact

    def _apply(self, contact, body):
        contact["properties"].update(
            {str(k): str(v) for k, v in (body.get("properties") or {}).items()}
        )
        removed = set(normalise_tags(",".join(body.get("removeTags") or [])))
        tags = [t for t in contact["tags"] if t not in removed]
        for tag in normalise_tags(",".join(body.get("tags") or [])):
            if tag not in tags:
                tags.append(tag)
        contact["tags"] = tags
        contact["modified"] = time.time()
        self._save()

    def _ok(self, contact):
        return Answer(200, {
            "success": True, "message": [], "contactId": contact["contactId"], "externalId": None
        })

    def _log(self, path, body, answer):
        if isinstance(body, dict):
            body = {k: ("" if k in HIDDEN_FIELDS else v) for k, v in body.items()}
        with self.lock:
            self.requests.append({
                "time": time.time(), "path": f"/api/{path}", "body": body,
                "status": answer.status, "answer": answer.body if not answer.drop else None,
            })

    def _save(self):
        if not self.state_file:
            return
        directory = os.path.dirname(os.path.abspath(self.state_file))
        with tempfile.NamedTemporaryFile("w", dir=directory, delete=False, encoding="utf-8") as fh:
            json.dump(list(self.contacts.values()), fh, ensure_ascii=False, indent=1)
        os.replace(fh.name, self.state_file)

    def describe_faults(self):
        return asdict(self.faults)
