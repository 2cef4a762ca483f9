"""The external event an answer adds to the contact's timeline: pure functions, no Django models.

SALESmanago's ``POST /api/v2/contact/addContactExtEvent`` takes the contact (``contactId`` or
``email``) and a ``contactEvent``; its fields and limits are those of SALESmanago's PHP SDK
(``Entity/Event/Event.php``) and API documentation. Automation rules can react to the event's
type, so a marketer can start a workflow on "filled in form X".
"""

import re

from .names import transliterate_letters

#: The ``contactExtEventType`` values SALESmanago accepts (its PHP SDK's list; the same in its docs).
EVENT_TYPES = (
    "SURVEY", "OTHER", "DOWNLOAD", "OFFER", "RESERVATION", "MEETING", "PHONE_CALL", "VISIT",
    "ACTIVATION", "LOGIN", "PURCHASE", "CART", "TRANSACTION", "CANCELLED", "CANCELLATION",
    "RETURN", "APP_STATUS", "APP_TYPE_WEB", "APP_TYPE_MANUAL", "APP_TYPE_RETENTION",
    "APP_TYPE_UPSALE", "LOAN_STATUS", "LOAN_ORDER", "FIRST_LOAN", "REPEATED_LOAN",
)
MAX_DESCRIPTION = 2048
MAX_LOCATION = 36
MAX_EXTERNAL_ID = 255
MAX_DETAIL = 255

_LOCATION_FORBIDDEN = re.compile(r"[^a-z0-9/_.-]")


def location(hostname):
    """The event's ``location`` for a site: its host name as SALESmanago allows it (``a-z0-9/_-.``,
    at most 36 characters), ``www.Sklep-Łódź.pl`` -> ``www.sklep-lodz.pl``."""
    text = transliterate_letters(str(hostname or "").strip()).lower()
    return _LOCATION_FORBIDDEN.sub("-", text)[:MAX_LOCATION]


def contact_event(event_type, *, date_ms, title, url, submission_id, hostname, details=None):
    """The ``contactEvent`` of one answer: the form's title as description, the page's URL as
    ``detail1``, the submission's ID as ``externalId``, then ``details`` (``detail2`` ...: see
    ``attribution.EVENT_DETAILS``). Empty values are left out, as SALESmanago's SDK does."""
    event = {
        "date": int(date_ms),
        "contactExtEventType": event_type,
        "description": str(title or "")[:MAX_DESCRIPTION],
        "location": location(hostname),
        "externalId": str(submission_id or "")[:MAX_EXTERNAL_ID],
        "detail1": str(url or "")[:MAX_DETAIL],
        **{name: str(value)[:MAX_DETAIL] for name, value in (details or {}).items()},
    }
    return {name: value for name, value in event.items() if value not in ("", None)}


def event_body(*, owner, contact_id, email, contact_event):
    """The body of ``addContactExtEvent`` without the authentication fields: the contact by its
    ID when there is one, else by e-mail."""
    contact = {"contactId": contact_id} if contact_id else {"email": email}
    return {"owner": owner, **contact, "contactEvent": contact_event}
