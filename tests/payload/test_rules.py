"""Export rules: what a form's rules make of one answer (pure functions)."""

import decimal
from types import SimpleNamespace

import pytest

from wagtail_salesmanago import stored_messages
from wagtail_salesmanago.payload import rules
from wagtail_salesmanago.payload.rules import Rule


def q(label, clean_name, own_label=None):
    question = SimpleNamespace(label=label, clean_name=clean_name, field_type="singleline")
    if own_label:
        question.own_label = own_label
    return question


QUESTIONS = [q("Zgoda na kontakt", "zgoda"), q("Branża", "branza"), q("Kanały", "kanaly"),
             q("Komentarz", "komentarz")]
ANSWERS = {"zgoda": True, "branza": "Handel", "kanaly": ["E-mail", "SMS"], "komentarz": ""}


@pytest.mark.parametrize("rule, met", [
    (Rule("Zgoda na kontakt", "checked"), True),
    (Rule("  zgoda   NA kontakt ", "checked"), True),  # the label, whatever the case and spacing
    (Rule("Branża", "equals", " handel "), True),
    (Rule("Branża", "equals", "Usługi"), False),
    (Rule("Kanały", "equals", "sms"), True),  # one of the choices ticked
    (Rule("Kanały", "checked", "SMS"), True),
    (Rule("Kanały", "checked", "Telefon"), False),
    (Rule("Kanały", "checked"), True),  # any choice ticked
    (Rule("Komentarz", "not_empty"), False),
    (Rule("Branża", "not_empty"), True),
    (Rule("Branża", "checked"), False),  # text is not a ticked box
    (Rule("Zgoda na kontakt", "equals", "true"), True),
])
def test_one_rule(rule, met):
    decision = rules.decide([rule], rules.ALL, QUESTIONS, ANSWERS)
    assert decision.send is met


def test_an_unticked_checkbox_and_no_choice_are_not_ticked():
    answers = {"zgoda": False, "kanaly": []}
    for rule in (Rule("Zgoda na kontakt", "checked"), Rule("Kanały", "checked")):
        assert rules.decide([rule], rules.ALL, QUESTIONS, answers).send is False


def test_all_rules_name_the_first_unmet_one_and_rules_met_add_their_tags():
    both = [Rule("Zgoda na kontakt", "checked", tags="zgoda, klient"),
            Rule("Branża", "equals", "Handel", tags="handel")]
    decision = rules.decide(both, rules.ALL, QUESTIONS, ANSWERS)
    assert (decision.send, decision.tags, decision.reason) == (True, ["ZGODA", "KLIENT", "HANDEL"], None)

    decision = rules.decide(both, rules.ALL, QUESTIONS, {**ANSWERS, "zgoda": False})
    assert decision.send is False and decision.tags == []
    assert str(decision.reason) == ("Not sent: the form sends only when all its rules are met, "
                                    "and this one was not: “Zgoda na kontakt” is ticked.")


def test_any_rule_sends_with_the_tags_of_those_met():
    either = [Rule("Branża", "equals", "IT", tags="it"), Rule("Branża", "equals", "Handel",
                                                                tags="handel")]
    decision = rules.decide(either, rules.ANY, QUESTIONS, ANSWERS)
    assert (decision.send, decision.tags) == (True, ["HANDEL"])
    decision = rules.decide(either, rules.ANY, QUESTIONS, {"branza": "Usługi"})
    assert decision.send is False
    assert str(decision.reason) == "Not sent: the form sends when any of its rules is met, and none was."


def test_no_rules_send_everything():
    assert rules.decide([], rules.ALL, QUESTIONS, {}).send is True


