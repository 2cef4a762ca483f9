"""A small client for SALESmanago's API v2 (JSON over HTTPS, signed with ``sha``)."""

import copy
import datetime
import email.utils
import hashlib
import http.client
import math
import re
import threading
import time
import uuid

import requests
from django.core.exceptions import ValidationError
from django.views.decorators.debug import sensitive_variables

from .. import __version__, conf
from ..stored_messages import join, message
from . import deadlines, transport
from .endpoint import parse_endpoint
from .exceptions import (
    AccessDeniedError,
    AuthenticationError,
    NotConfigured,
    PermanentError,
    ThrottledError,
    TransientError,
    UnknownContactError,
)

USER_AGENT = f"wagtail-salesmanago/{__version__} python-requests/{requests.__version__}"
HEADERS = {
    "Content-Type": "application/json;charset=UTF-8",
    "Accept": "application/json",
    "User-Agent": USER_AGENT,
}
AUTH_FIELDS = ("clientId", "apiKey", "requestTime", "sha")

# The only refusal words public sources confirm: "Not authenticated" and "User not authenticated"
# (SALESmanago's SDK and plugins). Other texts are not relied on: the outbox checks the
# credentials to tell what any other refusal was about.
CONFIRMED_AUTH_TEXT = "not authenticated"
# The credentials check: its refusal can only be about the credentials or the owner.
CREDENTIALS_CHECK = "user/listByClient"
#: The account's tags (pixers/salesmanago-api ``TagService::getAll``); answered as ``tags``: a
#: list of ``{"tag": NAME, ...}`` (read so by the SALESmanago modules of the Layered Popups
#: WordPress plugin and of a public Python client).
LIST_TAGS = "contact/tags"
#: Delete a contact (pixers/salesmanago-api ``ContactService::delete``,
#: ``examples/Contact/delete.php``): ``owner``, ``email`` and ``permanently`` (without it the
#: contact is disabled and hidden).
DELETE_CONTACT = "contact/delete"
#: The most tags an account list keeps (an editor reads them; a huge account sends more).
MAX_LISTED_TAGS = 500
# External events are API v2 proper: SALESmanago's SDKs and plugins call them under /api/v2/.
ADD_EVENT = "v2/contact/addContactExtEvent"
# Synchronous: it answers the stored contacts' IDs (SALESmanago's Magento 1 module reads them).
BATCH_UPSERT = "contact/batchupsert"

_local = threading.local()


def shared_session():
    """One ``requests.Session`` per thread, so connections to SALESmanago are reused."""
    if not hasattr(_local, "session"):
        _local.session = transport.new_session(HEADERS)
    return _local.session


def base_url(endpoint):
    """``app3.salesmanago.pl`` -> ``https://app3.salesmanago.pl``: rebuilt from scheme, host, port."""
    return parse(endpoint).url


def parse(endpoint):
    try:
        return parse_endpoint(endpoint)
    except ValidationError as err:
        raise NotConfigured(message(
            "bad_endpoint", endpoint=repr(endpoint), reason=" ".join(err.messages)
        )) from None


@sensitive_variables()
def sign(client_id, api_secret, api_key):
    """SALESmanago's request signature: ``sha1(apiKey + clientId + apiSecret)`` in hex."""
    return hashlib.sha1(f"{api_key}{client_id}{api_secret}".encode()).hexdigest()


@sensitive_variables()
def auth_fields(client_id, api_secret):
    """The authentication fields for one request, with a fresh random ``apiKey``."""
    api_key = uuid.uuid4().hex
    return {
        "clientId": client_id,
        "apiKey": api_key,
        "requestTime": int(time.time() * 1000),
        "sha": sign(client_id, api_secret, api_key),
    }


def api_message(data):
    """SALESmanago's ``message`` (a list of strings, usually) as one line of text (the error that
    quotes it cleans and shortens it)."""
    message = data.get("message") if isinstance(data, dict) else None
    if isinstance(message, list):
        return "; ".join(str(item) for item in message if item)
    return str(message or "")


#: ``Retry-After`` in seconds (RFC 9110, section 10.2.3: ``1*DIGIT``).
DELAY_SECONDS = re.compile(r"[0-9]+")
#: The most seconds read: a longer number (Python refuses to read one of 4,300 digits) is as
#: long a wait as this, which the caller cuts to its own limit (``retry.pause_seconds``).
MAX_DELAY = 999_999_999


def http_date(text):
    """An HTTP date (RFC 9110, section 5.6.7, in any of its three forms) as an aware
    ``datetime``; ``None`` if ``text`` is not one."""
    text = (text or "").strip()
    if not text or len(text) > 40:  # "Sun, 06 Nov 1994 08:49:37 GMT" is 29
        return None
    try:
        date = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    # "-0000" (or no zone): UTC, as HTTP dates always are.
    return date if date.tzinfo is not None else date.replace(tzinfo=datetime.timezone.utc)


