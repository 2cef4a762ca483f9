"""What the sandbox knows: its account, its contacts, recent requests and its misbehaviour.

Plain Python (no Django, nothing from the rest of the package): an independent model of
SALESmanago's API v2 written from public sources. The HTTP layer in ``server.py`` calls
``SandboxState.handle``.
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

from . import answers
from .answers import Answer, failure
from .faults import Faults
from .rules import stored_tags, too_long_details

API_METHODS = {
    "contact/upsert": "_upsert",
    "contact/update": "_update",
    "contact/batchupsert": "_batch_upsert",
    "user/listByClient": "_list_users",
}
HIDDEN_FIELDS = ("apiKey", "sha")


class SandboxState:
    """An in-memory SALESmanago account, optionally persisted to a JSON file."""

    def __init__(self, *, client_id, api_secret, owners, state_file=None, seed=None):
        self.client_id = client_id
        self.api_secret = api_secret
        self.users = list(owners)
        self.owner_keys = {owner.strip().lower() for owner in owners}
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

    def add_contact(self, email):
        """Create the contact ``email`` unless it exists; its contact ID either way."""
        email = str(email or "").strip()
        if "@" not in email:
            raise ValueError(f"Not an e-mail address: {email!r}")
        with self.lock:
            contact = self._find_by_email(email) or self._new_contact(email)
            self._save()
        return contact["contactId"]

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
            return failure(answers.NOT_AUTHENTICATED)
        return None

    def _answer(self, path, body):
        if path not in API_METHODS:
            return Answer(404, {"success": False, "message": [answers.UNKNOWN_METHOD]})
        if not isinstance(body, dict):
            return failure(answers.INVALID_JSON)
        refusal = self._authenticate(body) or self._check_owner(path, body)
        if refusal:
            return failure(refusal)
        with self.lock:
            answer = getattr(self, API_METHODS[path])(body)
            if path != "user/listByClient":
                self._save()
        return answer

    def _authenticate(self, body):
        if not body.get("apiKey"):
            return answers.API_KEY_MISSING
        if not body.get("requestTime"):
            return answers.REQUEST_TIME_MISSING
        if body.get("clientId") != self.client_id:
            return answers.WRONG_CLIENT_ID
        expected = hashlib.sha1(
            f"{body['apiKey']}{self.client_id}{self.api_secret}".encode()
        ).hexdigest()
        if body.get("sha") != expected:
            return answers.NOT_AUTHENTICATED
        return None

    def _check_owner(self, path, body):
        # Every public client sends `owner` with every call, user/listByClient included (see the
        # README). Whether SALESmanago checks it there is not documented; the sandbox only
        # requires it, so a wrong owner can still list the account's users.
        owner = body.get("owner")
        if not isinstance(owner, str) or not owner.strip():
            return answers.OWNER_MISSING
        if path != "user/listByClient" and owner.strip().lower() not in self.owner_keys:
            return answers.OWNER_INVALID
        return None

    def _list_users(self, body):
        return Answer(200, {"success": True, "message": [], "users": list(self.users)})

    def _upsert(self, body):
        contact_part = body.get("contact")
        email = contact_part.get("email") if isinstance(contact_part, dict) else None
        email = email.strip() if isinstance(email, str) else ""
        if not email:
            return failure(answers.EMAIL_MISSING)
        refusal = self._check_details(body)
        if refusal:
            return failure(refusal)
        contact = self._find_by_email(email) or self._new_contact(email)
        self._apply(contact, body)
        return self._ok(contact)

    def _update(self, body):
        refusal = self._check_details(body)
        if refusal:
            return failure(refusal)
        if body.get("contactId"):
            contact = self.contacts.get(str(body["contactId"]))
        else:
            contact = self._find_by_email(str(body.get("email") or ""))
        if contact is None:
            return failure(answers.CONTACT_NOT_FOUND)
        self._apply(contact, body)
        return self._ok(contact)

    def _batch_upsert(self, body):
        items = body.get("upsertDetails")
        if not isinstance(items, list):
            return failure(answers.BATCH_MISSING)
        contact_ids, messages = {}, []
        for number, item in enumerate(items, 1):
            if not isinstance(item, dict):
                item = {}
            answer = self._upsert(item)
            if answer.body["success"]:
                contact_ids[item["contact"]["email"].strip()] = answer.body["contactId"]
            else:
                messages.append(f"upsertDetails[{number}]: {answer.body['message'][0]}")
        # An e-mail missing from contactIds was not stored (SALESmanago's Magento module relies on it).
        return Answer(200, {"success": True, "message": messages, "contactIds": contact_ids})

    def _check_details(self, body):
        properties = body.get("properties")
        if properties is None:
            return None
        if not isinstance(properties, dict):
            return answers.PROPERTIES_NOT_OBJECT
        too_long = too_long_details(properties)
        if too_long:
            return f"{answers.VALUE_TOO_LONG}: {', '.join(too_long)}"
        return None

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
        removed = stored_tags(body.get("removeTags"))
        tags = [tag for tag in contact["tags"] if tag not in removed]
        tags += [tag for tag in stored_tags(body.get("tags")) if tag not in tags]
        contact["tags"] = tags
        contact["modified"] = time.time()

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
        return self.faults.describe()
