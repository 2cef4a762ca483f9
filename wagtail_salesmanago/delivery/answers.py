"""Export records: built from each submission, and what each one sends to SALESmanago.

Nothing here ever raises into the visitor's request. Logs name records, pages and
outcomes, never answers or the API secret. Sending, retries and claims live in ``outbox``.
"""

import logging
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from .. import stored_messages
from ..api.exceptions import (
    UnknownContactError,
)
from ..payload import attribution as campaign
from ..payload import contact_fields, events, mapping, rules
from ..payload import tags as tag_rules
from ..records import ExportRecord
from . import quarantine

logger = logging.getLogger(__name__)

NO_IDENTITY = stored_messages.message("no_identity")


def create_record(page, submission, answers, raw_contact_id, cookie_id, *, account, notes=(),
                  spam="", attribution=None):
    """The export record of one submission, with its payload built from the answers.

    ``account``: the page's site's account (``None``: no site). ``notes``: what the request
    itself showed, for staff (a link's contact ID the form's template dropped, say). ``spam``:
    why the form page calls the answer spam, if it does (it is then quarantined).
    ``attribution``: where the visitor came from (``payload.attribution``), sent where the
    site sends it. An answer the form's export rules stop is skipped (with its contact and event
    planned, for staff to send anyway).
    """
    record = build_record(page, submission, answers, raw_contact_id, cookie_id, account=account,
                          spam=spam, attribution=attribution)
    for note in notes:
        add_note(record, note)
    record.save()
    return record


def build_record(page, submission, answers, raw_contact_id, cookie_id, *, account,
                 questions=None, event=True, spam="", attribution=None):
    """``create_record``'s record, not saved yet (``history`` stores many at once).

    ``account``: the page's site's account (``None``: no site). ``questions``: the page's, if the
    caller has read them. ``event``: whether the form's event is planned (not for past answers,
    see ``history``). An answer with a contact to send is quarantined (``quarantine``) if its
    e-mail is at one of the site's ignored domains or ``spam`` says why it is spam.
    """
    site = account.site if account else None
    questions = page.get_salesmanago_questions() if questions is None else questions
    plan = mapping.plan_export(
        questions,
        answers,
        raw_contact_id,
        page.salesmanago_tag,
        account.detail_prefix if account else mapping.DEFAULT_DETAIL_PREFIX,
        lead_options=lead_options(page, submission),
        cookie_id=cookie_id,
        use_cookie=account.identify_by_cookie if account else True,
        trust_email=account.trust_typed_email if account else False,
    )
    record = ExportRecord(
        page=page,
        next_attempt_at=timezone.now(),
        submission_type=ContentType.objects.get_for_model(submission),
        submission_id=str(submission.pk),
        mode=plan.mode,
        email=plan.email,
        contact_id=plan.contact_id,
    )
    decision = rules.decide(rules.from_snapshot(page.salesmanago_rules_snapshot),
                            page.salesmanago_rules_mode, questions, answers)
    plan.tags = tag_rules.unique(plan.tags + decision.tags)
    for note in plan.notes + decision.notes:
        add_note(record, note)
    if attribution and account and account.send_attribution:
        for key, value in campaign.properties(attribution, account.attribution_prefix).items():
            plan.properties.setdefault(key, value)  # a question of the same name keeps its answer
    else:
        attribution = {}
    record.payload = request_body(
        record, form_owner(page) or (account.owner_email if account else ""), plan.properties,
        plan.tags, plan.contact, plan.lead_fields,
    )
    if not plan.mode:
        record.status = ExportRecord.Status.SKIPPED
        stored_messages.put(record, "last_error", NO_IDENTITY)
        return record
    # Quarantine first: staff who would send a kept-back answer anyway must see it is spam.
    if kept := quarantine.reason(record.email, account.ignored_domains if account else "", spam):
        record.status, record.next_attempt_at = ExportRecord.Status.QUARANTINED, None
        stored_messages.put(record, "last_error", kept)
        if not decision.send:
            add_note(record, decision.reason)
    elif not decision.send:  # kept back by the form's rules: staff may send it anyway
        record.status, record.next_attempt_at = ExportRecord.Status.SKIPPED, None
        stored_messages.put(record, "last_error", decision.reason)
    if event:
        plan_event(record, page, submission, site, attribution)
    return record


def plan_event(record, page, submission, site, attribution):
    """The form's event, if it has one, waiting for the contact (see events.py for the fields)."""
    event_type = page.salesmanago_event_type
    if not event_type:
        return
    if event_type not in events.EVENT_TYPES:
        add_note(record, stored_messages.message("no_event", event_type=repr(event_type[:64])))
        return
    submitted = submitted_at(submission)
    record.event_status = ExportRecord.EventStatus.PENDING
    record.event_payload = {
        "contactEvent": events.contact_event(
            event_type,
            date_ms=submitted.timestamp() * 1000,
            title=page.title,
            url=page.full_url,
            submission_id=submission.pk,
            hostname=site.hostname if site else "",
            details=campaign.event_details(attribution),
        )
    }


def submitted_at(submission):
    """When the answer was given (now, for a submission not stored with its time)."""
    return submission.submit_time or timezone.now()


