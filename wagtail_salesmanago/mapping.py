"""From form answers to SALESmanago request bodies: pure functions, no Django models.

A "question" is anything with ``label``, ``field_type`` and ``clean_name``
attributes (Wagtail's form fields are); ``answers`` maps ``clean_name`` to the
cleaned value of that question.
"""

import datetime
import decimal
import re
import unicodedata
from dataclasses import dataclass, field

from unidecode import unidecode

DEFAULT_DETAIL_PREFIX = "ankieta."
MAX_VALUE_LENGTH = 255
MAX_TAG_LENGTH = 255
#: SALESmanago documents no length for detail names; ours are bounded, prefix and suffix included.
MAX_NAME_LENGTH = 255
#: The name of a question whose label has no letter or digit left: its place in the form.
FALLBACK_NAME = "question-{position}"
#: How much of an invalid ``smclientid`` a record's notes quote.
NOTED_ID_LENGTH = 64
EMAIL_FIELD_TYPE = "email"

MODE_UPSERT = "upsert"
MODE_UPDATE = "update"

_WHITESPACE = re.compile(r"\s+")
_TAG_FORBIDDEN = re.compile(r"[^A-Z0-9\-_()\[\]{}]")
_CONTACT_ID = re.compile(r"[0-9a-f]{8}(-?[0-9a-f]{4}){3}-?[0-9a-f]{12}", re.IGNORECASE)


def transliterate_letters(text):
    """Turn non-ASCII letters into ASCII (``ł`` -> ``l``); keep every other character."""
    return "".join(
        unidecode(char) if char.isalpha() and not char.isascii() else char
        for char in text
    )


def label_name(label, room=None):
    """A label as it goes into a detail name (cut to ``room`` characters), or ``""`` when no
    letter or digit is left.

    Whitespace (tabs, line breaks, no-break spaces) separates words; letters and combining
    marks become ASCII; other visible characters are kept; see ``visible_text`` for the rest.
    """
    text = "".join(
        unidecode(char) if not char.isascii() and unicodedata.category(char)[0] in "LM" else char
        for char in visible_text(label)
    )
    text = _WHITESPACE.sub("-", text.strip())[:room].rstrip("-")
    return text if any(char.isalnum() for char in text) else ""


def visible_text(label):
    """The label without control, format (bidi, zero-width) and unassigned characters."""
    return "".join(
        char for char in unicodedata.normalize("NFC", str(label))
        if char.isspace() or unicodedata.category(char)[0] != "C"
    )


def detail_key(label, prefix, position):
    """The custom detail name of the question with ``label`` at ``position`` (from 1)."""
    room = max(MAX_NAME_LENGTH - len(prefix), 0)
    return cut_name(prefix + (label_name(label, room) or FALLBACK_NAME.format(position=position)))


def cut_name(name, suffix=""):
    """``name`` + ``suffix``, ``name`` cut so that the whole fits in ``MAX_NAME_LENGTH``."""
    room = MAX_NAME_LENGTH - len(suffix)
    if len(name) > room:
        name = name[:room].rstrip("-")
    return name + suffix


def format_value(value):
    """The answer as SALESmanago gets it, or ``None`` when there is nothing to send."""
    if value is None:
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (list, tuple)):
        text = format_items(value)
    elif isinstance(value, (datetime.date, datetime.time)):
        # datetime is a date subclass; isoformat() suits all three.
        text = value.isoformat()
    elif isinstance(value, (int, float, decimal.Decimal)):
        text = format_number(value)
    else:
        text = str(value)
    if not text.strip():
        return None
    return text[:MAX_VALUE_LENGTH]


def format_items(items):
    """Several choices, comma-separated; stops once the text is longer than a value can be."""
    texts, length = [], 0
    for item in items:
        text = format_value(item)
        if text is None:
            continue
        texts.append(text)
        length += len(text) + 2
        if length > MAX_VALUE_LENGTH:
            break
    return ", ".join(texts)


def format_number(number):
    """Plain decimal (``42.50``) when it fits in a value, else scientific notation (``1E+400``).

    The cost never depends on the exponent: an anonymous visitor can post ``1e1000000000``,
    whose plain decimal has a billion digits. Too many significant digits are rounded.
    """
    if isinstance(number, float):
        number = decimal.Decimal(repr(number))  # 0.1, not 0.1000000000000000055511151231257827
    elif isinstance(number, int):
        number = decimal.Decimal(number)  # not str(): it refuses ints over 4,300 digits
    if not number.is_finite():
        return str(number)  # "Infinity", "-Infinity", "NaN"
    sign, digits, exponent = number.as_tuple()
    if exponent >= 0:
        plain_length = sign + len(digits) + exponent
    else:
        plain_length = sign + max(len(digits) + 1, 2 - exponent)
    if plain_length <= MAX_VALUE_LENGTH:
        return format(number, "f")
    if number.is_zero():
        return "0"
    text, places = format(number, "E"), len(digits)
    while len(text) > MAX_VALUE_LENGTH:
        # A loop, not one sum: rounding 9.99... up can lengthen the exponent.
        places -= len(text) - MAX_VALUE_LENGTH
        mantissa, exponent_part = format(number, f".{places}E").split("E")
        text = f"{mantissa.rstrip('0').rstrip('.')}E{exponent_part}"
    return text


