"""SMS consent (issue 26 item 5): a consent checkbox can opt the contact in for SMS
(``forcePhoneOptIn``), separately from e-mail, as SALESmanago's WordPress plugin does for its
``sm-optin-mobile`` field.

Over real HTTP against a sandbox whose account knows both consents.
"""

import pytest
from wagtail.models import Site

from tests.helpers import DOUBLE_OPT_IN, contact_bodies, lead_page, submissions_of, submit_answers
from wagtail_salesmanago.models import SalesmanagoSettings
from wagtail_salesmanago.sandbox import Sandbox

QUESTIONS = [
    ("E-mail", "email", "detail"),
    ("Telefon", "singleline", "phone"),
    ("Zgoda na newsletter", "checkbox", "consent", "NEWSLETTER"),
    ("Zgoda na SMS", "checkbox", "sms_consent", "SMS_MARKETING"),
]


@pytest.fixture
def sms_account(db):
    """A sandbox whose account has an e-mail and an SMS consent, the site pointing at it."""
    with Sandbox(consents=("NEWSLETTER", "SMS_MARKETING")) as sandbox:
        SalesmanagoSettings.objects.update_or_create(
            site=Site.objects.get(is_default_site=True), defaults=sandbox.credentials())
        yield sandbox


def consent(name, submission):
    return {"consentName": name, "consentAccept": True, "ip": "127.0.0.1", "optOut": False,
            "agreementDate": int(submission.submit_time.timestamp() * 1000)}


@pytest.mark.django_db
def test_an_sms_consent_opts_in_for_sms_only_and_never_asks_for_a_confirmation_email(
        client, sms_account, on_commit):
    page = lead_page(QUESTIONS, **DOUBLE_OPT_IN)
    submit_answers(client, page, on_commit, {
        "E-mail": "jan@example.com", "Telefon": "600100200", "Zgoda na SMS": "on"})

    [submission] = submissions_of(page)
    [body] = contact_bodies(sms_account)
    assert body["consentDetails"] == [consent("SMS_MARKETING", submission)]
    assert (body["forcePhoneOptIn"], body["forceOptIn"], body["useApiDoubleOptIn"],
            body["forceOptOut"], body["forcePhoneOptOut"]) == (True, False, False, False, False)
    assert "doubleOptInEmailId" not in body
    [contact] = sms_account.contacts()
    assert (contact["phone"], contact["phone_opt_in"], contact["email_opt_in"]) == (
        "600100200", "opted in", "not opted in")
    assert contact["double_opt_in_emails_sent"] == 0


@pytest.mark.django_db
def test_both_consents_opt_in_for_both_with_the_emails_double_opt_in(
        client, sms_account, on_commit):
    page = lead_page(QUESTIONS, **DOUBLE_OPT_IN)
    submit_answers(client, page, on_commit, {
        "E-mail": "jan@example.com", "Telefon": "600100200", "Zgoda na newsletter": "on",
        "Zgoda na SMS": "on"})

    [submission] = submissions_of(page)
    [body] = contact_bodies(sms_account)
    assert body["consentDetails"] == [consent("NEWSLETTER", submission),
                                      consent("SMS_MARKETING", submission)]
    assert (body["forceOptIn"], body["forcePhoneOptIn"], body["useApiDoubleOptIn"],
            body["doubleOptInEmailId"], body["doubleOptInLanguage"]) == (
        True, True, True, "a1b2c3", "PL")
    [contact] = sms_account.contacts()
    assert (contact["phone_opt_in"], contact["email_opt_in"],
            contact["double_opt_in_emails_sent"]) == ("opted in", "pending confirmation", 1)


@pytest.mark.django_db
def test_an_unticked_sms_consent_leaves_the_phone_status_alone(client, sms_account, on_commit):
    submit_answers(client, lead_page(QUESTIONS), on_commit, {
        "E-mail": "jan@example.com", "Zgoda na newsletter": "on"})

    [body] = contact_bodies(sms_account)
    assert [c["consentName"] for c in body["consentDetails"]] == ["NEWSLETTER"]
    assert (body["forceOptIn"], body["forcePhoneOptIn"]) == (True, False)
