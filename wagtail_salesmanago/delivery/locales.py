"""Translated form pages: every translation names its custom details like the default locale's page.

With Wagtail's internationalisation each translation of a form page has its own labels, so
naming details from them would split one question into a detail per language. Instead the n-th
question of a translation takes the label of the n-th question (in form order) of the page's
translation in the default locale (``LANGUAGE_CODE``), when both are of the same field type.
A question without such a counterpart (the translation added, removed or reordered questions)
keeps its own label. A page with no default-locale translation is named from its own labels.
"""

import copy
from dataclasses import dataclass, field

from django.conf import settings
from wagtail.coreutils import (
    get_content_languages,
    get_supported_content_language_variant,
)


@dataclass
class Naming:
    """Which labels name a page's custom details, for the editor's preview."""

    #: The default content language's name, or ``None`` when internationalisation is off.
    language: str = None
    #: The default-locale page whose labels name the details (maybe the page itself), or ``None``.
    source: object = None
    #: The page's questions that had no counterpart there, so are named from their own label.
    unmatched: list = field(default_factory=list)


def name_questions(page, questions):
    """``questions`` (the page's form fields, in form order) labelled for naming, and the ``Naming``.

    Costs no query when internationalisation is off, one on a default-locale page, two on a
    translation (its default-locale page, and that page's form fields).
    """
    if not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return questions, Naming()
    try:
        language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    except LookupError:
        return questions, Naming()
    naming = Naming(language=str(get_content_languages().get(language, language)))
    naming.source = type(page).objects.filter(
        translation_key=page.translation_key, locale__language_code=language
    ).first()
    if naming.source is None or naming.source.pk == page.pk:
        return questions, naming
    counterparts = list(naming.source.get_form_fields())
    named = []
    for position, question in enumerate(questions):
        counterpart = counterparts[position] if position < len(counterparts) else None
        if counterpart is None or counterpart.field_type != question.field_type:
            naming.unmatched.append(question)
            named.append(question)
            continue
        # A copy: the page's own form field keeps its label, and is never saved with another.
        renamed = copy.copy(question)
        renamed.label = counterpart.label
        # What this translation's visitors and editors read (the editor's preview shows it).
        renamed.own_label = question.label
        # Its choices there: a form's rules name the default locale's (payload/rules.py).
        renamed.default_choices = counterpart.choices
        named.append(renamed)
    return named, naming
