"""Messages stored on deliveries (errors, notes, attempts, holds), shown in the reader's language.

A message is stored once, in a ``MessageField``: a code of ``CATALOGUE`` and its parameters (as
Wagtail's log entries keep an ``action`` and its ``data``), from which ``render`` writes it in the
language active when someone reads it. Read back, it is a ``Message``: a ``str`` of its English
(what logs and e-mail alerts use) that carries the data. Parameters are inserted as they are:
SALESmanago's own words, HTTP statuses, paths, class names are never translated. A parameter may
itself be a message (``Gave up after 5 attempts: <the error>``).

The data is one of: a code and its parameters (``encode``); a plain string, shown as it is; parts
joined by a separator (``join``); a list of lines (a record's notes). A code this version does not
know is shown as its JSON; text that is not JSON shows as it is.

The API secret is never a parameter: no message has ever contained it.
"""

import json

from django.db import models
from django.utils.translation import gettext, gettext_noop

#: Names of the SALESmanago settings, as messages about a site's settings quote them.
SETTING_LABELS = {
    "endpoint": gettext_noop("endpoint"),
    "client_id": gettext_noop("client ID"),
    "api_secret": gettext_noop("API secret"),
    "owner_email": gettext_noop("owner e-mail"),
    "detail_prefix": gettext_noop("detail prefix"),
    "identify_by_cookie": gettext_noop("identify by the smclient cookie"),
    "trust_typed_email": gettext_noop("trust a typed e-mail over a link"),
}