def retry_after_seconds(value, now=None):
    """The seconds a ``Retry-After`` header asks to wait: its delay in seconds, or the time from
    ``now`` (the answer's own ``Date``, else this clock: a server's clock may differ from ours)
    to its HTTP date, 0 once that is past; ``None`` if there is none or it is neither (RFC 9110,
    section 10.2.3)."""
    text = (value or "").strip()
    if DELAY_SECONDS.fullmatch(text):
        digits = text.lstrip("0") or "0"
        return int(digits) if len(digits) <= len(str(MAX_DELAY)) else MAX_DELAY
    date = http_date(text)
    if date is None:
        return None
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return min(MAX_DELAY, max(0, math.ceil((date - now).total_seconds())))


def user_email(entry):
    """One entry of ``user/listByClient``'s ``users``: an e-mail string (the documented shape), or a
    dict with ``email`` or ``login`` (tolerated); ``""`` for anything else."""
    if isinstance(entry, dict):
        entry = entry.get("email") or entry.get("login")
    return entry.strip() if isinstance(entry, str) else ""


def is_name_resolution_error(err):
    """Whether a connection error means the host name does not resolve (DNS)."""
    text = repr(err)
    return any(sign in text for sign in ("NameResolutionError", "Name or service not known",
                                         "getaddrinfo failed", "nodename nor servname"))


def broken_answer(err):
    """What went wrong with an answer that came (the connection was made) but could not be read,
    as a message; ``None`` if no answer came."""
    if isinstance(err, requests.exceptions.ContentDecodingError):
        return message("answer_undecodable")
    if isinstance(err, requests.exceptions.ChunkedEncodingError):
        return message("answer_cut_short")
    reason = cause_of(err, http.client.BadStatusLine)
    if isinstance(reason, http.client.RemoteDisconnected):
        return message("closed_without_answer")
    if reason is not None:
        return message("answer_not_http")
    return None


def cause_of(err, kind):
    """The first exception of ``kind`` among ``err``'s arguments (and theirs): requests wraps
    urllib3's errors, which wrap http.client's."""
    for arg in err.args:
        if isinstance(arg, kind):
            return arg
        if isinstance(arg, BaseException):
            found = cause_of(arg, kind)
            if found is not None:
                return found
    return None


def is_auth_message(message):
    """Whether SALESmanago's message says, in its confirmed words, that it rejected the credentials."""
    return CONFIRMED_AUTH_TEXT in message.lower()


