"""From form answers to SALESmanago request bodies: pure functions, no Django models.

A "question" is anything with ``label``, ``field_type`` and ``clean_name``
attributes (Wagtail's form fields are); ``answers`` maps ``clean_name`` to the
cleaned value of that question.
"""

import re
from dataclasses import dataclass, field

from ..stored_messages import message
from . import contact_fields, tags as tag_rules

# Detail names and values have modules of their own; the mapping is their one front door.
from .names import (  # noqa: F401
    DEFAULT_DETAIL_PREFIX,
    describe_details,
    detail_key,
    detail_keys,
)
from .values import format_value  # noqa: F401

#: How much of an invalid ``smclientid`` a record's notes quote.
NOTED_ID_LENGTH = 64
EMAIL_FIELD_TYPE = "email"

MODE_UPSERT = "upsert"
MODE_UPDATE = "update"

_CONTACT_ID = re.compile(r"[0-9a-f]{8}(-?[0-9a-f]{4}){3}-?[0-9a-f]{12}", re.IGNORECASE)


def build_properties(questions, answers, prefix):
    """Custom details for every answered question, except those whose target is ``skip``."""
    properties = {}
    for question, key in zip(questions, detail_keys(questions, prefix)):
        if not contact_fields.is_sent_as_detail(question):
            continue
        value = format_value(answers.get(question.clean_name))
        if value is not None:
            properties[key] = value
    return properties


def identity_question(questions):
    """The question whose answer identifies the contact (the first e-mail one), or ``None``."""
    return next((q for q in questions if q.field_type == EMAIL_FIELD_TYPE), None)


def first_email(questions, answers):
    """The answer to the first e-mail question, or ``""``."""
    question = identity_question(questions)
    return str(answers.get(question.clean_name) or "").strip() if question else ""


def parse_contact_id(raw):
    """A SALESmanago contact ID (a UUID) in canonical form, or ``None`` when ``raw`` is not one."""
    text = str(raw).strip()
    if not _CONTACT_ID.fullmatch(text):
        return None
    hexdigits = text.replace("-", "").lower()
    return "-".join(
        (hexdigits[:8], hexdigits[8:12], hexdigits[12:16], hexdigits[16:20], hexdigits[20:])
    )


def ignored_id_note(raw, source):
    """The record's note on a contact ID (from ``source``: ``smclientid`` or ``smclient``) that is
    not one: quoted, escaped, bounded."""
    raw = str(raw)
    # repr() escapes control, bidi and zero-width characters, and NUL, which PostgreSQL refuses.
    quoted = repr(raw[:NOTED_ID_LENGTH])
    if len(raw) > NOTED_ID_LENGTH:
        quoted = message("cut_value", value=quoted, shown=NOTED_ID_LENGTH, length=len(raw))
    code = "link_id_ignored" if source == "smclientid" else "cookie_id_ignored"
    return message(code, value=quoted)


@dataclass
class ExportPlan:
    """What one submission becomes: who the contact is and what they get."""

    mode: str  # MODE_UPSERT, MODE_UPDATE or "" (nothing to send)
    email: str
    contact_id: str
    properties: dict
    tags: list
    notes: list = field(default_factory=list)
    contact: dict = field(default_factory=dict)  # standard fields, without the e-mail
    lead_fields: dict = field(default_factory=dict)  # contact_fields.LEAD_KEYS in play


def plan_export(
    questions, answers, raw_contact_id, tag_text, prefix, *, lead_options=None, cookie_id="",
    use_cookie=True, trust_email=False,
):
    """Choose the mode for a submission and build its details and tags.

    ``lead_options``: keyword arguments of ``contact_fields.lead_fields`` (the form's tags to
    remove, its opt-in, the time and IP of the consent); none for a form that is not a lead.
    """
    email = first_email(questions, answers)
    lead = contact_fields.plan_lead(questions, answers)
    mode, contact_id, notes = identify(
        raw_contact_id, email, cookie_id, use_cookie=use_cookie, trust_email=trust_email
    )
    return ExportPlan(
        mode=mode,
        email=email,
        contact_id=contact_id,
        properties=build_properties(questions, answers, prefix),
        tags=tag_rules.unique(
            tag_rules.normalise_tags(tag_text) + tag_rules.answer_tags(questions, answers)),
        notes=notes + lead.notes,
        contact=lead.contact,
        lead_fields=contact_fields.lead_fields(lead, **(lead_options or {})),
    )


def identify(raw_link_id, email, raw_cookie_id, *, use_cookie=True, trust_email=False):
    """Who the answers belong to: ``(mode, contact ID, notes)``.

    A link's ``smclientid`` updates that contact, unless the visitor typed an e-mail and the site
    trusts typed e-mails more. The ``smclient`` cookie of SALESmanago's monitoring code counts only
    when there is neither: a link is a stronger claim, and a typed e-mail is the visitor's own word.
    """
    notes = []
    link_id = checked_contact_id(raw_link_id, "smclientid", notes)
    if link_id and email and trust_email:
        notes.append(message("typed_email_used"))
        return MODE_UPSERT, link_id, notes
    if link_id:
        return MODE_UPDATE, link_id, notes
    if email:
        return MODE_UPSERT, "", notes
    if raw_cookie_id and not use_cookie:
        notes.append(message("cookie_not_used"))
        return "", "", notes
    cookie_id = checked_contact_id(raw_cookie_id, "smclient", notes)
    if cookie_id:
        notes.append(message("cookie_contact_id"))
        return MODE_UPDATE, cookie_id, notes
    return "", "", notes


def checked_contact_id(raw, source, notes):
    """``raw`` as a contact ID, or ``""`` with a note when it is not one (cut and escaped)."""
    if not raw:
        return ""
    contact_id = parse_contact_id(raw)
    if contact_id is None:
        notes.append(ignored_id_note(raw, source))
    return contact_id or ""


def upsert_body(*, owner, email, properties, tags, contact=None, lead_fields=None):
    """The body of ``contact/upsert`` without the authentication fields.

    Without consent in play, like SALESmanago's PHP SDK, every ``force*`` flag and
    ``useApiDoubleOptIn`` are ``false``, so the contact's subscription status stays as it is;
    ``lead_fields`` (see ``contact_fields.lead_fields``) set them when a consent was given.
    """
    return {
        "owner": owner,
        "contact": {"email": email, **(contact or {})},
        "properties": properties,
        "tags": tags,
        "forceOptIn": False,
        "forceOptOut": False,
        "forcePhoneOptIn": False,
        "forcePhoneOptOut": False,
        "useApiDoubleOptIn": False,
        "async": False,
        **(lead_fields or {}),
    }


def update_body(*, owner, contact_id, properties, tags, contact=None, lead_fields=None):
    """The body of ``contact/update`` by contact ID, without the authentication fields.

    The known contact's e-mail is never changed, so ``contact{...}`` (present only when the
    form fills standard fields) has no e-mail.
    """
    body = {
        "owner": owner,
        "contactId": contact_id,
        "properties": properties,
        "tags": tags,
    }
    if contact:
        body["contact"] = dict(contact)
    return {**body, **(lead_fields or {})}