# gettext_noop: the English is stored as it is, the translation is looked up when shown.
CATALOGUE = {
    **{f"setting.{name}": label for name, label in SETTING_LABELS.items()},
    # What SALESmanago (or the way to it) answered: client.py, exceptions.py.
    "api_said": gettext_noop("SALESmanago said: %(api_message)s"),
    "timeout": gettext_noop("SALESmanago did not answer in time (limit: %(seconds)s s in all)."),
    "timeout_connect": gettext_noop(
        "SALESmanago did not answer in time (limit: %(seconds)s s to connect)."),
    "timeout_read": gettext_noop(
        "SALESmanago did not answer in time (limit: %(seconds)s s without data)."),
    "too_large": gettext_noop(
        "SALESmanago's answer was over %(megabytes)s MB; it was not read."),
    "unreachable": gettext_noop("Could not connect to SALESmanago at %(url)s (%(error)s)."),
    "redirect": gettext_noop("SALESmanago's answer was a redirect, which is not followed."),
    "answer_undecodable": gettext_noop(
        "SALESmanago's answer came compressed, but its compressed body was broken."),
    "answer_cut_short": gettext_noop(
        "SALESmanago's answer broke off before its end (the body was cut short or badly "
        "framed)."),
    "answer_not_http": gettext_noop(
        "Something answered at SALESmanago's address, but not in HTTP (no status line)."),
    "closed_without_answer": gettext_noop(
        "The connection to SALESmanago was made, but closed without an answer."),
    "server_error": gettext_noop("SALESmanago had a server error."),
    "throttled": gettext_noop("SALESmanago asked for fewer calls (too many requests)."),
    "unavailable": gettext_noop("SALESmanago was unavailable for a while."),
    "wait_asked": gettext_noop("It asked to wait %(seconds)s s."),
    "paused": gettext_noop(
        "Not sent: SALESmanago asked this site's deliveries to wait. It goes at its next "
        "attempt."),
    "access_denied": gettext_noop(
        "Access to SALESmanago was denied, and the answer was not SALESmanago's (a proxy or "
        "firewall in between?)."),
    "not_json": gettext_noop("SALESmanago's answer was not the JSON it should be."),
    "credentials_rejected": gettext_noop("SALESmanago rejected the credentials or the owner."),
    "unknown_contact": gettext_noop("SALESmanago does not know this contact."),
    "refused": gettext_noop("SALESmanago refused the request."),
    "bad_endpoint": gettext_noop("The SALESmanago endpoint %(endpoint)s is not valid: %(reason)s"),
    # The site's settings: account.py.
    "not_set_up": gettext_noop(
        "SALESmanago is not set up for site %(site)s: %(missing)s missing. Fill them in under "
        "Settings > SALESmanago in the Wagtail admin, or set them in %(setting)s in the Django "
        "settings."),
    "endpoint_unused": gettext_noop(
        "The SALESmanago endpoint of site %(site)s (%(where)s) is not used: %(reason)s"),
    "endpoint_unused_admin": gettext_noop(
        "The SALESmanago endpoint of site %(site)s (Settings > SALESmanago) is not used: "
        "%(reason)s"),
    # Holds: holds.py.
    "owner_not_user": gettext_noop(
        "The owner %(owner)s is not a user of this SALESmanago account."),
    "check_failed_too": gettext_noop(
        "Checking the credentials failed too (%(reason)s); tried again later."),
    "only_this_blocked": gettext_noop(
        "The credentials work, so only this delivery was blocked; tried again later."),
    # Deliveries: delivery.py, outbox.py, batches.py.
    "no_identity": gettext_noop(
        "No contact identity: the form has no answered e-mail question, and the visitor neither "
        "arrived with a valid smclientid nor carried a usable smclient cookie."),
    # Erasure: delivery/erasure.py.
    "erased_here": gettext_noop(
        "The person's deliveries were erased here; SALESmanago was not asked."),
    "erased_permanently": gettext_noop("SALESmanago deleted the contact permanently."),
    "erased_hidden": gettext_noop(
        "SALESmanago disabled and hid the contact (it deletes such contacts for good later)."),
    "erase_unknown": gettext_noop("SALESmanago does not know this contact: nothing to delete."),
    "erase_refused": gettext_noop("SALESmanago refused to delete the contact:"),
    "erase_no_email": gettext_noop(
        "SALESmanago deletes a contact by e-mail, and none was given or found in the "
        "deliveries: delete the contact in SALESmanago by hand."),
    "erase_no_site": gettext_noop(
        "The site this erasure was for is gone: delete the contact in SALESmanago by hand."),
    # Retention: records/querysets.py redact().
    "redacted": gettext_noop(
        "The answers were removed after %(days)s days, as the site keeps personal data no "
        "longer. Nothing is left to send."),
    "redacted_message": gettext_noop("(Its details were removed with the answers: %(was)s.)"),
    # Export rules: payload/rules.py.
    "rule_not_met": gettext_noop(
        "Not sent: the form sends only when all its rules are met, and this one was not: "
        "%(rule)s."),
    "no_rule_met": gettext_noop(
        "Not sent: the form sends when any of its rules is met, and none was."),
    "rule_questions_missing": gettext_noop(
        "Rules on questions this form does not have (deleted or renamed?) count as not met: "
        "%(count)s, on %(questions)s."),
    "rule.checked": gettext_noop("“%(question)s” is ticked"),
    "rule.equals": gettext_noop("“%(question)s” equals “%(value)s”"),
    "rule.not_empty": gettext_noop("“%(question)s” is not empty"),
    "not_recorded": gettext_noop(
        "This export could not be stored (%(error)s), so nothing was sent. The submission itself "
        "is stored; the server log has the details."),
    "no_event": gettext_noop("No event: %(event_type)s is not a SALESmanago event type."),
    "carrier_dropped": gettext_noop(
        "The visitor came from a SALESmanago mailing link (with smclientid in the page's "
        "address), but the form's template does not send the hidden smclientid field, so the "
        "link's contact ID was lost. Render it in the form: %(tag)s"),
    "contact_unknown_upserted": gettext_noop(
        "Contact %(contact_id)s is unknown to SALESmanago (%(api_message)s); sent as an upsert by "
        "e-mail instead."),
    "form_owner_not_user": gettext_noop(
        "The form's owner %(owner)s is not a user of this SALESmanago account: choose another in "
        "the page's SALESmanago settings (blank: the site's owner), then resend."),
    "double_opt_in_requested": gettext_noop(
        "Double opt-in requested: SALESmanago accepted the call and sends its confirmation "
        "e-mail. Later sends of this answer do not ask for it again."),
    "contact_id_not_uuid": gettext_noop(
        "SALESmanago answered a contact ID that is not a UUID, not kept: %(value)s."),
    "event_id_not_uuid": gettext_noop(
        "SALESmanago answered an event ID that is not a UUID, not kept: %(value)s."),
    "unexpected": gettext_noop("Unexpected error: %(error)s."),
    "gave_up": gettext_noop("Gave up after %(attempts)s attempts: %(message)s"),
    "send_alone": gettext_noop("Not stored by a batch call; sent on its own from now on."),
    # Kept from SALESmanago: quarantine.py.
    "quarantined_domain": gettext_noop(
        "Quarantined: %(domain)s is one of the site's ignored e-mail domains. Not sent "
        "unless staff send it anyway."),
    "spam_check_failed": gettext_noop(
        "Quarantined: the form's spam check failed (%(error)s). Not sent unless staff send it "
        "anyway."),
    "quarantined_spam": gettext_noop(
        "Quarantined as spam: %(reason)s. Not sent unless staff send it anyway."),
    "sent_in_batch": gettext_noop("Sent in a batch of %(count)s."),
    # Who the contact is: mapping.py.
    "link_id_ignored": gettext_noop("Ignored smclientid %(value)s: not a contact ID (UUID)."),
    "cookie_id_ignored": gettext_noop(
        "Ignored the smclient cookie %(value)s: not a contact ID (UUID)."),
    "cut_value": gettext_noop("%(value)s (the first %(shown)s of %(length)s characters)"),
    "typed_email_used": gettext_noop(
        "The typed e-mail was used, not the link's contact ID (this site trusts typed e-mails "
        "more)."),
    "cookie_not_used": gettext_noop(
        "The visitor's smclient cookie was not used: this site does not use it."),
    "cookie_contact_id": gettext_noop(
        "Contact ID from the visitor's smclient cookie (SALESmanago's monitoring code)."),
    # Values that went as custom details only: contact_fields.py.
    "detail_only": gettext_noop(
        "“%(label)s” was not sent as %(field)s (%(reason)s); it went as a custom detail only."),
    # Whole phrases: a bare "name" would share its translation with every other app's "name".
    "field.name": gettext_noop("the contact's name"),
    "field.first_name": gettext_noop("the contact's first name"),
    "field.last_name": gettext_noop("the contact's last name"),
    "field.phone": gettext_noop("the contact's phone"),
    "field.company": gettext_noop("the contact's company"),
    "field.street": gettext_noop("the contact's street"),
    "field.zip_code": gettext_noop("the contact's zip code"),
    "field.city": gettext_noop("the contact's city"),
    "field.country": gettext_noop("the contact's country"),
    "field.birthday": gettext_noop("the contact's birthday"),
    "too_long": gettext_noop("longer than %(length)s characters"),
    "not_phone": gettext_noop(
        "not a phone number (digits, spaces, +, - and parentheses; 6 to 15 digits)"),
    "not_country": gettext_noop("not a 2-letter country code (ISO 3166-1, e.g. PL)"),
    "not_date": gettext_noop("not a date (YYYY-MM-DD)"),
    "not_birthday": gettext_noop("not a date of birth (between 1900 and today)"),
    # Past answers: history.py.
    "past_double_opt_in": gettext_noop(
        "A past answer: its consent is sent with the time it was given, but no double opt-in "
        "e-mail is requested (months later it would puzzle the contact); the opt-in status is "
        "left alone."),
    "export_stopped": gettext_noop(
        "Stopped by an unexpected error (%(error)s); the server log has the details. Run the "
        "export again: what was sent is not sent twice."),
}


