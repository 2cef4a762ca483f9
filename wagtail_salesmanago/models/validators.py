"""Values editors type that go to SALESmanago as they are (a consent's name, the double opt-in
e-mail's ID and language): checked as carefully as tags, with a message that says what to fix."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: The confirmation e-mail's language: a two-letter code (ISO 639-1), as SALESmanago's ``lang``.
LANGUAGE = re.compile(r"[A-Z]{2}")


def check_visible(value):
    """No character a reader cannot see: control, format (bidi, zero-width), unassigned or
    private, nor a line break or tab."""
    for char in value:
        if unicodedata.category(char)[0] in "CZ" and char != " ":
            raise ValidationError(
                _("This contains a character that cannot be seen (%(char)s): retype it."),
                params={"char": f"U+{ord(char):04X}"}, code="invisible")


def check_language(value):
    check_visible(value)
    if not LANGUAGE.fullmatch(value):
        raise ValidationError(
            _("Enter the language as its two-letter code, e.g. PL or EN."), code="language")


def errors_of(instance, checks):
    """``{field name: error}`` for each of ``checks`` (``{field name: check}``) whose field is
    filled in and fails its check."""
    errors = {}
    for name, check in checks.items():
        value = getattr(instance, name) or ""
        try:
            if value:
                check(value)
        except ValidationError as err:
            errors[name] = err
    return errors
