"""Polish is first-class: every message is translated, compiled, and used."""

import gettext
import pathlib
import re

from django.utils import translation

from tests.testapp.models import SurveyPage
from wagtail_salesmanago.models import SalesmanagoSettings

LOCALE = pathlib.Path(__file__).parent.parent / "wagtail_salesmanago" / "locale"
PO = LOCALE / "pl" / "LC_MESSAGES" / "django.po"


def po_entries():
    text = PO.read_text(encoding="utf-8")
    entries = {}
    for block in text.split("\n\n"):
        if block.lstrip().startswith("#~"):
            continue
        msgid = "".join(re.findall(r'"(.*)"', block.split("msgstr")[0].split("msgid", 1)[-1]))
        msgstr = "".join(re.findall(r'"(.*)"', block.split("msgstr", 1)[-1])) if "msgstr" in block else ""
        if msgid:
            entries[msgid.replace('\\"', '"')] = msgstr
    return entries


def test_every_message_has_a_polish_translation():
    entries = po_entries()
    assert len(entries) > 30
    assert [msgid for msgid, msgstr in entries.items() if not msgstr] == []
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8")


def test_compiled_catalog_matches_the_po_file():
    catalog = gettext.translation("django", localedir=LOCALE, languages=["pl"])
    for msgid, msgstr in po_entries().items():
        assert catalog.gettext(msgid) == msgstr.replace('\\"', '"'), msgid


def test_admin_labels_in_polish():
    with translation.override("pl"):
        assert str(SurveyPage._meta.get_field("salesmanago_enabled").verbose_name) == (
            "Prześlij wyniki formularza do profilu kontaktu w SALESmanago"
        )
        assert str(SalesmanagoSettings._meta.get_field("owner_email").verbose_name) == (
            "e-mail właściciela"
        )
