"""A contact card: what the sandbox keeps about a contact, and how an upsert or update changes it.

Field names are SALESmanago's (SALESmanago's PHP SDK src/Model/ContactModel.php toArray(), the copy
inside WordPressBugBounty/plugins-salesmanago): ``contact{name, phone, fax, company, externalId,
state, address{...}}`` and, at the top level, ``birthday``, ``province``, ``lang``, ``newEmail``,
``consentDetails``, the ``force*`` flags and ``useApiDoubleOptIn``. The keys the sandbox adds for
what SALESmanago shows on its contact card (opt-in statuses, confirmation e-mails sent) are its own.
"""

import time
import uuid

from . import answers
from .rules import stored_tags, too_long_details, valid_birthday

CONTACT_FIELDS = ("name", "phone", "fax", "company", "externalId", "state")
ADDRESS_FIELDS = ("streetAddress", "zipCode", "city", "country")
TOP_LEVEL_FIELDS = ("birthday", "province", "lang")
CONSENT_FIELDS = ("consentAccept", "agreementDate", "ip", "optOut", "consentDescriptionId")

# Opt-in statuses. A contact created without any force* flag is not opted in: the SDK's
# Options::$isSubscriptionStatusNoChange says all-false flags "must not change his optin status or
# set optOut status while contact doesn't exist".
NOT_OPTED_IN = "not opted in"
OPTED_IN = "opted in"
OPTED_OUT = "opted out"
# How SALESmanago shows a contact that has been sent a confirmation e-mail but not clicked it is not
# public; this is the sandbox's word for it, until POST /sandbox/confirm.
PENDING = "pending confirmation"


def new_card(email):
    now = time.time()
    return complete({"contactId": str(uuid.uuid4()), "email": email, "created": now, "modified": now})


def complete(card):
    """``card`` with every key, so cards from an older state file read like new ones."""
    for name in (*CONTACT_FIELDS, *TOP_LEVEL_FIELDS, "double_opt_in_email_id", "double_opt_in_language"):
        card.setdefault(name, None)
    card.setdefault("address", {})
    for name in ADDRESS_FIELDS:
        card["address"].setdefault(name, None)
    card.setdefault("tags", [])
    card.setdefault("properties", {})
    card.setdefault("consents", {})
    card.setdefault("email_opt_in", NOT_OPTED_IN)
    card.setdefault("phone_opt_in", NOT_OPTED_IN)
    card.setdefault("double_opt_in_emails_sent", 0)
    card.setdefault("events", [])
    return card


def refusal(body, consent_names):
    """Why SALESmanago would refuse this upsert/update body, or ``None``. Checked before any change."""
    properties = body.get("properties")
    if properties is not None:
        if not isinstance(properties, dict):
            return answers.PROPERTIES_NOT_OBJECT
        too_long = too_long_details(properties)
        if too_long:
            return f"{answers.VALUE_TOO_LONG}: {', '.join(too_long)}"
    part = body.get("contact")
    if part is not None and not (isinstance(part, dict) and isinstance(part.get("address") or {}, dict)):
        return answers.CONTACT_NOT_OBJECT
    if _given(body.get("birthday")) and not valid_birthday(body["birthday"]):
        return f"{answers.BIRTHDAY_INVALID}: {body['birthday']!r}"
    new_email = body.get("newEmail")
    if _given(new_email) and (not isinstance(new_email, str) or "@" not in new_email):
        return answers.NEW_EMAIL_INVALID
    return _consent_refusal(body.get("consentDetails"), consent_names)


def _consent_refusal(consents, consent_names):
    if consents is None:
        return None
    if not isinstance(consents, list) or not all(
        isinstance(c, dict) and isinstance(c.get("consentName"), str) for c in consents
    ):
        return answers.CONSENTS_INVALID
    known = {name.lower() for name in consent_names}
    unknown = [c["consentName"] for c in consents if c["consentName"].strip().lower() not in known]
    if unknown:
        return f"{answers.CONSENT_UNKNOWN}: {', '.join(unknown)}"
    return None


def apply(card, body, consent_names):
    """Change ``card`` as SALESmanago would for an accepted upsert/update ``body``."""
    part = body.get("contact") or {}
    for name in CONTACT_FIELDS:
        _set(card, name, part.get(name))
    for name in ADDRESS_FIELDS:
        _set(card["address"], name, (part.get("address") or {}).get(name))
    for name in TOP_LEVEL_FIELDS:
        _set(card, name, body.get(name))
    if _given(body.get("newEmail")):
        card["email"] = body["newEmail"].strip()
    card["properties"].update({str(k): str(v) for k, v in (body.get("properties") or {}).items()})
    removed = stored_tags(body.get("removeTags"))
    tags = [tag for tag in card["tags"] if tag not in removed]
    card["tags"] = tags + [tag for tag in stored_tags(body.get("tags")) if tag not in tags]
    _record_consents(card, body.get("consentDetails") or [], consent_names)
    _change_opt_in(card, body)
    card["modified"] = time.time()


def _record_consents(card, consents, consent_names):
    spelling = {name.lower(): name for name in consent_names}
    for consent in consents:
        name = spelling[consent["consentName"].strip().lower()]
        recorded = {field: consent.get(field) for field in CONSENT_FIELDS}
        # "in case of absence a current timestamp will be used" (.NET Common/ConsentDetail.cs)
        recorded["agreementDate"] = recorded["agreementDate"] or int(time.time() * 1000)
        card["consents"][name] = recorded


def _change_opt_in(card, body):
    """The force* flags and double opt-in; all false leaves the statuses alone (the SDK relies on it).

    Where flags contradict each other, opting out wins: it is the one a visitor cannot be wrongly
    given. With ``useApiDoubleOptIn`` the contact is not opted in at once, even with ``forceOptIn``
    (SALESmanago's own examples send both): a confirmation e-mail is "sent" instead, on every such
    request, so a client that asks twice shows it.
    """
    if body.get("forceOptOut") is True:
        card["email_opt_in"] = OPTED_OUT
    elif body.get("useApiDoubleOptIn") is True:
        card["double_opt_in_emails_sent"] += 1
        card["double_opt_in_email_id"] = body.get("doubleOptInEmailId")
        card["double_opt_in_language"] = body.get("doubleOptInLanguage") or body.get("lang")
        if card["email_opt_in"] != OPTED_IN:
            card["email_opt_in"] = PENDING
    elif body.get("forceOptIn") is True:
        card["email_opt_in"] = OPTED_IN
    if body.get("forcePhoneOptOut") is True:
        card["phone_opt_in"] = OPTED_OUT
    elif body.get("forcePhoneOptIn") is True:
        card["phone_opt_in"] = OPTED_IN


def confirm(card):
    """The contact clicked the confirmation link; ``False`` if none was waiting."""
    if card["email_opt_in"] != PENDING:
        return False
    card["email_opt_in"] = OPTED_IN
    card["modified"] = time.time()
    return True


def unsubscribe(card):
    """The contact unsubscribed from e-mail; ``False`` if it already had."""
    if card["email_opt_in"] == OPTED_OUT:
        return False
    card["email_opt_in"] = OPTED_OUT
    card["modified"] = time.time()
    return True


def _given(value):
    return value is not None and value != ""


def _set(target, name, value):
    # SALESmanago's SDK strips null and empty values before sending, so an absent or empty field
    # leaves the stored one alone.
    if _given(value):
        target[name] = value if isinstance(value, str) else str(value)
