"""Answers to custom details and tags: pure functions, table-driven."""

import datetime
import decimal
import tracemalloc
from types import SimpleNamespace

import pytest

from wagtail_salesmanago.payload import mapping
from wagtail_salesmanago.payload.names import MAX_NAME_LENGTH, cut_name


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
        # Invisible characters go: bidi overrides and marks, zero-width ones, soft hyphens, controls.
        ("\u202eOcena\u202c", "ankieta.Ocena"),
        ("\u200fשם\u200e", "ankieta.SHm"),
        ("Oce\u200bna\u200d\ufeff", "ankieta.Ocena"),
        ("Imi\u00ad\u0119\x07", "ankieta.Imie"),
        ("Imię\u2028i\x1fnazwisko\u00a0", "ankieta.Imie-i-nazwisko"),
        # Decomposed letters and combining marks become ASCII too.
        ("Ocen\u0301a", "ankieta.Ocena"),
        ("Z\u0307o\u0301\u0142w", "ankieta.Zolw"),
        ("Ocena 😀", "ankieta.Ocena-😀"),
        ("Ocena -", "ankieta.Ocena"),  # no hyphen left at the end
    ],
)
def test_detail_key(label, key):
    assert mapping.detail_key(label, "ankieta.", 1) == key


def test_detail_key_uses_the_given_prefix():
    assert mapping.detail_key("Wiek", "survey_", 1) == "survey_Wiek"


@pytest.mark.parametrize(
    "label",
    ["", "   ", "\t\n", "\u200b", "\u202e\u202c", "😀", "😀 ❤️", "?!", "—", "ـ", "\x00\x01", "\u0301"],
)
def test_a_label_with_no_letter_or_digit_left_is_named_by_its_place(label):
    assert mapping.detail_key(label, "ankieta.", 3) == "ankieta.question-3"


def test_fallback_names_are_stable_and_do_not_collide():
    questions = [q("😀", clean_name="a"), q("Ocena", clean_name="b"), q("   ", clean_name="c"),
                 q("question-3", clean_name="d")]
    assert mapping.detail_keys(questions, "ankieta.") == [
        "ankieta.question-1", "ankieta.Ocena", "ankieta.question-3", "ankieta.question-3-2",
    ]


def test_names_are_cut_to_255_characters_and_stay_unique():
    long_label = "Bardzo długie pytanie " * 20
    questions = [q(long_label, clean_name=str(i)) for i in range(12)]
    keys = mapping.detail_keys(questions, "ankieta.")

    assert len(set(keys)) == 12
    assert all(len(key) <= 255 for key in keys)
    assert keys[0] == ("ankieta." + "-".join(["Bardzo-dlugie-pytanie"] * 20))[:255].rstrip("-")
    assert keys[1].endswith("-2") and keys[11].endswith("-12")
    assert keys[1][:-2] == keys[0][:253].rstrip("-")


def test_a_name_cut_for_its_suffix_loses_the_hyphen_it_would_end_with():
    label = "a" * 244 + " bbbbbb"  # "ankieta.aaa…a-bb" is 255 characters
    assert mapping.detail_keys([q(label, clean_name="1"), q(label, clean_name="2")], "ankieta.") == [
        "ankieta." + "a" * 244 + "-bb", "ankieta." + "a" * 244 + "-2"]
    assert mapping.detail_keys([q("X" * 300, clean_name="1"), q("X" * 300, clean_name="2")],
                               "ankieta.") == ["ankieta." + "X" * 247, "ankieta." + "X" * 245 + "-2"]


def test_editors_are_told_a_label_cut_to_punctuation_is_named_by_its_place():
    [detail] = mapping.describe_details([q("?" * 250 + " Ocena")], "ankieta.")
    assert detail == {
        "label": "?" * 250 + " Ocena", "key": "ankieta.question-1", "fallback": True,
        "invisible_removed": False, "transliterated": False, "cut": True, "suffixed": False,
        "target": "detail", "consent_name": "",
    }
    [fits] = mapping.describe_details([q("a" * 247)], "ankieta.")  # 255 characters: not cut
    assert (fits["key"], fits["fallback"], fits["cut"]) == ("ankieta." + "a" * 247, False, False)


