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