def lead_options(page, submission):
    """The form's lead settings and the consent's proof (submission time, visitor IP)."""
    submitted = submitted_at(submission)
    return {
        "remove_tags": tag_rules.normalise_tags(page.salesmanago_remove_tags),
        "opt_in": contact_fields.OptIn(
            double_opt_in=page.salesmanago_double_opt_in,
            email_id=page.salesmanago_double_opt_in_email_id,
            language=page.salesmanago_double_opt_in_language,
        ),
        "agreed_at_ms": int(submitted.timestamp() * 1000),
        "ip": getattr(page, "_salesmanago_client_ip", ""),
    }


def form_owner(page):
    """The form's own owner (its ``salesmanago_owner``), or "" for the site's (also when the page
    is no longer a SALESmanago form: its answers may still wait to be sent)."""
    return str(getattr(page.specific, "salesmanago_owner", "") or "").strip()


def request_body(record, owner, properties, tags, contact=None, lead_fields=None):
    """The body for the record's mode, without the authentication fields."""
    lead = {"contact": contact, "lead_fields": lead_fields}
    if record.mode == ExportRecord.Mode.UPDATE:
        return mapping.update_body(
            owner=owner, contact_id=record.contact_id, properties=properties, tags=tags, **lead
        )
    if record.mode == ExportRecord.Mode.UPSERT:
        return mapping.upsert_body(
            owner=owner, email=record.email, properties=properties, tags=tags, **lead
        )
    body = {"properties": properties, "tags": tags}
    if contact:
        body["contact"] = contact
    return {**body, **(lead_fields or {})}


#: Noted for people on a record whose double opt-in request SALESmanago accepted; what stops
#: later sends from asking again is ``ExportRecord.double_opt_in_requested_at``.
DOUBLE_OPT_IN_REQUESTED = stored_messages.message("double_opt_in_requested")


def deliver(client, record, owner):
    """Call SALESmanago for the record, as the form's owner if it has one, else ``owner``.

    The attempt as a whole ends within one deadline. (A refusal is explained by
    ``holds.explain``: a form's owner that SALESmanago refuses fails only this record.)
    """
    return send(client.with_deadline(), record, form_owner(record.page) or owner)


def stored_parts(record):
    """What the record's body is rebuilt from: its stored details, tags, contact and lead fields
    (without a double opt-in request SALESmanago already accepted, and without the e-mail
    opt-in and consents of a contact who unsubscribed since the answer)."""
    contact, lead_fields = contact_fields.lead_of(record.payload)
    if record.double_opt_in_requested_at is not None:
        lead_fields = contact_fields.without_double_opt_in(lead_fields)
    if record.opt_in_state == ExportRecord.OptInState.OPTED_OUT:
        lead_fields = contact_fields.without_email_opt_in(lead_fields)
    return record.payload["properties"], record.payload["tags"], contact, lead_fields


def send(client, record, owner):
    """Send the body rebuilt from the stored one; an unknown contact ID falls back to upsert."""
    body = partial(request_body, record, owner, *stored_parts(record))
    if record.mode == ExportRecord.Mode.UPDATE:
        record.payload = body()
        try:
            return accepted(record, client.update(record.payload))
        except UnknownContactError as err:
            if not record.email:
                raise
            add_note(record, stored_messages.message(
                "contact_unknown_upserted", contact_id=record.contact_id,
                api_message=str(err.api_message)))
            record.mode = ExportRecord.Mode.UPSERT
    record.payload = body()
    return accepted(record, client.upsert(record.payload))


def accepted(record, response):
    """Note a double opt-in request SALESmanago accepted, so that it is never made again.

    Only an accepted call counts: after a timeout or a 5xx SALESmanago may or may not have
    sent the e-mail, and the retry asks again, since a lead who never gets the confirmation
    e-mail can never be mailed, while a second e-mail is only a nuisance.
    """
    if contact_fields.asks_double_opt_in(record.payload):
        add_note(record, DOUBLE_OPT_IN_REQUESTED)
    return response


def deliver_event(client, record, owner):
    """Add the record's event to its contact's timeline: by the contact ID SALESmanago answered,
    else as the contact was sent (its ID for an update, its e-mail for an upsert)."""
    contact_id = record.salesmanago_contact_id or (
        record.contact_id if record.mode == ExportRecord.Mode.UPDATE else ""
    )
    record.event_payload = events.event_body(
        owner=owner, contact_id=contact_id, email=record.email,
        contact_event=record.event_payload["contactEvent"],
    )
    return client.with_deadline().add_event(record.event_payload)


def answered_event_id(record, response):
    """The event ID SALESmanago answered, if it is one (a UUID); anything else is noted."""
    return answered_uuid(record, response, "eventId", "event_id_not_uuid") or ""


def answered_contact_id(record, response):
    """The contact ID SALESmanago answered, if it is one (a UUID); anything else is noted. None
    answered: the one an update was sent to (an upsert's, even one after an unknown contact ID,
    is not known)."""
    found = answered_uuid(record, response, "contactId", "contact_id_not_uuid")
    if found is None and record.mode == ExportRecord.Mode.UPDATE:
        return record.contact_id
    return found or ""


def answered_uuid(record, response, key, note):
    """``response[key]`` as a UUID; ``None`` if SALESmanago answered none, ``""`` (and the
    ``note`` on the record) if what it answered is not one."""
    answered = response.get(key)  # the client returns SALESmanago's answer only as a dict
    if answered in (None, ""):
        return None
    found = mapping.parse_contact_id(answered)
    if found is None:
        add_note(record, stored_messages.message(note, value=repr(str(answered)[:64])))
    return found or ""


def add_note(record, note):
    """Add a note (a ``stored_messages.Message``) to the record's notes."""
    stored_messages.add_line(record, "notes", note)
