"""Tags: a form's tag text and answers as tags, the way SALESmanago stores them (pure functions)."""

from types import SimpleNamespace

import pytest

from wagtail_salesmanago.payload import tags as tag_rules


def q(label, mode, field_type="singleline", clean_name=None, target="detail"):
    return SimpleNamespace(label=label, field_type=field_type, clean_name=clean_name or label,
                           salesmanago_tag_mode=mode, salesmanago_target=target)


@pytest.mark.parametrize(
    "text, tags",
    [
        ("badanie satysfakcji", ["BADANIE_SATYSFAKCJI"]),
        ("Ankieta 2026, klient-VIP ,  ", ["ANKIETA_2026", "KLIENT-VIP"]),
        ("zażółć (gęślą) [jaźń] {x}", ["ZAZOLC_(GESLA)_[JAZN]_{X}"]),
        ("a.b/c@d!", ["A_B_C_D_"]),
        # Only letters become ASCII; other characters are replaced, not spelled out (EUR, --).
        ("Ankieta — 2026, Promocja 50€", ["ANKIETA___2026", "PROMOCJA_50_"]),
        ("vip, VIP", ["VIP"]),
        ("", []),
        (None, []),
        (" , ,", []),
        ("x" * 300, ["X" * 255]),
    ],
)
def test_normalise_tags(text, tags):
    assert tag_rules.normalise_tags(text) == tags

@pytest.mark.parametrize(
    "question, answer, tags",
    [
        # The answer itself (SALESmanago's plugin: tagValues).
        (q("Branża", "value", "dropdown"), "Handel detaliczny", ["HANDEL_DETALICZNY"]),
        (q("Branża", "value", "dropdown"), "  ", []),
        (q("Branża", "value", "dropdown"), None, []),
        # A typed answer never becomes a tag alone: a visitor could give themselves any tag.
        (q("Komentarz", "value", "multiline"), "VIP", ["KOMENTARZ-VIP"]),
        # Personal data and answers not sent make no tag, whatever the mode says.
        (q("E-mail", "question_and_value", "email"), "jan@example.com", []),
        (q("Telefon", "question_and_value", target="phone"), "600100200", []),
        (q("Imię", "question_and_value", target="first_name"), "Jan", []),
        (q("Tajne", "question_and_value", target="skip"), "x", []),
        (q("Miasto", "question_and_value", target="city"), "Łódź", ["MIASTO-LODZ"]),
        # Invisible characters go, and a decomposed letter is one letter.
        (q("Branża", "value", "dropdown"), "Cafe\u0301\u200b", ["CAFE"]),
        # Question and answer joined by "-" (the plugin's tagNamesValues).
        (q("Jak oceniasz obsługę?", "question_and_value"), "Bardzo dobrze",
         ["JAK_OCENIASZ_OBSLUGE_-BARDZO_DOBRZE"]),
        # Each choice of a multiple choice is its own tag; repeats go.
        (q("Zainteresowania", "value", "checkboxes"), ["Sport", "Kino, teatr", "sport"],
         ["SPORT", "KINO__TEATR"]),
        (q("Zainteresowania", "question_and_value", "checkboxes"), ["Sport", "Kino"],
         ["ZAINTERESOWANIA-SPORT", "ZAINTERESOWANIA-KINO"]),
        (q("Zainteresowania", "value", "checkboxes"), [], []),
        # A ticked checkbox gives its question, in either mode; an unticked one gives nothing.
        (q("Chcę wiedzieć o webinarach", "value", "checkbox"), True, ["CHCE_WIEDZIEC_O_WEBINARACH"]),
        (q("Webinary", "question_and_value", "checkbox"), True, ["WEBINARY"]),
        (q("Webinary", "value", "checkbox"), False, []),
        # Numbers and dates as a detail shows them.
        (q("Ile osób?", "question_and_value", "number"), 12, ["ILE_OSOB_-12"]),
        # No tag mode, or a field model without the mixin: no tag.
        (q("Branża", ""), "Handel", []),
        (SimpleNamespace(label="Branża", field_type="singleline", clean_name="Branża"), "Handel", []),
    ],
)
def test_answer_tags(question, answer, tags):
    assert tag_rules.answer_tags([question], {question.clean_name: answer}) == tags


def test_the_longest_question_and_answer_both_show_in_a_tag_of_at_most_255_characters():
    question = q("P" * 255, "question_and_value", "multiline")
    [tag] = tag_rules.answer_tags([question], {question.clean_name: "o" * 10_000})
    assert tag == "P" * 127 + "-" + "O" * 127 and len(tag) == 255
    [tag] = tag_rules.answer_tags([q("Branża", "value", "dropdown")], {"Branża": "ą" * 10_000})
    assert tag == "A" * 255


def test_a_huge_text_is_read_only_as_far_as_a_tag_reaches(monkeypatch):
    read = []
    real = tag_rules.transliterate_letters
    # internal seam: what the letters' transliteration (the costly step) is given to read.
    monkeypatch.setattr(tag_rules, "transliterate_letters", lambda text: read.append(len(text)) or real(text))
    assert tag_rules.normalise_tag("ż" * 1_000_000) == "Z" * 255
    assert tag_rules.normalise_tag("ż" * 1_000_000, 127) == "Z" * 127
    assert read == [255, 127]