class Message(str):
    """A message's English text (so it goes wherever text went) that carries its ``data``."""

    def __new__(cls, data):
        message = super().__new__(cls, text(data))
        message.data = data
        return message


def encode(code, **params):
    """The data of message ``code`` (JSON): parameters that are messages nest as their data."""
    return {"code": code, "params": {name: data_of(value) for name, value in params.items()}}


def message(code, **params):
    """Message ``code`` with its parameters, as a ``Message``."""
    return Message(encode(code, **params))


def join(*parts, sep=" "):
    """One message of several (empty ones left out), as a ``Message``."""
    return Message({"parts": [data_of(part) for part in parts if part], "sep": sep})


def data_of(value):
    """What is stored for ``value``: a ``Message``'s data, an error's message's, else the value
    (a string is shown as it is)."""
    value = getattr(value, "message", value)  # an error of exceptions.py
    if isinstance(value, Message):
        return value.data
    return value if isinstance(value, (dict, list, int, float)) else str(value)


def of_error(error):
    """What to store for an exception: its message if it has one (exceptions.py), else its text."""
    stored = getattr(error, "message", None)
    return stored if isinstance(stored, Message) else Message(str(error))


def as_message(value):
    """``value`` (a ``Message``, an error, text, data or nothing) as a ``Message``."""
    value = getattr(value, "message", value)
    if isinstance(value, Message):
        return value
    return Message(data_of(value) if value else "")


