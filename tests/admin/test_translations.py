"""Polish is first-class: every message is translated, compiled, and used."""

import gettext
import pathlib
import re

from django.utils import translation

from tests.testapp.models import SurveyPage
from wagtail_salesmanago.models import SalesmanagoSettings

LOCALE = pathlib.Path(__file__).resolve().parents[2] / "wagtail_salesmanago" / "locale"
PO = LOCALE / "pl" / "LC_MESSAGES" / "django.po"


def po_entries():
    """{msgid: [msgstr, ...]} from the .po file (one msgstr, or one per plural form); a message
    with a context is keyed "context\x04msgid", as gettext stores it."""
    entries = {}
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        fields, current = {}, None
        for line in block.splitlines():
            keyword = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) "(.*)"$', line)
            if keyword:
                current = keyword.group(1)
                fields[current] = keyword.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        msgid = fields.get("msgid", "").replace('\\"', '"').replace("\\n", "\n")
        if msgid and "msgctxt" in fields:
            msgid = f"{fields['msgctxt']}\x04{msgid}"
        if msgid:
            entries[msgid] = [
                value.replace('\\"', '"').replace("\\n", "\n")
                for key, value in sorted(fields.items()) if key.startswith("msgstr")
            ]
    return entries


def test_every_plural_message_has_all_four_polish_forms():
    """1, 2-4, 5 and more, and fractions: the header's ``nplurals=4``, as msgfmt --check asks."""
    text = PO.read_text(encoding="utf-8")
    assert "nplurals=4;" in text
    plurals = {msgid: forms for msgid, forms in po_entries().items() if len(forms) > 1}
    assert plurals and {msgid: len(forms) for msgid, forms in plurals.items()
                        if len(forms) != 4} == {}


def test_every_message_has_a_polish_translation():
    entries = po_entries()
    assert len(entries) > 30
    assert [msgid for msgid, msgstrs in entries.items() if not all(msgstrs)] == []
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8")


def test_compiled_catalog_matches_the_po_file():
    catalog = gettext.translation("django", localedir=LOCALE, languages=["pl"])
    for msgid, msgstrs in po_entries().items():
        if len(msgstrs) == 1:
            assert catalog.gettext(msgid) == msgstrs[0], msgid
        else:  # Polish plural forms: 1, 2-4, 5+
            assert [catalog.ngettext(msgid, "", n) for n in (1, 3, 5)] == msgstrs[:3], msgid


def test_admin_labels_in_polish():
    with translation.override("pl"):
        assert str(SurveyPage._meta.get_field("salesmanago_enabled").verbose_name) == (
            "Prześlij wyniki formularza do profilu kontaktu w SALESmanago"
        )
        assert str(SalesmanagoSettings._meta.get_field("owner_email").verbose_name) == (
            "e-mail właściciela"
        )