def test_a_rule_on_a_question_the_form_lacks_is_not_met_and_says_so():
    decision = rules.decide([Rule("Usunięte pytanie", "not_empty")], rules.ANY, QUESTIONS, ANSWERS)
    assert decision.send is False
    assert [str(note) for note in decision.notes] == [
        "Rules on questions this form does not have (deleted or renamed?) count as not met: 1, "
        "on “Usunięte pytanie”."]
    # However many such rules: one note, naming the first few.
    many = [Rule(f"Brak {n}", "not_empty") for n in range(1000)]
    [note] = rules.decide(many, rules.ANY, QUESTIONS, ANSWERS).notes
    assert str(note) == ("Rules on questions this form does not have (deleted or renamed?) count "
                         "as not met: 1000, on “Brak 0”, “Brak 1”, “Brak 2”, “Brak 3”, “Brak 4”.")


def test_a_translations_own_label_names_its_question_too():
    questions = [q("Consent", "zgoda", own_label="Zgoda")]
    assert rules.decide([Rule("Zgoda", "checked")], rules.ALL, questions, {"zgoda": True}).send
    assert rules.decide([Rule("Consent", "checked")], rules.ALL, questions, {"zgoda": True}).send


def test_1000_rules_look_each_question_up_once(monkeypatch):
    many = [Rule(f"Pytanie {n}", "equals", "tak", tags=f"t{n}") for n in range(1000)]
    questions = [q(f"Pytanie {n}", f"p{n}") for n in range(1000)]
    looked_up = []
    real = rules.question_index
    # internal seam: how often the form's questions are indexed (once, not once per rule).
    monkeypatch.setattr(rules, "question_index", lambda qs: looked_up.append(1) or real(qs))
    decision = rules.decide(many, rules.ALL, questions, {f"p{n}": "tak" for n in range(1000)})
    assert decision.send is True and len(decision.tags) == 1000 and looked_up == [1]


def test_the_pages_copy_of_its_rules_round_trips_and_ignores_what_is_not_a_rule():
    rows = [SimpleNamespace(question="Branża", condition="equals", value="IT", tags="it"),
            SimpleNamespace(question="x" * 300, condition="checked", value=None, tags="")]
    data = rules.snapshot(rows)
    assert data[0] == {"question": "Branża", "condition": "equals", "value": "IT", "tags": "it"}
    assert len(data[1]["question"]) == 255
    assert rules.from_snapshot(data) == [Rule("Branża", "equals", "IT", "it"),
                                         Rule("x" * 255, "checked", "", "")]
    assert rules.from_snapshot([{"question": 5, "condition": "checked"}, "x", None,
                                {"question": "A", "condition": "later_version"}]) == []
    assert rules.from_snapshot("nonsense") == []


def test_rules_read_in_polish():
    from django.utils.translation import override
    with override("pl"):
        shown = stored_messages.render(rules.describe(Rule("Branża", "equals", "IT")))
    assert shown == "„Branża” ma wartość „IT”"


@pytest.mark.parametrize("question, answer, rule, met", [
    # A number whatever its decimals; a comma as the decimal point too.
    (q("Ile", "ile"), decimal.Decimal("5.0"), Rule("Ile", "equals", "5"), True),
    (q("Ile", "ile"), 5, Rule("Ile", "equals", "5,00"), True),
    (q("Ile", "ile"), 6, Rule("Ile", "equals", "5"), False),
    # "Is ticked" on a single choice: a choice made, or that choice.
    (SimpleNamespace(label="Ocena", clean_name="o", field_type="radio", choices="A\nB"), "B",
     Rule("Ocena", "checked"), True),
    (SimpleNamespace(label="Ocena", clean_name="o", field_type="radio", choices="A\nB"), "",
     Rule("Ocena", "checked"), False),
    (SimpleNamespace(label="Ocena", clean_name="o", field_type="radio", choices="A\nB"), "B",
     Rule("Ocena", "checked", "B"), True),
    # A translation's answer meets the rule written with the default locale's choice.
    (SimpleNamespace(label="Rate", own_label="Ocena", clean_name="o", field_type="radio",
                     choices="Dobrze\nŹle", default_choices="Good\nBad"), "Dobrze",
     Rule("Rate", "equals", "Good"), True),
    (SimpleNamespace(label="Rate", own_label="Ocena", clean_name="o", field_type="checkboxes",
                     choices="Dobrze, Źle", default_choices="Good, Bad"), ["Źle"],
     Rule("Ocena", "checked", "Bad"), True),
    (SimpleNamespace(label="Rate", own_label="Ocena", clean_name="o", field_type="radio",
                     choices="Dobrze\nŹle", default_choices="Good\nBad"), "Źle",
     Rule("Rate", "equals", "Good"), False),
])
def test_numbers_single_choices_and_translated_choices(question, answer, rule, met):
    decision = rules.decide([rule], rules.ALL, [question], {question.clean_name: answer})
    assert decision.send is met


