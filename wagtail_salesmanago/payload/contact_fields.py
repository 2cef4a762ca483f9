"""Leads: answers that fill the contact card's standard fields, consents and opt-in.

Pure functions, no Django models. A question may carry ``salesmanago_target`` (see
``models.SalesmanagoFieldMixin``); one without it is a custom detail, as before. Every mapped
answer also stays a custom detail, except with the target ``skip``.

Where each goes (SALESmanago's PHP SDK, ``ContactModel::toArray``): ``contact.name``,
``contact.phone``, ``contact.company``, ``contact.address{streetAddress, zipCode, city, country}``,
top-level ``birthday`` (``yyyyMMdd``) and ``consentDetails`` (``Entity/Consent.php``).
"""

import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..stored_messages import message

DETAIL = "detail"
NAME = "name"
FIRST_NAME = "first_name"
LAST_NAME = "last_name"
PHONE = "phone"
COMPANY = "company"
STREET = "street"
ZIP_CODE = "zip_code"
CITY = "city"
COUNTRY = "country"
BIRTHDAY = "birthday"
CONSENT = "consent"
SMS_CONSENT = "sms_consent"
SKIP = "skip"
#: Targets of a consent checkbox: for e-mail (``forceOptIn``) or for SMS (``forcePhoneOptIn``).
CONSENT_TARGETS = (CONSENT, SMS_CONSENT)

#: The choices editors have, in the form builder's order.
TARGET_CHOICES = [
    (DETAIL, _("custom detail")),
    (NAME, _("name (full)")),
    (FIRST_NAME, _("first name")),
    (LAST_NAME, _("last name")),
    (PHONE, _("phone")),
    (COMPANY, _("company")),
    (STREET, _("street address")),
    (ZIP_CODE, _("postal code")),
    (CITY, _("city")),
    (COUNTRY, _("country (2-letter code)")),
    (BIRTHDAY, _("date of birth")),
    (CONSENT, _("consent (a checkbox)")),
    (SMS_CONSENT, _("SMS consent (a checkbox)")),
    (SKIP, _("not sent")),
]

#: Targets that are a field of the ``contact{...}`` part, and their name there.
CONTACT_KEYS = {NAME: "name", PHONE: "phone", COMPANY: "company"}
ADDRESS_KEYS = {STREET: "streetAddress", ZIP_CODE: "zipCode", CITY: "city", COUNTRY: "country"}
STANDARD_TARGETS = (NAME, FIRST_NAME, LAST_NAME, PHONE, COMPANY, STREET, ZIP_CODE, CITY,
                    COUNTRY, BIRTHDAY)

# SALESmanago documents no lengths for these; bounds a contact card can show in full.
MAX_LENGTHS = {NAME: 255, FIRST_NAME: 127, LAST_NAME: 127, COMPANY: 255, STREET: 255,
               ZIP_CODE: 20, CITY: 100}