class SalesmanagoClient:
    """Calls SALESmanago for one account. The secret only ever goes into ``sha``."""

    @sensitive_variables("api_secret")
    def __init__(
        self, endpoint, client_id, api_secret, *, timeout=None, deadline=None, session=None
    ):
        self.endpoint = parse(endpoint)
        self.base_url = self.endpoint.url
        self.client_id = client_id
        self._api_secret = api_secret
        self.timeout = conf.timeouts(timeout)  # (connect, read) seconds
        self.deadline = deadline or conf.deadline(self.timeout)  # seconds for a whole attempt
        self._attempt = None  # the Deadline that with_deadline() shares between calls
        self.session = session or shared_session()

    def __repr__(self):
        return f"SalesmanagoClient({self.base_url!r}, client_id={self.client_id!r})"

    def with_deadline(self):
        """A copy of this client whose calls share one deadline, starting now: one delivery attempt.

        A client that already has one is returned as it is, so nested steps share the same one.
        """
        if self._attempt is not None:
            return self
        attempt = copy.copy(self)
        attempt._attempt = deadlines.Deadline(self.deadline)
        return attempt

    # Every frame below holds the signed payload: error reports show none of their variables.
    @sensitive_variables()
    def call(self, path, body):
        """POST ``body`` (signed) to ``/api/<path>``; the decoded answer, or an error.

        The call, answer included, ends within the deadline: what is left of the attempt's
        (``with_deadline``), else ``self.deadline`` of its own.
        """
        url = self.endpoint.api_url(path)
        payload = {**auth_fields(self.client_id, self._api_secret), **body}
        deadline = self._attempt or deadlines.Deadline(self.deadline)
        try:
            response = transport.post(
                self.session, url, payload,
                timeout=self.timeout, deadline=deadline,
            )
        except deadlines.DeadlineExceeded as err:
            raise TransientError(
                message("timeout", seconds=f"{deadline.seconds:g}"), kind="timeout", path=path,
            ) from err
        except transport.AnswerTooLarge as err:
            raise TransientError(
                message("too_large", megabytes=transport.MAX_ANSWER_BYTES // 1_000_000),
                kind="garbled", path=path, status_code=err.status_code,
            ) from err
        except requests.Timeout as err:
            limit = (
                message("timeout_connect", seconds=f"{self.timeout[0]:g}")
                if isinstance(err, requests.ConnectTimeout)
                else message("timeout_read", seconds=f"{self.timeout[1]:g}")
            )
            raise TransientError(limit, kind="timeout", path=path) from err
        except requests.RequestException as err:
            broken = broken_answer(err)
            if broken is not None:
                raise TransientError(broken, kind="garbled", path=path) from err
            raise TransientError(
                message("unreachable", url=self.base_url, error=type(err).__name__),
                kind="dns" if is_name_resolution_error(err) else "unreachable",
                path=path,
            ) from err
        return self._decode(path, response)

    def _decode(self, path, response):
        status = response.status_code
        try:
            data = response.json()
        except (ValueError, RecursionError):  # deep nesting exhausts json's recursion
            data = None
        said = api_message(data)
        wait = retry_after_seconds(response.headers.get("Retry-After"),
                                   http_date(response.headers.get("Date")))
        if status == 429 or (status == 503 and wait is not None):
            raise ThrottledError(
                join(message("throttled" if status == 429 else "unavailable"),
                     message("wait_asked", seconds=wait) if wait is not None else ""),
                retry_after=wait, path=path, status_code=status, api_message=said,
                response=response,
            )
        if 300 <= status < 400:
            raise TransientError(
                message("redirect"), kind="garbled",
                path=path, status_code=status, response=response,
            )
        if status >= 500:
            raise TransientError(
                message("server_error"), kind="server", path=path, status_code=status,
                api_message=said, response=response,
            )
        answered = isinstance(data, dict) and "success" in data
        if status in (401, 403) and not answered:
            raise AccessDeniedError(
                message("access_denied"), path=path, status_code=status,
                response=response,
            )
        if not answered:
            raise TransientError(
                message("not_json"), kind="garbled", path=path,
                status_code=status, response=response,
            )
        if data["success"] is True:
            return data
        if is_auth_message(said) or status in (401, 403) or path == CREDENTIALS_CHECK:
            error_class, description = AuthenticationError, message("credentials_rejected")
        elif path in ("contact/update", DELETE_CONTACT):
            # SALESmanago's text for a missing contact is not documented; the contact ID (the
            # e-mail, for a deletion) is the only caller-chosen input, so any other refusal
            # means it (once the outbox has checked that the credentials work).
            error_class, description = UnknownContactError, message("unknown_contact")
        else:
            error_class, description = PermanentError, message("refused")
        raise error_class(
            description, path=path, status_code=status, api_message=said, response=response
        )

    def upsert(self, body):
        """Create or update the contact named by ``body["contact"]["email"]``."""
        return self.call("contact/upsert", body)

    def batch_upsert(self, owner, items):
        """Create or update many contacts in one call: ``items`` are upsert bodies without the
        authentication fields and ``owner``. Returns ``contactIds`` (e-mail -> contact ID) with
        the e-mails lower-cased, so that callers match them case-insensitively (SALESmanago files
        e-mails without regard to case). An e-mail missing there was not stored."""
        data = self.call(BATCH_UPSERT, {"owner": owner, "upsertDetails": items})
        answered = data.get("contactIds")
        if not isinstance(answered, dict):
            return {}
        return {str(email).strip().lower(): contact_id for email, contact_id in answered.items()}

    def update(self, body):
        """Update the existing contact named by ``body["contactId"]``."""
        return self.call("contact/update", body)

    def add_event(self, body):
        """Add ``body["contactEvent"]`` to the timeline of the contact named by ``contactId`` or
        ``email``; the answer carries the event's ``eventId``."""
        return self.call(ADD_EVENT, body)

    def list_users(self, owner):
        """The e-mails of the account's users (the possible owners), asked on behalf of ``owner``.

        SALESmanago's SDKs send ``owner`` with this call too, and read ``users`` as e-mail strings.
        """
        data = self.call(CREDENTIALS_CHECK, {"owner": owner})
        users = data.get("users")
        return [email for email in map(user_email, users if isinstance(users, list) else []) if email]

    def delete_contact(self, owner, email, permanently):
        """Delete the contact ``email`` (``permanently``, or disabled and hidden);
        ``UnknownContactError`` for one SALESmanago does not have."""
        return self.call(DELETE_CONTACT, {"owner": owner, "email": email,
                                          "permanently": bool(permanently)})

    def list_tags(self, owner):
        """The names of the account's tags (system tags left out), at most ``MAX_LISTED_TAGS``,
        each at most 255 characters; anything in the answer that is not a tag is left out."""
        data = self.call(LIST_TAGS, {"owner": owner, "showSystemTags": False})
        tags = data.get("tags")
        names = (entry.get("tag") for entry in (tags if isinstance(tags, list) else [])
                 if isinstance(entry, dict))
        found = [name.strip()[:255] for name in names if isinstance(name, str) and name.strip()]
        return list(dict.fromkeys(found))[:MAX_LISTED_TAGS]