def test_tags_of_several_questions_in_form_order_without_repeats():
    questions = [q("Branża", "value", "radio", clean_name="a"),
                 q("Rola", "value", "radio", clean_name="b"), q("Inna", "", clean_name="c")]
    answers = {"a": "IT", "b": "it", "c": "x"}
    assert tag_rules.answer_tags(questions, answers) == ["IT"]


@pytest.mark.parametrize(
    "question, choices, tags",
    [
        (q("Branża", "value", "dropdown"), ["IT", "Handel", "Usługi"], ["IT", "HANDEL", "USLUGI"]),
        (q("Ocena", "question_and_value", "radio"), ["Dobra", "Zła"], ["OCENA-DOBRA", "OCENA-ZLA"]),
        (q("Komentarz", "value", "multiline"), [], ["KOMENTARZ-ANSWER"]),
        (q("Webinary", "question_and_value", "checkbox"), [], ["WEBINARY"]),
        (q("Branża", "", "dropdown"), ["IT"], []),
    ],
)
def test_example_tags_for_editors(question, choices, tags):
    assert tag_rules.example_tags(question, choices, "answer") == tags


@pytest.mark.parametrize("target, tags", [
    ("detail", ["BRANZA-HANDEL"]),
    ("company", ["BRANZA-HANDEL"]),
    ("city", ["BRANZA-HANDEL"]),
    ("country", ["BRANZA-HANDEL"]),
    ("consent", ["BRANZA-HANDEL"]),
    ("sms_consent", ["BRANZA-HANDEL"]),
    ("", ["BRANZA-HANDEL"]),  # a question never mapped is a custom detail
    # Personal data, and answers not sent, give no tag.
    ("name", []),
    ("first_name", []),
    ("last_name", []),
    ("phone", []),
    ("street", []),
    ("zip_code", []),
    ("birthday", []),
    ("skip", []),
])
def test_only_answers_that_name_a_group_of_contacts_become_tags(target, tags):
    question = q("Branża", "question_and_value", target=target)
    assert tag_rules.answer_tags([question], {"Branża": "Handel"}) == tags


@pytest.mark.parametrize("field_type, tags", [
    ("checkboxes", ["HANDEL"]),
    ("dropdown", ["HANDEL"]),
    ("multiselect", ["HANDEL"]),
    ("radio", ["HANDEL"]),
    # A typed answer keeps its question in front, whatever the mode says.
    ("singleline", ["BRANZA-HANDEL"]),
    ("multiline", ["BRANZA-HANDEL"]),
    ("number", ["BRANZA-HANDEL"]),
    ("date", ["BRANZA-HANDEL"]),
    ("hidden", ["BRANZA-HANDEL"]),
])
def test_only_an_editors_own_choices_become_tags_as_they_are(field_type, tags):
    question = q("Branża", "value", field_type)
    assert tag_rules.answer_tags([question], {"Branża": ["Handel"]}) == tags


def test_a_ticked_checkbox_whose_label_leaves_nothing_gives_no_tag():
    question = q("\u200b\u200b", "value", "checkbox")
    assert tag_rules.answer_tags([question], {question.clean_name: True}) == []


@pytest.mark.parametrize("text, length, tag", [
    # Letters spelled out in more characters still give a tag of at most `length`.
    ("ß" * 200, 255, "S" * 255),
    ("Æ" * 100, 127, "AE" * 63 + "A"),
    # Invisible characters do not count, as far as twice the tag's length is read.
    ("\u200b" * 509 + "vip", 255, "V"),
    ("\u200b" * 510 + "vip", 255, ""),
    ("\u200b" * 253 + "vip", 127, "V"),
    (" " * 300 + "vip ", 255, "VIP"),  # leading spaces do not count either
    ("  vip  ", 255, "VIP"),
    ("a" * 254 + " b", 255, "A" * 254 + "_"),
    ("a" * 254 + "  ", 255, "A" * 254),
    ("", 255, ""),
])
def test_a_tag_is_cut_to_its_length_after_invisible_characters_and_spaces_go(text, length, tag):
    assert tag_rules.normalise_tag(text, length) == tag


def test_example_tags_name_each_choice_once():
    question = q("Branża", "value", "dropdown")
    assert tag_rules.example_tags(question, ["IT", "it", "  "], "answer") == ["IT"]
    assert tag_rules.example_tags(q("Branża", "value", "dropdown", target="phone"), ["IT"],
                                  "answer") == []


@pytest.mark.parametrize("answer", ["", "  ", "\u200b", [" ", None]])
def test_a_blank_answer_gives_no_question_and_answer_tag(answer):
    question = q("Komentarz", "question_and_value", "multiline")
    assert tag_rules.answer_tags([question], {"Komentarz": answer}) == []


def test_a_choice_whose_question_leaves_nothing_of_its_label_is_tagged_by_the_choice_alone():
    question = q("\u200b", "question_and_value", "radio")
    assert tag_rules.answer_tags([question], {question.clean_name: "Handel"}) == ["HANDEL"]


@pytest.mark.parametrize("mode", ["value", "question_and_value"])
def test_a_typed_answer_never_becomes_a_tag_alone_even_when_the_label_leaves_nothing(mode):
    question = q("\u200b", mode, "singleline")
    assert tag_rules.answer_tags([question], {question.clean_name: "VIP"}) == []
