"""Answers to custom details and tags: pure functions, table-driven."""

import datetime
import decimal
from types import SimpleNamespace

import pytest

from wagtail_salesmanago import mapping


def q(label, field_type="singleline", clean_name=None):
    return SimpleNamespace(label=label, field_type=field_type, clean_name=clean_name or label)


@pytest.mark.parametrize(
    "label, key",
    [
        ("Jak oceniasz naszą obsługę?", "ankieta.Jak-oceniasz-nasza-obsluge?"),
        ("ą ć ę ł ń ó ś ź ż", "ankieta.a-c-e-l-n-o-s-z-z"),
        ("Ą Ć Ę Ł Ń Ó Ś Ź Ż", "ankieta.A-C-E-L-N-O-S-Z-Z"),
        ("  Imię \t i\n\nnazwisko  ", "ankieta.Imie-i-nazwisko"),
        ("Cena (zł) / miesiąc: 100%", "ankieta.Cena-(zl)-/-miesiac:-100%"),
        ("Straße & Café", "ankieta.Strasse-&-Cafe"),
        ("„Cytat” — myśl", "ankieta.„Cytat”-—-mysl"),
        ("北京", "ankieta.Bei-Jing"),
    ],
)
def test_detail_key(label, key):
    assert mapping.detail_key(label, "ankieta.") == key


def test_detail_key_uses_the_given_prefix():
    assert mapping.detail_key("Wiek", "survey_") == "survey_Wiek"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Bardzo dobrze", "Bardzo dobrze"),
        ("Zażółć gęślą jaźń", "Zażółć gęślą jaźń"),
        (["Cena", "Jakość"], "Cena, Jakość"),
        (True, "true"),
        (False, "false"),
        (datetime.date(2026, 11, 27), "2026-11-27"),
        (datetime.datetime(2026, 11, 27, 9, 5, tzinfo=datetime.timezone.utc),
         "2026-11-27T09:05:00+00:00"),
        (decimal.Decimal("12.50"), "12.50"),
        (decimal.Decimal("1E+3"), "1000"),
        (1e-7, "0.0000001"),
        (42, "42"),
        (0, "0"),
        (None, None),
        ("", None),
        ("   ", None),
        ([], None),
        ("ż" * 300, "ż" * 255),
        ("a" * 254 + "ł", "a" * 254 + "ł"),
        ("a" * 255 + "ł", "a" * 255),
    ],
)
def test_format_value(value, expected):
    assert mapping.format_value(value) == expected


def test_cut_is_by_characters_not_bytes():
    value = mapping.format_value("ą" * 400)
    assert len(value) == 255
    assert len(value.encode()) == 510
    value.encode().decode()  # no broken letter at the end


def test_properties_keep_form_order_skip_empty_answers_and_suffix_collisions():
    questions = [
        q("Ocena", clean_name="a"),
        q("Ocena", clean_name="b"),
        q("Ócena", clean_name="c"),
        q("Uwagi", clean_name="d"),
        q("Ocena", clean_name="e"),
    ]
    answers = {"a": "5", "b": "", "c": "4", "d": None, "e": "3"}
    assert mapping.build_properties(questions, answers, "ankieta.") == {
        "ankieta.Ocena": "5",
        # "b" was empty but still owns "-2": suffixes never depend on who answered what.
        "ankieta.Ocena-3": "4",
        "ankieta.Ocena-4": "3",
    }


def test_suffix_does_not_collide_with_a_label_that_already_ends_in_one():
    questions = [q("Pytanie-2", clean_name="a"), q("Pytanie", clean_name="b"), q("Pytanie", clean_name="c")]
    answers = {"a": "x", "b": "y", "c": "z"}
    assert mapping.build_properties(questions, answers, "") == {
        "Pytanie-2": "x", "Pytanie": "y", "Pytanie-3": "z",
    }


@pytest.mark.parametrize(
    "text, tags",
    [
        ("badanie satysfakcji", ["BADANIE_SATYSFAKCJI"]),
        ("Ankieta 2026, klient-VIP ,  ", ["ANKIETA_2026", "KLIENT-VIP"]),
        ("zażółć (gęślą) [jaźń] {x}", ["ZAZOLC_(GESLA)_[JAZN]_{X}"]),
        ("a.b/c@d!", ["A_B_C_D_"]),
        ("vip, VIP", ["VIP"]),
        ("", []),
        (None, []),
        (" , ,", []),
        ("x" * 300, ["X" * 255]),
    ],
)
def test_normalise_tags(text, tags):
    assert mapping.normalise_tags(text) == tags


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("f6c5487b-369d-4107-958c-2912c1bc3f80", "f6c5487b-369d-4107-958c-2912c1bc3f80"),
        (" F6C5487B-369D-4107-958C-2912C1BC3F80 ", "f6c5487b-369d-4107-958c-2912c1bc3f80"),
        ("f6c5487b369d4107958c2912c1bc3f80", "f6c5487b-369d-4107-958c-2912c1bc3f80"),
        ("f6c5487b-369d-4107-958c", None),
        ("'; DROP TABLE contacts; --", None),
        ("", None),
    ],
)
def test_parse_contact_id(raw, expected):
    assert mapping.parse_contact_id(raw) == expected


QUESTIONS = [q("Imię", clean_name="imie"), q("E-mail", "email", "e1"), q("Drugi e-mail", "email", "e2")]


@pytest.mark.parametrize(
    "answers, raw_id, mode, email, contact_id, notes",
    [
        ({"e1": "jan@example.com"}, "", "upsert", "jan@example.com", "", []),
        ({"e1": "jan@example.com"}, "f6c5487b-369d-4107-958c-2912c1bc3f80", "update",
         "jan@example.com", "f6c5487b-369d-4107-958c-2912c1bc3f80", []),
        ({"imie": "Jan"}, "f6c5487b-369d-4107-958c-2912c1bc3f80", "update", "",
         "f6c5487b-369d-4107-958c-2912c1bc3f80", []),
        ({"e2": "second@example.com"}, "", "", "", "", []),
        ({"imie": "Jan"}, "abc", "", "", "",
         ["Ignored smclientid 'abc': not a contact ID (UUID)."]),
        ({"e1": "jan@example.com"}, "abc", "upsert", "jan@example.com", "",
         ["Ignored smclientid 'abc': not a contact ID (UUID)."]),
    ],
)
def test_plan_export_chooses_the_mode(answers, raw_id, mode, email, contact_id, notes):
    plan = mapping.plan_export(QUESTIONS, answers, raw_id, "Tag", "ankieta.")
    assert (plan.mode, plan.email, plan.contact_id, plan.notes) == (mode, email, contact_id, notes)
    assert plan.tags == ["TAG"]


def test_upsert_and_update_bodies():
    assert mapping.upsert_body(owner="o@x.pl", email="j@x.pl", properties={"k": "v"}, tags=["T"]) == {
        "owner": "o@x.pl", "contact": {"email": "j@x.pl"}, "properties": {"k": "v"}, "tags": ["T"],
        "forceOptIn": False, "forceOptOut": False, "forcePhoneOptIn": False,
        "forcePhoneOptOut": False, "useApiDoubleOptIn": False, "async": False,
    }
    assert mapping.update_body(owner="o@x.pl", contact_id="id", properties={}, tags=[]) == {
        "owner": "o@x.pl", "contactId": "id", "properties": {}, "tags": [],
    }
