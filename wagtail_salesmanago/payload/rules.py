"""Export rules: "send only when ..." conditions on a form's answers (pure functions).

A rule names a question by its label (as the editor sees it, in the page's language or the
default locale's), a condition and, for ``equals``, a value; a rule that is met adds its tags.
A form sends when all its rules are met (``ALL``) or any (``ANY``); a form without rules always
sends. A rule whose question the form no longer has is not met, and says so.
"""

import decimal
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.utils.translation import gettext_lazy as _

from ..stored_messages import message
from . import contact_fields
from .tags import normalise_tags, unique
from .values import format_value

CHECKED = "checked"
EQUALS = "equals"
NOT_EMPTY = "not_empty"
CONDITION_CHOICES = [
    (CHECKED, _("is ticked")),
    (EQUALS, _("equals")),
    (NOT_EMPTY, _("is not empty")),
]
CONDITIONS = (CHECKED, EQUALS, NOT_EMPTY)
ALL = "all"
ANY = "any"
MODE_CHOICES = [(ALL, _("all rules are met")), (ANY, _("any rule is met"))]
MAX_LENGTH = 255
#: The most rules the page editor offers a form: each is 6 fields of its POST, and Django takes
#: 1,000 fields (DATA_UPLOAD_MAX_NUMBER_FIELDS) at most.
MAX_RULES = 100
#: How many of a form's rules on missing questions an answer's note names.
MISSING_NAMED = 5


@dataclass(frozen=True)
class Rule:
    question: str
    condition: str
    value: str = ""
    tags: str = ""


def rule_of(obj):
    """A ``Rule`` from anything with the rule model's four attributes (the inline model's rows)."""
    return Rule(*(str(getattr(obj, name, "") or "")[:MAX_LENGTH]
                  for name in ("question", "condition", "value", "tags")))


def snapshot(rows):
    """The page's copy of its rules (``rows``: the inline model's, in order), as JSON data."""
    return [vars(rule_of(row)) for row in rows]


def from_snapshot(data):
    """The rules of a page's copy; anything that is not a rule in it is left out."""
    if not isinstance(data, list):
        return []
    found = [rule_of(SimpleNamespace(**{k: v for k, v in item.items() if isinstance(v, str)}))
             for item in data if isinstance(item, dict)]
    return [rule for rule in found if rule.question and rule.condition in CONDITIONS]


@dataclass
class Decision:
    """What a form's rules make of one answer."""

    send: bool = True
    tags: list = field(default_factory=list)  # the tags of the rules met
    reason: object = None  # why it is not sent: a stored message
    notes: list = field(default_factory=list)  # rules on questions the form does not have


def key(label):
    return " ".join(str(label or "").split()).casefold()


def question_index(questions):
    """Each question by its label as editors may type it: the default locale's and its own."""
    index = {}
    for question in questions:
        for label in (getattr(question, "own_label", None), question.label):
            index.setdefault(key(label), question)
    return index


def describe(rule):
    """The rule in words, as a stored message (read in the reader's language)."""
    if rule.condition == EQUALS:
        return message("rule.equals", question=rule.question, value=rule.value)
    if rule.condition == NOT_EMPTY:
        return message("rule.not_empty", question=rule.question)
    return message("rule.checked", question=rule.question)


def choice_list(text):
    """A question's choices, as Wagtail's form builder reads them: one per line, or separated
    by commas when there is no line break."""
    text = str(text or "")
    return [part.strip() for part in (text.splitlines() if "\n" in text else text.split(","))
            if part.strip()]


def answer_keys(question, item):
    """What an answer (one chosen item) may be matched as: its text; a number also as its
    value (``5`` is ``5.0``); a choice also as its counterpart in the default locale's page
    (the same place in the list), so that a rule written there holds in every translation."""
    text = format_value(item) or ""
    keys = {key(text)}
    if isinstance(item, (int, float, decimal.Decimal)) and not isinstance(item, bool):
        keys.add(number_key(text))
    own, default = (choice_list(getattr(question, "choices", "")),
                    choice_list(getattr(question, "default_choices", "")))
    keys.update(key(default[position]) for position, choice in enumerate(own)
                if key(choice) == key(text) and position < len(default))
    return keys


#: Digits and exponents as long as a rule's value (and a detail) may be: every number an editor
#: or a visitor can type is compared exactly, none rounded or cut to look like another.
NUMBERS = decimal.Context(prec=255, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN, traps=[])


def number_key(text):
    """A number's value as text (``5``, ``5.0`` and ``5,00`` alike); ``None`` for no number
    (nor for a text longer than a rule's value may be)."""
    text = str(text).strip().replace(",", ".")
    if len(text) > NUMBERS.prec:
        return None
    number = NUMBERS.create_decimal(text)
    if not number.is_finite():
        return None
    return "0" if number.is_zero() else str(NUMBERS.normalize(number))  # -0 is 0


def is_met(rule, question, answer):
    """Whether ``answer`` to ``question`` (a cleaned value; a list for a multiple choice) meets
    ``rule``.

    ``checked``: a ticked checkbox, or a choice made; with a value, that choice (among those
    ticked, for a multiple choice). ``equals``: the answer, or one of the choices, is ``value``
    (whatever the case and spacing; a number whatever its decimals). ``not_empty``: anything but
    a blank answer."""
    if rule.condition == NOT_EMPTY:
        return not contact_fields.is_blank(answer)
    many = isinstance(answer, (list, tuple))
    if rule.condition == CHECKED and not rule.value:
        if many or isinstance(answer, bool):
            return bool(answer)
        return bool(getattr(question, "choices", "")) and not contact_fields.is_blank(answer)
    wanted = {key(rule.value), number_key(rule.value)} - {None}
    return any(wanted & answer_keys(question, item) for item in (answer if many else [answer])
               if item is not None)


def decide(rules, mode, questions, answers):
    """The ``Decision`` for ``answers`` to ``questions`` under ``rules`` combined by ``mode``.

    Each rule is read once and its question found by label in a dict: 1,000 rules cost 1,000
    look-ups, whatever the form's size.
    """
    decision = Decision()
    if not rules:
        return decision
    index = question_index(questions)
    unmet, missing = [], []
    for rule in rules:
        question = index.get(key(rule.question))
        if question is None:
            missing.append(rule.question)
            unmet.append(rule)
        elif is_met(rule, question, answers.get(question.clean_name)):
            decision.tags.extend(normalise_tags(rule.tags))
        else:
            unmet.append(rule)
    if missing:  # one note, however many such rules: the first few named
        named = ", ".join(f"“{name}”" for name in list(dict.fromkeys(missing))[:MISSING_NAMED])
        decision.notes.append(message("rule_questions_missing", count=len(missing),
                                      questions=named))
    decision.tags = unique(decision.tags)
    if mode == ANY and len(unmet) == len(rules):
        decision.send, decision.reason = False, message("no_rule_met")
    elif mode != ANY and unmet:
        decision.send, decision.reason = False, message("rule_not_met", rule=describe(unmet[0]))
    if not decision.send:
        decision.tags = []
    return decision
