"""External events on a contact's timeline: ``addContactExtEvent`` and its batch form.

Request and answer shapes: tomaszcekalo/SalesManago SalesManago/SalesManagoService.cs
(AddContactExternalEventAsync, BatchAddContactExternalEventAsync), Responses/EventIdResponse.cs and
Responses/BatchAddContactExtEventResponse.cs; haloween/salesmanago-python-api
salesmanago_python_api/services/event.py and tests/event/test_services_integration.py.
"""

import time
import uuid

from . import answers
from .answers import Answer, failure
from .rules import EVENT_FIELDS, MAX_BATCH_EVENTS, event_problems


def add_event(find_contact, body):
    """One event for the contact ``body`` names by ``email`` or ``contactId``."""
    contact, refusal = _check(find_contact, body)
    if refusal:
        return failure(refusal)
    return Answer(200, {"success": True, "message": [], "eventId": _store(contact, body["contactEvent"])})


def add_events(find_contact, body):
    """Up to 1000 events; each is stored or counted as failed on its own."""
    events = body.get("events")
    if not isinstance(events, list) or not 1 <= len(events) <= MAX_BATCH_EVENTS:
        return failure(answers.EVENTS_INVALID)
    failed, messages = [], []
    for number, item in enumerate(events, 1):
        item = item if isinstance(item, dict) else {}
        contact, refusal = _check(find_contact, item)
        if refusal:
            failed.append(str(item.get("email") or item.get("contactId") or ""))
            messages.append(f"events[{number}]: {refusal}")
        else:
            _store(contact, item["contactEvent"])
    return Answer(200, {
        "success": True, "message": messages, "failedContacts": failed,
        "createdAmount": len(events) - len(failed), "failedAmount": len(failed),
    })


def _check(find_contact, body):
    """The contact to add the event to, or the reason SALESmanago would refuse it."""
    email, contact_id = body.get("email"), body.get("contactId")
    if not email and not contact_id:
        return None, answers.EVENT_CONTACT_MISSING
    problems = event_problems(body.get("contactEvent"))
    if problems:
        return None, f"{answers.EVENT_INVALID}: {'; '.join(problems)}"
    contact = find_contact(contact_id=contact_id, email=email)
    if contact is None:
        return None, answers.CONTACT_NOT_FOUND
    return contact, None


def _store(contact, event):
    event_id = str(uuid.uuid4())
    contact["events"].append({
        "eventId": event_id,
        **{name: event[name] for name in EVENT_FIELDS if event.get(name) is not None},
        "received": time.time(),
    })
    return event_id
