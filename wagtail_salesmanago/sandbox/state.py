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

from . import answers, callbacks, card, events
from .answers import Answer, failure
from .faults import Faults

# Paths after /api/. Events live under /api/v2/ in SALESmanago's SDK and the Python client; the .NET
# client adds one without v2, and the SDK marks contact/batchAddContactExtEvent as deprecated for
# v2/contact/addBatchContactExtEvent (ExportService.php): the sandbox answers all of them.
API_METHODS = {
    "contact/upsert": "_upsert",
    "contact/update": "_update",
    "contact/batchupsert": "_batch_upsert",
    "user/listByClient": "_list_users",
    "contact/tags": "_list_tags",
    "contact/delete": "_delete",
    "v2/contact/addContactExtEvent": "_add_event",
    "contact/addContactExtEvent": "_add_event",
    "v2/contact/addBatchContactExtEvent": "_add_events",
    "contact/batchAddContactExtEvent": "_add_events",
}
HIDDEN_FIELDS = ("apiKey", "sha")
# The consent the sandbox account has unless told otherwise (Settings > Consents in SALESmanago).
DEFAULT_CONSENTS = ("NEWSLETTER",)


class SandboxState:
    """An in-memory SALESmanago account, optionally persisted to a JSON file."""

    def __init__(self, *, client_id, api_secret, owners, consents=DEFAULT_CONSENTS, state_file=None,
                 seed=None):
        self.client_id = client_id
        self.api_secret = api_secret
        self.users = list(owners)
        self.owner_keys = {owner.strip().lower() for owner in owners}
        self.consent_names = list(consents)
        self.callback_urls = {"opt_in": "", "opt_out": ""}
        self.state_file = state_file
        self.faults = Faults()
        self.contacts = {}  # contact ID -> contact dict
        self.hidden = {}  # contact ID -> contact dict: deleted, not permanently
        # Lower-cased e-mail -> contact ID, so that a lookup stays fast with 100,000 contacts; an
        # entry is trusted only while that contact still has the e-mail (newEmail changes it).
        self.emails = {}
        self.requests = collections.deque(maxlen=10000)
        self.lock = threading.RLock()
        self.generation = 0  # bumped by reset(), so requests in flight then are forgotten too
        self.random = random.Random(seed)
        if state_file and os.path.exists(state_file):
            with open(state_file, encoding="utf-8") as fh:
                self.contacts = {c["contactId"]: card.complete(c) for c in json.load(fh)}
            for contact in self.contacts.values():
                self._index(contact)

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
            self.hidden.clear()
            self.emails.clear()
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

    def confirm(self, *, contact_id=None, email=None):
        """The contact clicks the double opt-in link; then SALESmanago calls the site's opt-in
        callback, if it gave one: ``(found, confirmed, the callback's outcome or None)``."""
        return self._change(card.confirm, "opt_in", contact_id, email)

    def unsubscribe(self, *, contact_id=None, email=None):
        """The contact unsubscribes (a mailing's link); then SALESmanago calls the site's opt-out
        callback, if it gave one: ``(found, unsubscribed, the callback's outcome or None)``."""
        return self._change(card.unsubscribe, "opt_out", contact_id, email)

    def _change(self, change, callback, contact_id, email):
        with self.lock:
            contact = self._find(contact_id=contact_id, email=email)
            if contact is None:
                return False, False, None
            changed = change(contact)
            self._save()
            url = self.callback_urls.get(callback)
        # Outside the lock: the site may call the sandbox while it answers.
        return True, changed, callbacks.call(url, contact["email"], self.api_secret) if changed else None

    def set_callbacks(self, urls):
        """The site's opt-in and opt-out callback URLs (``{"opt_in": ..., "opt_out": ...}``;
        empty: none), as a site gives them in SALESmanago's settings."""
        if not isinstance(urls, dict) or set(urls) - {"opt_in", "opt_out"}:
            raise ValueError('Send {"opt_in": "http://...", "opt_out": "http://..."}.')
        for name, url in urls.items():
            if url and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
                raise ValueError(f"{name}: not an http(s) URL")
        with self.lock:
            self.callback_urls.update({name: url or "" for name, url in urls.items()})

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
            return Answer(faults.status, f"HTTP {faults.status}", retry_after=faults.retry_after)
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

    def _delete(self, body):
        # pixers/salesmanago-api ContactService::delete: owner, email and `permanently`; without
        # it SALESmanago disables and hides the contact (its "Deleting contacts" help page: they
        # are purged for good overnight). The answer's shape beyond `success` is not documented.
        email = body.get("email")
        contact = self._find_by_email(email) if isinstance(email, str) else None
        if contact is None:
            return failure(answers.CONTACT_NOT_FOUND)
        del self.emails[contact["email"].lower()]
        if body.get("permanently") is True:
            del self.contacts[contact["contactId"]]
        else:
            self.hidden[contact["contactId"]] = self.contacts.pop(contact["contactId"])
        return Answer(200, {"success": True, "message": []})

    def restore(self, email):
        """A hidden (deleted, not permanently) contact back, as SALESmanago's panel can; whether
        one was hidden."""
        with self.lock:
            found = next((c for c in self.hidden.values()
                          if c["email"].lower() == str(email).strip().lower()), None)
            if found is None:
                return False
            self.contacts[found["contactId"]] = self.hidden.pop(found["contactId"])
            self._index(found)
            self._save()
            return True

    def _list_tags(self, body):
        # The call: pixers/salesmanago-api (TagService::getAll). Its answer's `tags`, a list of
        # {"tag", "numberOfTagged"}, is how two public clients read it (the Layered Popups plugin's
        # SALESmanago module, and a Python client): no SALESmanago document shows it.
        counts = {}
        for contact in self.contacts.values():
            for tag in contact["tags"]:
                counts[tag] = counts.get(tag, 0) + 1
        return Answer(200, {"success": True, "message": [], "tags": [
            {"tag": tag, "numberOfTagged": count} for tag, count in sorted(counts.items())]})

    def _upsert(self, body):
        contact_part = body.get("contact")
        email = contact_part.get("email") if isinstance(contact_part, dict) else None
        email = email.strip() if isinstance(email, str) else ""
        if not email:
            return failure(answers.EMAIL_MISSING)
        contact = self._find_by_email(email)
        refusal = self._refusal(body, contact or {"email": email})
        if refusal:
            return failure(refusal)
        contact = contact or self._new_contact(email)
        card.apply(contact, body, self.consent_names)
        self._index(contact)
        return self._ok(contact)

    def _update(self, body):
        contact = self._find(contact_id=body.get("contactId"), email=body.get("email"))
        refusal = self._refusal(body, contact)
        if refusal:
            return failure(refusal)
        if contact is None:
            return failure(answers.CONTACT_NOT_FOUND)
        card.apply(contact, body, self.consent_names)
        self._index(contact)
        return self._ok(contact)

    def _refusal(self, body, contact):
        refusal = card.refusal(body, self.consent_names)
        new_email = body.get("newEmail")
        if not refusal and new_email and contact is not None:
            owner = self._find_by_email(new_email.strip())
            if owner is not None and owner is not contact and owner["email"] != contact["email"]:
                refusal = answers.NEW_EMAIL_TAKEN
        return refusal

    def _add_event(self, body):
        return events.add_event(self._find, body)

    def _add_events(self, body):
        return events.add_events(self._find, body)

    def _batch_upsert(self, body):
        items = body.get("upsertDetails")
        if not isinstance(items, list):
            return failure(answers.BATCH_MISSING)
        contact_ids, messages = {}, []
        for number, item in enumerate(items, 1):
            if not isinstance(item, dict):
                item = {}
            if self._lost_in_batch():
                messages.append(f"upsertDetails[{number}]: not stored (sandbox fault batch_drop)")
                continue
            answer = self._upsert(item)
            if answer.body["success"]:
                contact_ids[item["contact"]["email"].strip()] = answer.body["contactId"]
            else:
                messages.append(f"upsertDetails[{number}]: {answer.body['message'][0]}")
        # An e-mail missing from contactIds was not stored (SALESmanago's Magento module relies on it).
        return Answer(200, {"success": True, "message": messages, "contactIds": contact_ids})

    def _lost_in_batch(self):
        """Whether the batch fault loses this contact: its e-mail is left out of contactIds."""
        if self.faults.batch_drop > 0:
            self.faults.batch_drop -= 1
            return True
        return bool(self.faults.batch_drop_rate) and self.random.random() < self.faults.batch_drop_rate

    def _find(self, *, contact_id=None, email=None):
        """The contact with ``contact_id`` if one is given, else the one with ``email``."""
        if contact_id:
            return self.contacts.get(str(contact_id))
        return self._find_by_email(email) if isinstance(email, str) else None

    def _find_by_email(self, email):
        email = email.strip().lower()
        contact = self.contacts.get(self.emails.get(email))
        return contact if contact is not None and contact["email"].lower() == email else None

    def _index(self, contact):
        self.emails[contact["email"].lower()] = contact["contactId"]

    def _new_contact(self, email):
        contact = card.new_card(email)
        self.contacts[contact["contactId"]] = contact
        self._index(contact)
        return contact

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