def text(data):
    """The message in English: what ``str()`` of a stored message gives (logs, e-mail alerts)."""
    return _write(data, lambda msgid: msgid)


def render(value):
    """The message in the active language; its English if this version cannot write its data
    (a code a newer version added)."""
    value = as_message(value)
    try:
        return _write(value.data, gettext)
    except NOT_UNDERSTOOD:
        return str(value)


def shown(obj, name):
    """Field ``name`` of ``obj`` (``last_error``, ``notes``, ``message``...) in the reader's
    language."""
    return render(getattr(obj, name))


def get(obj, name):
    """Field ``name`` of ``obj`` as a ``Message`` (to copy it elsewhere with ``put``)."""
    return as_message(getattr(obj, name))


def put(obj, name, value):
    """Set field ``name`` of ``obj`` to ``value`` (a ``Message``, an error, text or nothing)."""
    setattr(obj, name, as_message(value))


def add_line(obj, name, value):
    """Add a line to field ``name`` (a record's notes, a list of messages)."""
    old = as_message(getattr(obj, name))
    lines = old.data if isinstance(old.data, list) else [old.data] if old else []
    setattr(obj, name, Message([*lines, data_of(value)]))


#: What data this version cannot write raises: an unknown code, a missing parameter, a bad shape.
NOT_UNDERSTOOD = (KeyError, TypeError, ValueError, AttributeError)


def load(stored):
    """A ``Message`` from what a ``MessageField`` stored: its data as JSON. Text that is not
    (a row written before messages were stored once) is a message of its own words."""
    if stored is None or isinstance(stored, Message):
        return stored
    try:
        return Message(json.loads(stored)) if stored else Message("")
    except (*NOT_UNDERSTOOD, json.JSONDecodeError):
        return Message(stored)


class MessageField(models.TextField):
    """A message stored once, as its code and parameters (JSON text, like Wagtail's log entries'
    ``action`` and ``data``), read as a ``Message``: its English text, carrying the data that
    ``render`` writes in the reader's language. Nothing stored is the empty string."""

    def from_db_value(self, value, expression, connection):
        return load(value)

    def to_python(self, value):
        return load(value)

    def get_prep_value(self, value):
        value = as_message(value)
        return json.dumps(value.data, ensure_ascii=False) if value else ""

    def value_to_string(self, obj):
        """As stored (``dumpdata``): ``loaddata`` reads the data back, not only the English."""
        return self.get_prep_value(self.value_from_object(obj))


def _write(data, translate):
    if isinstance(data, str):
        return data
    if isinstance(data, list):
        return "\n".join(_write(line, translate) for line in data)
    if "parts" in data:
        return data.get("sep", " ").join(_write(part, translate) for part in data["parts"])
    template = translate(CATALOGUE[data["code"]])
    params = {name: _write(value, translate) if isinstance(value, (dict, list)) else value
              for name, value in data.get("params", {}).items()}
    return template % params if params else template
