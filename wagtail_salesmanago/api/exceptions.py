"""Errors of the SALESmanago API client.

API errors subclass ``requests.HTTPError`` so callers' existing handlers catch them;
configuration errors subclass ``ImproperlyConfigured`` and are never swallowed silently.
No message ever contains the API secret: messages quote SALESmanago's own words,
the HTTP status and the API path called, nothing else.
"""

import unicodedata

import requests
from django.core.exceptions import ImproperlyConfigured

from .. import stored_messages

#: The most of SALESmanago's words an error quotes: it is stored in each record, attempt and
#: hold, mailed and listed, so a huge answer must not be copied whole into all of them.
MAX_QUOTED = 300


def quoted(message):
    """SALESmanago's ``message`` as it may be stored and shown: one line without control or
    invisible characters (PostgreSQL's text cannot hold NUL), at most ``MAX_QUOTED`` characters."""
    text = str(message or "")[: MAX_QUOTED * 20]  # enough to clean; the rest is cut anyway
    text = " ".join("".join(
        char for char in text if char.isspace() or unicodedata.category(char)[0] != "C"
    ).split())
    return text if len(text) <= MAX_QUOTED else text[: MAX_QUOTED - 1].rstrip() + "…"


class SalesmanagoError(requests.HTTPError):
    """SALESmanago could not do what was asked."""

    #: whether sending the same request again later may succeed
    transient = False
    #: whether the error is about the site's credentials or owner, not one record: the site's
    #: deliveries then wait (a hold) instead of failing
    holds_site = False

    def __init__(self, description, *, path="", status_code=None, api_message=None, response=None):
        #: what went wrong: a ``stored_messages.Message`` (or plain text, kept as it is)
        self.description = description
        self.path = path
        self.status_code = status_code
        self.api_message = quoted(api_message) if api_message else api_message
        super().__init__(str(self), response=response)

    @property
    def message(self):
        """The whole error as a ``stored_messages.Message``: stored with each record and attempt,
        and shown in the reader's language (SALESmanago's words and the call as they are)."""
        details = ", ".join(
            item
            for item in (
                f"HTTP {self.status_code}" if self.status_code else "",
                f"POST /api/{self.path}" if self.path else "",
            )
            if item
        )
        return stored_messages.join(
            self.description,
            stored_messages.message("api_said", api_message=self.api_message)
            if self.api_message else "",
            f"({details})" if details else "",
        )

    def retold(self, cls, description):
        """The same call's answer as a ``cls``, with ``description`` saying what it was about."""
        return cls(description, path=self.path, status_code=self.status_code,
                   api_message=self.api_message)

    def __str__(self):
        return str(self.message)

    def __repr__(self):
        return (
            f"{type(self).__name__}({self.description!r}, path={self.path!r}, "
            f"status_code={self.status_code!r}, api_message={self.api_message!r})"
        )


class TransientError(SalesmanagoError):
    """A timeout, a refused connection, a 5xx or a garbled answer: try again later.

    ``kind`` says which: ``"dns"``, ``"unreachable"``, ``"timeout"``, ``"server"``, ``"garbled"``
    (a redirect too), ``"denied"`` (a 401/403 for this call only: the credentials work), or
    ``"throttled"`` (``ThrottledError``).
    """

    transient = True

    def __init__(self, description, *, kind="", **kwargs):
        self.kind = kind
        super().__init__(description, **kwargs)


class ThrottledError(TransientError):
    """SALESmanago (or something in front of it) asked for fewer calls: HTTP 429 Too Many
    Requests (RFC 6585, section 4), or 503 Service Unavailable with a ``Retry-After`` header
    (RFC 9110, sections 15.6.4 and 10.2.3). Not this record's fault: the site's calls wait.
    """

    def __init__(self, description, *, retry_after=None, **kwargs):
        #: the seconds ``Retry-After`` asked to wait (``retry_after_seconds``), or ``None``
        self.retry_after = retry_after
        super().__init__(description, kind="throttled", **kwargs)


class PermanentError(SalesmanagoError):
    """SALESmanago refused the request; sending it again unchanged will not help."""


class AuthenticationError(PermanentError):
    """SALESmanago rejected the client ID, the API secret or the owner.

    The site's deliveries wait until the settings change or a check passes; nothing is lost.
    """

    holds_site = True


class OwnerError(AuthenticationError):
    """The credentials work, but the owner is not one of the account's users."""


class AccessDeniedError(SalesmanagoError):
    """HTTP 401/403 without SALESmanago's JSON: something in front of it (a proxy, a firewall)
    or SALESmanago itself turned the request away. If the credentials check is turned away too,
    the site's deliveries wait, as for rejected credentials; if it passes, only that delivery was
    blocked, and it is retried (``holds.explain``).
    """

    holds_site = True


class FormOwnerError(PermanentError):
    """The form's own owner is not one of the account's users: that form's answers fail, not the
    site's (the users list that showed it also showed that the credentials work)."""


class UnknownContactError(PermanentError):
    """``contact/update`` named a contact ID that SALESmanago does not know."""


class NotConfigured(ImproperlyConfigured):
    """The site has no SALESmanago credentials."""

    def __init__(self, message):
        #: a ``stored_messages.Message`` (or plain text)
        self.message = message
        super().__init__(message)
