"""Tags as SALESmanago stores them: a form's tags, and answers as tags (pure functions).

SALESmanago keeps tags in capitals, with accented letters made basic and every character other
than a letter, a digit or ``- ( [ { ) ] } _`` made ``_``; a comma splits tags. Its WordPress plugin
maps answers to tags in two ways besides custom details (``AbstractContactModel::
getPropertiesAsTags``): the answer itself (``tagValues``) or the question and the answer joined by
``-`` (``tagNamesValues``), each choice of a multiple choice its own tag.
"""

import re

from django.utils.translation import gettext_lazy as _

from . import contact_fields
from .names import transliterate_letters, visible_text
from .values import format_value

MAX_TAG_LENGTH = 255
#: The most of a question's label, and of its answer, a question-and-answer tag keeps: both
#: always show, however long the other is.
MAX_PART_LENGTH = (MAX_TAG_LENGTH - 1) // 2

NO_TAG = ""
VALUE = "value"
QUESTION_AND_VALUE = "question_and_value"
#: The choices editors have, per question (``SalesmanagoFieldMixin.salesmanago_tag_mode``).
MODE_CHOICES = [
    (NO_TAG, _("no")),
    (VALUE, _("the answer")),
    (QUESTION_AND_VALUE, _("the question and the answer")),
]

_FORBIDDEN = re.compile(r"[^A-Z0-9\-_()\[\]{}]")


def normalise_tag(text, length=MAX_TAG_LENGTH):
    """One tag the way SALESmanago stores it (``badanie satysfakcji`` -> ``BADANIE_SATYSFAKCJI``),
    at most ``length`` characters; ``""`` for blank text. Only the first ``length`` characters are
    read, so a 10,000-character answer costs what a short one does."""
    text = visible_text(str(text)[:length * 2]).strip()[:length]
    return _FORBIDDEN.sub("_", transliterate_letters(text).upper())[:length]


def normalise_tags(text):
    """Comma-separated tags, each normalised, without blanks and repeats."""
    return unique(normalise_tag(raw) for raw in (text or "").split(","))


def unique(tags):
    """``tags`` without blanks and repeats, in their order."""
    return list(dict.fromkeys(tag for tag in tags if tag))


#: Field types whose answers are the editor's own choices: only these may become tags as they
#: are; a typed answer would let a visitor give themselves any tag (``VIP``).
CHOICE_TYPES = ("checkbox", "checkboxes", "dropdown", "multiselect", "radio")
#: Where an answer may go and still become a tag: never personal data (a name, a phone, an
#: address, a birthday), never an e-mail address, never an answer that is not sent.
TAGGABLE_TARGETS = (contact_fields.DETAIL, contact_fields.COMPANY, contact_fields.CITY,
                    contact_fields.COUNTRY, *contact_fields.CONSENT_TARGETS)


def tag_mode(question):
    """How a question's answer becomes tags (``NO_TAG`` for a question that may not give one,
    see ``may_tag``); questions of a field model without the mixin: not."""
    mode = getattr(question, "salesmanago_tag_mode", "") or NO_TAG
    if mode == NO_TAG or not may_tag(question):
        return NO_TAG
    if mode == VALUE and question.field_type not in CHOICE_TYPES:
        return QUESTION_AND_VALUE  # the question comes first: a visitor cannot choose the tag
    return mode


def may_tag(question):
    """Whether a question's answers may become tags at all."""
    return question.field_type != "email" and (
        contact_fields.target_of(question) in TAGGABLE_TARGETS)


def answer_tags(questions, answers):
    """The tags the answers give, in form order: see ``question_tags``."""
    tags = []
    for question in questions:
        tags.extend(question_tags(question, answers.get(question.clean_name)))
    return unique(tags)


def question_tags(question, answer):
    """The tags of one answer to ``question``.

    A ticked checkbox gives the question as the tag, in either mode (an unticked one gives none);
    each chosen item of a multiple choice gives its own tag; a blank answer gives none.
    """
    mode = tag_mode(question)
    if mode == NO_TAG or answer is None or answer is False:
        return []
    label = question.label
    if answer is True:
        return unique([normalise_tag(label)])
    items = answer if isinstance(answer, (list, tuple)) else [answer]
    if mode == VALUE:
        return unique(normalise_tag(format_value(item) or "") for item in items)
    name = normalise_tag(label, MAX_PART_LENGTH)
    if not name and question.field_type not in CHOICE_TYPES:
        return []  # a typed answer never becomes a tag on its own (a label of invisible signs)
    return unique(
        f"{name}-{value}" if name else value for value in (
            normalise_tag(format_value(item) or "", MAX_PART_LENGTH) for item in items)
        if value
    )


def example_tags(question, choices, placeholder):
    """For editors: the tags answers to ``question`` can give: one per choice (``choices``, for a
    question that has them), else that of an answer ``placeholder``; none without a tag mode."""
    if tag_mode(question) == NO_TAG:
        return []
    if question.field_type == "checkbox":
        return question_tags(question, True)
    return unique(tag for sample in (choices or [placeholder])
                  for tag in question_tags(question, sample))