def test_a_prefix_as_long_as_a_name_leaves_no_room_and_editors_are_told_so():
    # The server configuration's prefix has no length limit: 255 characters leave no room
    # for the label, so the question falls back to its place (cut away as well).
    [detail] = mapping.describe_details([q("Ocena")], "p" * 255)
    assert (detail["key"], detail["fallback"], detail["cut"]) == ("p" * 255, True, True)
    [one_left] = mapping.describe_details([q("Ocena")], "p" * 254)
    assert (one_left["key"], one_left["fallback"], one_left["cut"]) == ("p" * 254 + "O", False, True)


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
        (["a" * 200] * 100_000, ("a" * 200 + ", " + "a" * 200)[:255]),
        # Numbers: plain while that fits in 255 characters, else scientific notation.
        (decimal.Decimal("1" + "0" * 254), "1" + "0" * 254),
        (decimal.Decimal("1E+255"), "1E+255"),
        (decimal.Decimal("-1e1000000000"), "-1E+1000000000"),
        (decimal.Decimal("1.5e-1000000000"), "1.5E-1000000000"),
        (decimal.Decimal("0E-1000000000"), "0"),
        (decimal.Decimal("0.000"), "0.000"),
        (decimal.Decimal("9" * 300), "1E+300"),
        (decimal.Decimal("1." + "2" * 299 + "E+999999999999999999"),
         "1." + "2" * 233 + "E+999999999999999999"),  # 255 characters
        (1e308, "1E+308"),
        (float("inf"), "Infinity"),
        (float("-inf"), "-Infinity"),
        (float("nan"), "NaN"),
        pytest.param(10**5000, "1E+5000", id="int-5001-digits"),
    ],
)
def test_format_value(value, expected):
    assert mapping.format_value(value) == expected


class Counted:
    """A list item (a site's own field type may answer objects) that counts how often it is read."""
    def __init__(self, length, read):
        self.length, self.read = length, read

    def __str__(self):
        self.read.append(self.length)
        return "x" * self.length


@pytest.mark.parametrize("lengths, read, expected", [
    ([128] * 1000, [128, 128], ("x" * 128 + ", " + "x" * 128)[:255]),  # full: no more is read
    ([100] * 1000, [100, 100, 100], ", ".join(["x" * 100] * 3)[:255]),
    ([253, 1, 1], [253, 1], "x" * 253 + ", "),  # 253 and ", " fit: the next item is read
])
def test_a_list_answer_stops_being_read_once_its_value_is_full(lengths, read, expected):
    seen = []
    items = [Counted(length, seen) for length in lengths]
    assert mapping.format_value(items) == expected
    assert seen == read


def test_empty_items_of_a_list_answer_are_left_out():
    assert mapping.format_value(["Cena", "", " ", "Jakość"]) == "Cena, Jakość"


def test_a_huge_exponent_costs_nothing():
    # The plain decimal of 1e100000000 is 100 MB: expanding it was a denial of service.
    tracemalloc.start()
    try:
        value = mapping.format_value(decimal.Decimal("1e100000000"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert value == "1E+100000000"
    assert peak < 100_000


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
    "raw, expected",
    [
        ("f6c5487b-369d-4107-958c-2912c1bc3f80", "f6c5487b-369d-4107-958c-2912c1bc3f80"),
        (" F6C5487B-369D-4107-958C-2912C1BC3F80 ", "f6c5487b-369d-4107-958c-2912c1bc3f80"),
        ("f6c5487b369d4107958c2912c1bc3f80", "f6c5487b-369d-4107-958c-2912c1bc3f80"),
        ("f6c5487b-369d-4107-958c", None),
        ("'; DROP TABLE contacts; --", None),
        ("", None),
        ("\x00f6c5487b-369d-4107-958c-2912c1bc3f80", None),
        ("f6c5487b-369d-4107-958c-2912c1bc3f80\u200b", None),
        ("-" * 40 + "f6c5487b369d4107958c2912c1bc3f80", None),
        ("urn:uuid:f6c5487b-369d-4107-958c-2912c1bc3f80", None),
        ("٣" * 32, None),
    ],
)
def test_parse_contact_id(raw, expected):
    assert mapping.parse_contact_id(raw) == expected


@pytest.mark.parametrize(
    "raw, note",
    [
        ("abc", "Ignored smclientid 'abc': not a contact ID (UUID)."),
        ("\x00\u202e<b>", "Ignored smclientid '\\x00\\u202e<b>': not a contact ID (UUID)."),
        ("x" * 5000, f"Ignored smclientid '{'x' * 64}' (the first 64 of 5000 characters): "
                     "not a contact ID (UUID)."),
        ("y" * 64, f"Ignored smclientid '{'y' * 64}': not a contact ID (UUID)."),  # not cut
    ],
)
def test_an_invalid_contact_id_is_noted_escaped_and_bounded(raw, note):
    assert mapping.plan_export(QUESTIONS, {}, raw, "", "ankieta.").notes == [note]


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


def test_a_detail_name_that_fits_exactly_is_kept_whole():
    exact = "a" * (MAX_NAME_LENGTH - 1) + "-"
    assert cut_name(exact) == exact
    assert cut_name(exact + "b") == "a" * (MAX_NAME_LENGTH - 1)
    assert cut_name(exact, "-2") == "a" * (MAX_NAME_LENGTH - 2) + "-2"
