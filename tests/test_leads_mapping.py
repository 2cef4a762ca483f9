"""The lead part of the mapping, as pure functions: no database, no HTTP."""

import datetime
from types import SimpleNamespace

import pytest

from wagtail_salesmanago import contact_fields as cf
from wagtail_salesmanago import mapping


def q(label, target=None, consent=""):
    question = SimpleNamespace(label=label, field_type="singleline", clean_name=label.lower())
    if target is not None:
        question.salesmanago_target, question.salesmanago_consent_name = target, consent
    return question


@pytest.mark.parametrize("value, ok", [
    ("+48 123 456 789", True), ("(22) 123-45-67", True), ("12345", False),
    ("1" * 16, False), ("tel. 123456", False), ("+48 123 456 789 ext 5", False),
])
def test_phone_numbers(value, ok):
    if ok:
        assert cf.clean_phone(value) == value
    else:
        with pytest.raises(cf.Refused):
            cf.clean_phone(value)


def test_birthday_from_a_date_field_and_out_of_range():
    assert cf.clean_birthday(datetime.date(1985, 1, 2)) == "19850102"
    with pytest.raises(cf.Refused):
        cf.clean_birthday(datetime.date(1850, 1, 2))
    with pytest.raises(cf.Refused):
        cf.clean_birthday("2999-01-01")


def test_a_full_name_wins_over_first_and_last():
    questions = [q("Imię", "first_name"), q("Pełne", "name"), q("Nazwisko", "last_name")]
    lead = cf.plan_lead(questions, {"imię": "Jan", "pełne": "Jan Maria Kowalski",
                                    "nazwisko": "Kowalski"})
    assert lead.contact == {"name": "Jan Maria Kowalski"}
    lead = cf.plan_lead(questions[:1], {"imię": "Jan"})
    assert lead.contact == {"name": "Jan"}


def test_questions_without_the_mixin_are_details_and_nothing_else():
    questions = [q("E-mail"), q("Telefon")]
    plan = mapping.plan_export(questions, {"e-mail": "a@b.pl", "telefon": "600100200"}, "", "",
                               "ankieta.")
    assert plan.contact == {} and plan.lead_fields == {}
    assert plan.properties == {"ankieta.E-mail": "a@b.pl", "ankieta.Telefon": "600100200"}


def test_only_a_ticked_named_consent_counts():
    questions = [q("A", "consent", "NEWSLETTER"), q("B", "consent", "SMS")]
    assert cf.plan_lead(questions, {"a": True, "b": False}).consents == ["NEWSLETTER"]
    assert cf.plan_lead(questions, {"a": "on"}).consents == []


def test_after_an_accepted_double_opt_in_nothing_opts_in_again():
    lead = cf.Lead(consents=["NEWSLETTER"])
    fields = cf.lead_fields(lead, opt_in=cf.OptIn(True, "e1", "PL"), agreed_at_ms=1, ip="::1")
    assert fields["useApiDoubleOptIn"] is True and fields["forceOptIn"] is True
    again = mapping.upsert_body(owner="o", email="a@b.pl", properties={}, tags=[],
                                lead_fields=cf.without_double_opt_in(fields))
    assert (again["useApiDoubleOptIn"], again["forceOptIn"]) == (False, False)
    assert again["consentDetails"] == fields["consentDetails"] and again["lang"] == "PL"