def detail_keys(questions, prefix):
    """The custom detail name of each question, in form order; colliding names get ``-2``, ``-3``...

    Every question takes its name whether answered or not, so suffixes never depend on answers.
    """
    keys, taken = [], set()
    for position, question in enumerate(questions, 1):
        key = unique_key(detail_key(question.label, prefix, position), taken)
        taken.add(key)
        keys.append(key)
    return keys


def build_properties(questions, answers, prefix):
    """Custom details for every answered question."""
    properties = {}
    for question, key in zip(questions, detail_keys(questions, prefix)):
        value = format_value(answers.get(question.clean_name))
        if value is not None:
            properties[key] = value
    return properties


def describe_details(questions, prefix):
    """For editors: each question's detail name, and what became of its label on the way."""
    details = []
    for position, (question, key) in enumerate(zip(questions, detail_keys(questions, prefix)), 1):
        label = str(question.label)
        text, visible = label_name(label), visible_text(label)
        details.append({
            "label": label,
            "key": key,
            "fallback": not label_name(label, max(MAX_NAME_LENGTH - len(prefix), 0)),
            "invisible_removed": visible != unicodedata.normalize("NFC", label),
            "transliterated": bool(text) and text != _WHITESPACE.sub("-", visible.strip()),
            "cut": len(prefix + text) > MAX_NAME_LENGTH,
            "suffixed": key != detail_key(label, prefix, position),
        })
    return details


def identity_question(questions):
    """The question whose answer identifies the contact (the first e-mail one), or ``None``."""
    return next((q for q in questions if q.field_type == EMAIL_FIELD_TYPE), None)


def unique_key(key, taken):
    """``key``, or ``key-2``, ``key-3``... whichever is not in ``taken`` yet (cut to fit)."""
    candidate, number = key, 1
    while candidate in taken:
        number += 1
        candidate = cut_name(key, f"-{number}")
    return candidate


def normalise_tags(text):
    """Comma-separated tags the way SALESmanago stores them: ``badanie satysfakcji`` -> ``BADANIE_SATYSFAKCJI``."""
    tags = []
    for raw in (text or "").split(","):
        tag = _TAG_FORBIDDEN.sub("_", transliterate_letters(raw.strip()).upper())
        tag = tag[:MAX_TAG_LENGTH]
        if tag and tag not in tags:
            tags.append(tag)
    return tags


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


def ignored_id_note(raw):
    """The record's note on an ``smclientid`` that is not a contact ID: quoted, escaped, bounded."""
    raw = str(raw)
    # repr() escapes control, bidi and zero-width characters, and NUL, which PostgreSQL refuses.
    quoted = repr(raw[:NOTED_ID_LENGTH])
    if len(raw) > NOTED_ID_LENGTH:
        quoted += f" (the first {NOTED_ID_LENGTH} of {len(raw)} characters)"
    return f"Ignored smclientid {quoted}: not a contact ID (UUID)."


@dataclass
class ExportPlan:
    """What one submission becomes: who the contact is and what they get."""

    mode: str  # MODE_UPSERT, MODE_UPDATE or "" (nothing to send)
    email: str
    contact_id: str
    properties: dict
    tags: list
    notes: list = field(default_factory=list)


def plan_export(questions, answers, raw_contact_id, tag_text, prefix):
    """Choose the mode for a submission and build its details and tags."""
    notes = []
    contact_id = ""
    if raw_contact_id:
        contact_id = parse_contact_id(raw_contact_id) or ""
        if not contact_id:
            notes.append(ignored_id_note(raw_contact_id))
    email = first_email(questions, answers)
    if contact_id:
        mode = MODE_UPDATE
    elif email:
        mode = MODE_UPSERT
    else:
        mode = ""
    return ExportPlan(
        mode=mode,
        email=email,
        contact_id=contact_id,
        properties=build_properties(questions, answers, prefix),
        tags=normalise_tags(tag_text),
        notes=notes,
    )


def upsert_body(*, owner, email, properties, tags):
    """The body of ``contact/upsert`` without the authentication fields."""
    return {
        "owner": owner,
        "contact": {"email": email},
        "properties": properties,
        "tags": tags,
        "forceOptIn": False,
        "forceOptOut": False,
        "forcePhoneOptIn": False,
        "forcePhoneOptOut": False,
        "async": False,
    }


def update_body(*, owner, contact_id, properties, tags):
    """The body of ``contact/update`` by contact ID, without the authentication fields.

    The known contact's e-mail is never changed, so there is no ``contact`` part.
    """
    return {
        "owner": owner,
        "contactId": contact_id,
        "properties": properties,
        "tags": tags,
    }