_PHONE = re.compile(r"^\+?[0-9 ()\-]+$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_SPACES = re.compile(r"\s+")

#: The lead's parts of a request body; the rest (owner, identity, details, tags) is mapping's.
LEAD_KEYS = ("birthday", "removeTags", "consentDetails", "forceOptIn", "forcePhoneOptIn",
             "useApiDoubleOptIn", "doubleOptInEmailId", "doubleOptInLanguage", "lang")


def target_of(question):
    """Where a question's answer goes; questions of a field model without the mixin are details."""
    return getattr(question, "salesmanago_target", "") or DETAIL


def is_sent_as_detail(question):
    return target_of(question) != SKIP


class Refused(ValueError):
    """SALESmanago would refuse the value for this field; ``message`` (a
    ``stored_messages.Message``) says why."""

    def __init__(self, message):
        self.message = message
        super().__init__(message)


def clean_text(value, target):
    text = _SPACES.sub(" ", str(value)).strip()
    if len(text) > MAX_LENGTHS[target]:
        raise Refused(message("too_long", length=MAX_LENGTHS[target]))
    return text


def clean_phone(value):
    text = _SPACES.sub(" ", str(value)).strip()
    digits = sum(char.isdigit() for char in text)
    if not _PHONE.match(text) or not 6 <= digits <= 15 or len(text) > 32:
        raise Refused(message("not_phone"))
    return text


def clean_country(value):
    text = str(value).strip()
    if not _COUNTRY.match(text):
        raise Refused(message("not_country"))
    return text.upper()


def clean_birthday(value, today=None):
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            raise Refused(message("not_date")) from None
    today = today or (timezone.localdate() if settings.USE_TZ else datetime.date.today())
    if not datetime.date(1900, 1, 1) <= value <= today:
        raise Refused(message("not_birthday"))
    return value.strftime("%Y%m%d")


def clean(value, target):
    """The value as SALESmanago takes it for ``target``, or ``Refused``."""
    if target == PHONE:
        return clean_phone(value)
    if target == COUNTRY:
        return clean_country(value)
    if target == BIRTHDAY:
        return clean_birthday(value)
    return clean_text(value, target)


def is_blank(value):
    return value is None or value is False or (isinstance(value, (str, list, tuple)) and not
                                               "".join(map(str, value)).strip())


@dataclass
class Lead:
    """The standard fields and consents one submission fills."""

    contact: dict = field(default_factory=dict)  # contact{...} without e-mail
    birthday: str = ""
    consents: list = field(default_factory=list)  # names of the e-mail consents ticked
    sms_consents: list = field(default_factory=list)  # names of the SMS consents ticked
    notes: list = field(default_factory=list)


def plan_lead(questions, answers):
    """The lead part of a submission; refused values are noted (they stay details)."""
    lead, values = Lead(), {}
    for question in questions:
        target = target_of(question)
        value = answers.get(question.clean_name)
        if target in CONSENT_TARGETS:
            name = str(getattr(question, "salesmanago_consent_name", "") or "").strip()
            given = lead.consents if target == CONSENT else lead.sms_consents
            if value is True and name and name not in given:
                given.append(name)
            continue
        if target not in STANDARD_TARGETS or is_blank(value) or target in values:
            continue
        try:
            values[target] = clean(value, target)
        except Refused as reason:
            lead.notes.append(message(
                "detail_only", label=str(question.label), field=message(f"field.{target}"),
                reason=reason.message,
            ))
    name = values.get(NAME) or " ".join(filter(None, [values.get(FIRST_NAME), values.get(LAST_NAME)]))
    if name:
        lead.contact["name"] = name[:MAX_LENGTHS[NAME]]
    for target, key in CONTACT_KEYS.items():
        if target != NAME and target in values:
            lead.contact[key] = values[target]
    address = {key: values[target] for target, key in ADDRESS_KEYS.items() if target in values}
    if address:
        lead.contact["address"] = address
    lead.birthday = values.get(BIRTHDAY, "")
    return lead


@dataclass
class OptIn:
    """A form's opt-in settings: its double opt-in e-mail, if any."""

    double_opt_in: bool = False
    email_id: str = ""
    language: str = ""


def lead_fields(lead, *, remove_tags=(), opt_in=None, agreed_at_ms=None, ip=""):
    """The lead's top-level request fields (``LEAD_KEYS``); none when nothing is in play.

    A ticked consent opts the contact in for e-mail (``forceOptIn``), a ticked SMS consent for
    SMS (``forcePhoneOptIn``, as SALESmanago's WordPress plugin does for its ``sm-optin-mobile``
    field), each with the proof of consent (time and IP). With double opt-in, SALESmanago's own
    examples and its PHP SDK send ``useApiDoubleOptIn`` together with ``forceOptIn: true``: so do
    we; it confirms e-mail only, so an SMS consent alone never asks for it. Nothing here ever opts
    anyone out: an unticked box leaves the status alone.
    """
    fields = {}
    if lead.birthday:
        fields["birthday"] = lead.birthday
    if remove_tags:
        fields["removeTags"] = list(remove_tags)
    given = lead.consents + [name for name in lead.sms_consents if name not in lead.consents]
    if given:
        fields["consentDetails"] = [
            {"consentName": name, "consentAccept": True, "agreementDate": agreed_at_ms,
             "ip": ip, "optOut": False}
            for name in given
        ]
    if lead.sms_consents:
        fields["forcePhoneOptIn"] = True
    if lead.consents:
        fields["forceOptIn"] = True
        if opt_in and opt_in.double_opt_in:
            fields.update(useApiDoubleOptIn=True, doubleOptInEmailId=opt_in.email_id,
                          doubleOptInLanguage=opt_in.language, lang=opt_in.language)
    return fields


def asks_double_opt_in(body):
    return body.get("useApiDoubleOptIn") is True


def without_double_opt_in(fields):
    """The lead's fields once SALESmanago accepted its double opt-in request: no second e-mail.

    ``forceOptIn`` goes too: opting in at once now would skip the confirmation the contact
    has not given yet. The consent itself (with its original time and IP) is sent again.
    """
    dropped = ("useApiDoubleOptIn", "doubleOptInEmailId", "doubleOptInLanguage", "forceOptIn")
    return {key: value for key, value in fields.items() if key not in dropped}


def without_email_opt_in(fields):
    """The lead's fields for a contact who unsubscribed after answering: no opt-in, no
    confirmation e-mail and no consent sent again: a withdrawn consent is not renewed by an old
    answer (the SMS one neither, as its proof goes with the consents)."""
    dropped = ("forceOptIn", "forcePhoneOptIn", "useApiDoubleOptIn", "doubleOptInEmailId",
               "doubleOptInLanguage", "consentDetails")
    return {key: value for key, value in fields.items() if key not in dropped}


def lead_of(body):
    """The lead's parts of a stored request body: its ``contact{...}`` without e-mail, its fields."""
    contact = {k: v for k, v in (body.get("contact") or {}).items() if k != "email"}
    return contact, {key: body[key] for key in LEAD_KEYS if key in body}
