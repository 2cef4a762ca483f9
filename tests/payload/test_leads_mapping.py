"""The lead part of the mapping, as pure functions: no database, no HTTP."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from wagtail_salesmanago.payload import contact_fields as cf
from wagtail_salesmanago.payload import mapping


def q(label, target=None, consent=""):
    question = SimpleNamespace(label=label, field_type="singleline", clean_name=label.lower())
    if target is not None:
        question.salesmanago_target, question.salesmanago_consent_name = target, consent
    return question


@pytest.mark.parametrize("value, ok", [
    ("+48 123 456 789", True), ("(22) 123-45-67", True), ("12345", False), ("123456", True),
    ("1" * 15, True), ("1" * 16, False), ("tel. 123456", False), ("+48 123 456 789 ext 5", False),
    ("-" * 26 + "123456", True), ("-" * 27 + "123456", False),  # 32 characters at most
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


def test_birthday_from_a_date_and_time_or_typed_text():
    assert cf.clean_birthday(datetime.datetime(1985, 1, 2, 23, 30)) == "19850102"
    assert cf.clean_birthday(" 1985-01-02 ") == "19850102"
    with pytest.raises(cf.Refused) as refused:
        cf.clean_birthday("2.01.1985")
    assert refused.value.message == "not a date (YYYY-MM-DD)"


@pytest.mark.parametrize("day, ok", [
    (datetime.date(2000, 1, 2), True), (datetime.date(2000, 1, 3), False),
])
def test_today_is_the_sites_date_not_the_servers(monkeypatch, day, ok):
    # 12:00 UTC on 1 January is already 2 January at UTC+14: the date the site's time zone says.
    noon = datetime.datetime(2000, 1, 1, 12, tzinfo=datetime.timezone.utc)
    monkeypatch.setattr("django.utils.timezone.now", lambda: noon)
    with timezone.override("Pacific/Kiritimati"):
        if ok:
            assert cf.clean_birthday(day) == day.strftime("%Y%m%d")
        else:
            with pytest.raises(cf.Refused):
                cf.clean_birthday(day)


def test_today_on_a_site_without_time_zones_is_the_servers_date(settings):
    settings.USE_TZ = False
    today = datetime.date.today()
    assert cf.clean_birthday(today) == today.strftime("%Y%m%d")
    with pytest.raises(cf.Refused):
        cf.clean_birthday(today + datetime.timedelta(days=2))


@pytest.mark.parametrize("day, ok", [
    (datetime.date(1899, 12, 31), False), (datetime.date(1900, 1, 1), True),
    (datetime.date(2026, 11, 29), True), (datetime.date(2026, 11, 30), False),
])
def test_a_birthday_is_from_1900_to_today_both_included(day, ok):
    if ok:
        assert cf.clean_birthday(day, today=datetime.date(2026, 11, 29)) == day.strftime("%Y%m%d")
        return
    with pytest.raises(cf.Refused) as refused:
        cf.clean_birthday(day, today=datetime.date(2026, 11, 29))
    # The reason editors read, and the exception's own text in a traceback.
    assert refused.value.message == "not a date of birth (between 1900 and today)"
    assert str(refused.value) == "not a date of birth (between 1900 and today)"


def test_a_text_field_takes_its_whole_length_and_no_more():
    assert cf.clean("x" * 255, "company") == "x" * 255
    with pytest.raises(cf.Refused) as refused:
        cf.clean("x" * 256, "company")
    assert refused.value.message == "longer than 255 characters"


@pytest.mark.parametrize("value, blank", [
    (None, True), (False, True), ("", True), (" \n", True), ([], True), (["", " "], True),
    (("",), True), (True, False), (0, False), ("a", False), (["", "x"], False),
])
def test_blank_answers(value, blank):
    assert cf.is_blank(value) is blank


def test_an_unanswered_or_unticked_question_fills_no_field():
    questions = [q("Imię", "first_name"), q("Firma", "company"), q("Miasto", "city")]
    lead = cf.plan_lead(questions, {"firma": False, "miasto": ["", " "]})
    assert (lead.contact, lead.notes) == ({}, [])


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


def test_a_ticked_consent_without_a_consent_name_opts_no_one_in():
    # A site's own question may say it is a consent and name none, or carry no name at all.
    unnamed = SimpleNamespace(label="C", field_type="checkbox", clean_name="c",
                              salesmanago_target="consent")
    questions = [q("A", "consent", ""), q("B", "consent", None), unnamed]
    plan = mapping.plan_export(questions, {"a": True, "b": True, "c": True}, "", "", "ankieta.")
    assert plan.lead_fields == {}  # no consentDetails, no forceOptIn


def test_a_consent_question_before_others_leaves_them_their_fields():
    questions = [q("Zgoda", "consent", "NEWSLETTER"), q("Imię", "first_name"), q("Miasto", "city")]
    lead = cf.plan_lead(questions, {"zgoda": True, "imię": "Jan", "miasto": "Kraków"})
    assert (lead.consents, lead.contact) == (
        ["NEWSLETTER"], {"name": "Jan", "address": {"city": "Kraków"}})


def test_a_consent_planned_without_its_proof_claims_no_time_or_ip():
    plan = mapping.plan_export([q("Zgoda", "consent", "NEWSLETTER")], {"zgoda": True}, "", "",
                               "ankieta.")
    assert plan.lead_fields == {
        "consentDetails": [{"consentName": "NEWSLETTER", "consentAccept": True,
                            "agreementDate": None, "ip": "", "optOut": False}],
        "forceOptIn": True,
    }


def test_after_an_accepted_double_opt_in_nothing_opts_in_again():
    lead = cf.Lead(consents=["NEWSLETTER"])
    fields = cf.lead_fields(lead, opt_in=cf.OptIn(True, "e1", "PL"), agreed_at_ms=1, ip="::1")
    assert fields["useApiDoubleOptIn"] is True and fields["forceOptIn"] is True
    again = mapping.upsert_body(owner="o", email="a@b.pl", properties={}, tags=[],
                                lead_fields=cf.without_double_opt_in(fields))
    assert (again["useApiDoubleOptIn"], again["forceOptIn"]) == (False, False)
    assert again["consentDetails"] == fields["consentDetails"] and again["lang"] == "PL"
    assert cf.without_double_opt_in(fields) == {
        "consentDetails": fields["consentDetails"], "lang": "PL"}


STORED_LEAD = {
    "contact": {"email": "jan@example.com", "name": "Jan", "phone": "+48600100200"},
    "birthday": "19900115", "removeTags": ["STARY"], "lang": "PL", "forceOptIn": True,
    "forcePhoneOptIn": True, "useApiDoubleOptIn": True, "doubleOptInEmailId": "7",
    "doubleOptInLanguage": "PL",
    "consentDetails": [{"consentName": "NEWSLETTER", "consentAccept": True}],
    "properties": {"ankieta.ocena": "5"}, "tags": ["BADANIE"], "owner": "crm@firma.pl",
}


def test_a_stored_body_gives_back_its_contact_without_the_e_mail_and_its_lead_fields():
    assert cf.lead_of(STORED_LEAD) == (
        {"name": "Jan", "phone": "+48600100200"},
        {key: STORED_LEAD[key] for key in cf.LEAD_KEYS})


def test_an_unsubscribed_contacts_lead_keeps_no_opt_in_confirmation_e_mail_or_consent():
    assert cf.without_email_opt_in(cf.lead_of(STORED_LEAD)[1]) == {
        "birthday": "19900115", "removeTags": ["STARY"], "lang": "PL"}