@pytest.mark.parametrize("unmet, named", [
    (Rule("Branża", "equals", "IT"), "“Branża” equals “IT”"),
    (Rule("Komentarz", "not_empty"), "“Komentarz” is not empty"),
    (Rule("Zgoda na kontakt", "checked"), "“Zgoda na kontakt” is ticked"),
    (Rule("Kanały", "checked", "Telefon"), "“Kanały” is ticked"),
])
def test_the_reason_staff_read_names_the_unmet_rule_in_words(unmet, named):
    decision = rules.decide([unmet], rules.ALL, QUESTIONS, {**ANSWERS, "zgoda": False})
    assert str(decision.reason) == ("Not sent: the form sends only when all its rules are met, "
                                    f"and this one was not: {named}.")


def test_of_several_unmet_rules_the_reason_names_the_first():
    several = [Rule("Branża", "equals", "Handel"), Rule("Komentarz", "not_empty"),
               Rule("Branża", "equals", "IT"), Rule("Usunięte", "not_empty")]
    decision = rules.decide(several, rules.ALL, QUESTIONS, ANSWERS)
    assert str(decision.reason).endswith("and this one was not: “Komentarz” is not empty.")


def test_a_form_whose_mode_is_not_any_needs_all_its_rules():
    one_met = [Rule("Branża", "equals", "Handel"), Rule("Komentarz", "not_empty")]
    assert rules.decide(one_met, "", QUESTIONS, ANSWERS).send is False
    assert rules.decide(one_met, rules.ANY, QUESTIONS, ANSWERS).send is True


def test_tags_given_by_several_rules_met_appear_once_in_rule_order():
    both = [Rule("Branża", "equals", "Handel", tags="klient, handel"),
            Rule("Zgoda na kontakt", "checked", tags="Klient,zgoda")]
    decision = rules.decide(both, rules.ANY, QUESTIONS, ANSWERS)
    assert decision.tags == ["KLIENT", "HANDEL", "ZGODA"]


def test_any_rule_sends_despite_a_rule_on_a_deleted_question_and_still_notes_it():
    rules_ = [Rule("Usunięte", "not_empty", tags="stare"), Rule("Branża", "not_empty", tags="b")]
    decision = rules.decide(rules_, rules.ANY, QUESTIONS, ANSWERS)
    assert (decision.send, decision.tags, decision.reason) == (True, ["B"], None)
    [note] = decision.notes
    assert str(note) == ("Rules on questions this form does not have (deleted or renamed?) count "
                         "as not met: 1, on “Usunięte”.")


def test_a_deleted_question_is_named_once_however_many_rules_are_on_it():
    on_deleted = [Rule("Stare", "not_empty"), Rule("Inne", "checked"), Rule("Stare", "equals", "x"),
                  Rule("Branża", "not_empty")]
    decision = rules.decide(on_deleted, rules.ALL, QUESTIONS, ANSWERS)
    [note] = decision.notes
    assert str(note) == ("Rules on questions this form does not have (deleted or renamed?) count "
                         "as not met: 3, on “Stare”, “Inne”.")
    assert str(decision.reason).endswith("and this one was not: “Stare” is not empty.")


def test_rules_on_questions_the_form_has_make_no_note():
    decision = rules.decide([Rule("Branża", "equals", "IT")], rules.ALL, QUESTIONS, ANSWERS)
    assert decision.notes == []


