"""Export records: built from each submission, and what each one sends to SALESmanago.

Nothing here ever raises into the visitor's request. Logs name records, pages and
outcomes, never answers or the API secret. Sending, retries and claims live in ``outbox``.
"""

import logging

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from . import events, mapping
from .account import account_for_site
from .exceptions import UnknownContactError
from .models import ExportRecord

logger = logging.getLogger(__name__)

NO_IDENTITY = (
    "No contact identity: the form has no answered e-mail question, and the visitor "
    "neither arrived with a valid smclientid nor carried a usable smclient cookie."
)
NOT_RECORDED = (
    "This export could not be stored ({error}), so nothing was sent. The submission itself is "
    "stored; the server log has the details."
)


def export_submission(page, submission, answers, raw_contact_id, cookie_id=""):
    """Record the export of ``submission`` and send it after commit. Never raises."""
    try:
        with transaction.atomic():
            record = create_record(page, submission, answers, raw_contact_id, cookie_id)
    except Exception as err:
        logger.exception(
            "Could not record the SALESmanago export of submission %s (page %s).",
            submission.pk,
            page.pk,
        )
        return record_the_failure(page, submission, err)
    if record.status == ExportRecord.Status.PENDING:
        from .outbox import enqueue

        transaction.on_commit(lambda: enqueue(record.pk))
    return record


def create_record(page, submission, answers, raw_contact_id, cookie_id=""):
    """The export record of one submission, with its payload built from the answers."""
    site = page.get_site()
    account = account_for_site(site) if site else None
    plan = mapping.plan_export(
        page.get_salesmanago_questions(),
        answers,
        raw_contact_id,
        page.salesmanago_tag,
        account.detail_prefix if account else mapping.DEFAULT_DETAIL_PREFIX,
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
        notes="\n".join(plan.notes),
    )
    record.payload = request_body(
        record, account.owner_email if account else "", plan.properties, plan.tags
    )
    if not plan.mode:
        record.status = ExportRecord.Status.SKIPPED
        record.last_error = NO_IDENTITY
    else:
        plan_event(record, page, submission, site)
    record.save()
    return record


def plan_event(record, page, submission, site):
    """The form's event, if it has one, waiting for the contact (see events.py for the fields)."""
    event_type = getattr(page, "salesmanago_event_type", "")
    if not event_type:
        return
    if event_type not in events.EVENT_TYPES:
        add_note(record, f"No event: {event_type[:64]!r} is not a SALESmanago event type.")
        return
    submitted = getattr(submission, "submit_time", None) or timezone.now()
    record.event_status = ExportRecord.EventStatus.PENDING
    record.event_payload = {
        "contactEvent": events.contact_event(
            event_type,
            date_ms=submitted.timestamp() * 1000,
            title=page.title,
            url=page.full_url,
            submission_id=submission.pk,
            hostname=site.hostname if site else "",
        )
    }


def record_the_failure(page, submission, error):
    """A bare ``skipped`` record in place of one that could not be stored, so staff see it."""
    try:
        with transaction.atomic():
            return ExportRecord.objects.create(
                page=page,
                submission_type=ContentType.objects.get_for_model(submission),
                submission_id=str(submission.pk),
                status=ExportRecord.Status.SKIPPED,
                last_error=NOT_RECORDED.format(error=type(error).__name__),
            )
    except Exception:
        logger.exception("Could not record the failed SALESmanago export of submission %s.",
                         submission.pk)
        return None


def request_body(record, owner, properties, tags):
    """The body for the record's mode, without the authentication fields."""
    if record.mode == ExportRecord.Mode.UPDATE:
        return mapping.update_body(
            owner=owner, contact_id=record.contact_id, properties=properties, tags=tags
        )
    if record.mode == ExportRecord.Mode.UPSERT:
        return mapping.upsert_body(
            owner=owner, email=record.email, properties=properties, tags=tags
        )
    return {"properties": properties, "tags": tags}


def deliver(client, record, owner):
    """Call SALESmanago for the record; an unknown contact ID falls back to upsert by e-mail.

    Both calls share one deadline: the attempt as a whole ends within it.
    """
    client = client.with_deadline()
    properties = record.payload.get("properties", {})
    tags = record.payload.get("tags", [])
    if record.mode == ExportRecord.Mode.UPDATE:
        record.payload = request_body(record, owner, properties, tags)
        try:
            return client.update(record.payload)
        except UnknownContactError as err:
            if not record.email:
                raise
            add_note(
                record,
                f"Contact {record.contact_id} is unknown to SALESmanago ({err.api_message}); "
                "sent as an upsert by e-mail instead.",
            )
            record.mode = ExportRecord.Mode.UPSERT
    record.payload = request_body(record, owner, properties, tags)
    return client.upsert(record.payload)


def deliver_event(client, record, owner):
    """Add the record's event to its contact's timeline: by the contact ID SALESmanago answered,
    else as the contact was sent (its ID for an update, its e-mail for an upsert)."""
    contact_id = record.salesmanago_contact_id or (
        record.contact_id if record.mode == ExportRecord.Mode.UPDATE else ""
    )
    record.event_payload = events.event_body(
        owner=owner, contact_id=contact_id, email=record.email,
        contact_event=record.event_payload.get("contactEvent", {}),
    )
    return client.with_deadline().add_event(record.event_payload)


def answered_event_id(record, response):
    """The event ID SALESmanago answered, if it is one (a UUID); anything else is noted."""
    answered = response.get("eventId") if isinstance(response, dict) else None
    if answered in (None, ""):
        return ""
    event_id = mapping.parse_contact_id(answered)
    if event_id is None:
        add_note(record, f"SALESmanago answered an event ID that is not a UUID, not kept: "
                         f"{str(answered)[:64]!r}.")
    return event_id or ""


def answered_contact_id(record, response):
    """The contact ID SALESmanago answered, if it is one (a UUID); anything else is noted."""
    answered = response.get("contactId") if isinstance(response, dict) else None
    if answered in (None, ""):
        return record.contact_id
    contact_id = mapping.parse_contact_id(answered)
    if contact_id is None:
        add_note(record, f"SALESmanago answered a contact ID that is not a UUID, not kept: "
                         f"{str(answered)[:64]!r}.")
        return ""
    return contact_id


def add_note(record, note):
    record.notes = "\n".join(filter(None, [record.notes, note]))
