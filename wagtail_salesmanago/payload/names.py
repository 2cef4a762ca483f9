"""Custom detail names: each question's label made a SALESmanago detail name (pure functions).

A name is the prefix + the label, invisible characters removed, whitespace runs made ``-``, letters
in ASCII, at most ``MAX_NAME_LENGTH`` characters; a label with nothing left to name it by is named by
its place in the form; colliding names are numbered ``-2``, ``-3``... in form order.
"""

import functools
import re
import unicodedata

from unidecode import unidecode

from . import contact_fields

DEFAULT_DETAIL_PREFIX = "ankieta."
#: SALESmanago documents no length for detail names; ours are bounded, prefix and suffix included.
MAX_NAME_LENGTH = 255
#: The name of a question whose label has no letter or digit left: its place in the form.
FALLBACK_NAME = "question-{position}"

_WHITESPACE = re.compile(r"\s+")


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


@functools.lru_cache(maxsize=4096)  # a pure function of strings, asked once per answer
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


def unique_key(key, taken):
    """``key``, or ``key-2``, ``key-3``... whichever is not in ``taken`` yet (cut to fit)."""
    candidate, number = key, 1
    while candidate in taken:
        number += 1
        candidate = cut_name(key, f"-{number}")
    return candidate


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
            "target": contact_fields.target_of(question),
            "consent_name": getattr(question, "salesmanago_consent_name", ""),
        })
    return details