@pytest.mark.parametrize("text, choices", [
    ("IT\nHandel, detaliczny\n\n  Usługi  \r\n", ["IT", "Handel, detaliczny", "Usługi"]),
    ("IT, Handel ,, Usługi,", ["IT", "Handel", "Usługi"]),
    ("Jedna", ["Jedna"]),
    ("", []),
    (None, []),
    (" \n ", []),
])
def test_a_questions_choices_are_read_as_wagtails_form_builder_reads_them(text, choices):
    assert rules.choice_list(text) == choices


def test_a_translation_with_more_choices_than_the_default_page_matches_the_rest_by_text():
    question = SimpleNamespace(label="Ocena", clean_name="o", field_type="radio",
                               choices="Dobrze\nŹle\nNie wiem", default_choices="Good\nBad")
    for answer, value, met in [("Nie wiem", "Nie wiem", True), ("Nie wiem", "Bad", False),
                               ("Źle", "Bad", True)]:
        decision = rules.decide([Rule("Ocena", "equals", value)], rules.ALL, [question],
                                {"o": answer})
        assert decision.send is met, (answer, value)


@pytest.mark.parametrize("value, met", [("Dobrze", True), ("Źle", False), ("xxxx", False)])
def test_a_question_without_default_choices_matches_its_choices_by_text_only(value, met):
    question = SimpleNamespace(label="Ocena", clean_name="o", field_type="radio",
                               choices="Dobrze\nŹle")
    assert rules.is_met(Rule("Ocena", "equals", value), question, "Dobrze") is met


@pytest.mark.parametrize("answer", ["", "  ", None, [], ["", None]])
@pytest.mark.parametrize("value", ["x", "xxxx", "0", "none"])
def test_a_blank_answer_equals_no_value(answer, value):
    assert rules.is_met(Rule("Branża", "equals", value), q("Branża", "branza"), answer) is False


def test_a_pages_copy_missing_a_rules_value_or_tags_reads_them_as_blank():
    assert rules.from_snapshot([{"question": "Branża", "condition": "not_empty"}]) == [
        Rule("Branża", "not_empty", "", "")]
    assert rules.snapshot([SimpleNamespace(question="Branża", condition="not_empty")]) == [
        {"question": "Branża", "condition": "not_empty", "value": "", "tags": ""}]


@pytest.mark.parametrize("answer, value, met", [
    # A typed text is matched as text: only a number answer is matched by its value.
    ("5.0", "5", False),
    ("5.0", "5.0", True),
    (decimal.Decimal("5.0"), "5", True),
    # Infinity and not-a-number are no value to match: only their text is.
    (float("inf"), "inf", False),
    (float("inf"), "Infinity", True),
    (float("nan"), "NaN", True),
    ("sNaN", "sNaN", True),
    (5, "sNaN", False),
    # True and False are not the numbers 1 and 0.
    (True, "1", False),
])
def test_an_answer_is_matched_as_a_number_only_when_it_is_one(answer, value, met):
    assert rules.is_met(Rule("Ile", "equals", value), q("Ile", "ile"), answer) is met


@pytest.mark.parametrize("answer, value, met", [
    # Any number a visitor may type is read whole: none overflows, rounds or is cut.
    (decimal.Decimal("1e9999999"), "5", False),
    (decimal.Decimal("1e9999999"), "1E+9999999", True),
    (decimal.Decimal("1e-9999999"), "0", False),
    (decimal.Decimal("12345678901234567890123456789"), "12345678901234567890123456788", False),
    (decimal.Decimal("12345678901234567890123456789"), "12345678901234567890123456789.00", True),
    (decimal.Decimal("-0"), "0", True),
    (decimal.Decimal("1" * 255), "1" * 255 + ".0", False),  # a rule's value holds 255 characters
    (decimal.Decimal("1" * 254), "1" * 254 + ".", True),
])
def test_numbers_of_every_size_are_compared_exactly(answer, value, met):
    assert rules.is_met(Rule("Ile", "equals", value), q("Ile", "ile"), answer) is met
