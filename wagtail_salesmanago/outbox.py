"""The queue of export records: claiming, sending, retrying and resending.

A record is sent only by whoever claims it: a conditional UPDATE that one sender wins.
A claim lapses after ``CLAIM_SECONDS``, so a sender killed mid-send does not block the record.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import alerts, conf, delivery, retry
from .exceptions import NotConfigured, SalesmanagoError, TransientError
from .account import account_for_site
from .models import DeliveryAttempt, ExportRecord

logger = logging.getLogger(__name__)
Status = ExportRecord.Status
Outcome = DeliveryAttempt.Outcome


def unclaimed(now):
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def due(now=None):
    """Open records whose next attempt is due and that nobody is sending."""
    now = now or timezone.now()
    return ExportRecord.objects.filter(
        unclaimed(now), status__in=ExportRecord.OPEN_STATUSES, next_attempt_at__lte=now
    ).order_by("next_attempt_at", "pk")


def claim(record_id, now):
    """Take the record for sending; ``False`` if it is not due or another sender has it."""
    return (
        due(now)
        .filter(pk=record_id)
        .update(
            claimed_until=now + timedelta(seconds=conf.get("CLAIM_SECONDS")),
            attempts=F("attempts") + 1,
            updated_at=now,
        )
        == 1
    )


def enqueue(record_id, *, run_after=None, resend=False):
    """Hand the record to the task backend; if that fails it stays due for ``salesmanago_retry``."""
    from .tasks import deliver_export

    task = deliver_export
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # the immediate backend cannot wait: salesmanago_retry sends it when due
        task = task.using(run_after=run_after)
    try:
        task.enqueue(record_id, resend=resend)
    except Exception:
        logger.exception("Could not enqueue SALESmanago export %s; it stays due.", record_id)


def send(record_id, *, resend=False):
    """Send one due record if this process can claim it, and record the attempt."""
    started = timezone.now()
    if not claim(record_id, started):
        return None
    record = ExportRecord.objects.select_related("page").get(pk=record_id)
    attempt = DeliveryAttempt(record=record, started_at=started, resend=resend)
    try:
        account = account_for_site(record.page.get_site())
        response = delivery.deliver(account.get_client(), record, account.owner_email)
    except TransientError as err:
        attempt.outcome, attempt.message = Outcome.TRANSIENT, str(err)
        schedule_retry(record, str(err))
    except (SalesmanagoError, NotConfigured) as err:
        attempt.outcome, attempt.message = Outcome.PERMANENT, str(err)
        give_up(record, str(err))
    except Exception as err:
        attempt.outcome = Outcome.PERMANENT
        attempt.message = f"Unexpected error: {type(err).__name__}."
        give_up(record, attempt.message)
        logger.exception("SALESmanago export %s failed unexpectedly.", record.pk)
    else:
        attempt.outcome = Outcome.SENT
        record.status, record.sent_at, record.last_error = Status.SENT, timezone.now(), ""
        record.next_attempt_at = None
        record.salesmanago_contact_id = str(response.get("contactId") or record.contact_id)
        logger.info("SALESmanago export %s sent (%s).", record.pk, record.mode)
    attempt.mode, attempt.finished_at = record.mode, timezone.now()
    record.claimed_until = None
    with transaction.atomic():
        record.save()
        attempt.save()
    if record.status == Status.RETRYING:
        enqueue(record.pk, run_after=record.next_attempt_at)
    elif record.status == Status.FAILED:
        alerts.on_failure(record)
    return record


def schedule_retry(record, message):
    record.next_attempt_at = retry.next_attempt_at(record.created_at, record.attempts, timezone.now())
    if record.next_attempt_at is None:
        give_up(record, f"Gave up after {record.attempts} attempts: {message}")
        return
    record.status, record.last_error = Status.RETRYING, message
    logger.warning(
        "SALESmanago export %s failed (attempt %s), retrying at %s: %s",
        record.pk, record.attempts, record.next_attempt_at.isoformat(), message,
    )


def give_up(record, message):
    record.status, record.last_error, record.next_attempt_at = Status.FAILED, message, None
    logger.warning("SALESmanago export %s failed: %s", record.pk, message)


def resend(records):
    """Send these records again now (staff asked): sent and failed ones too. Returns the count."""
    now = timezone.now()
    ids = list(
        records.filter(unclaimed(now)).exclude(status=Status.SKIPPED).values_list("pk", flat=True)
    )
    ExportRecord.objects.filter(pk__in=ids).update(
        status=Status.PENDING, next_attempt_at=now, updated_at=now
    )
    for record_id in ids:
        transaction.on_commit(lambda record_id=record_id: enqueue(record_id, resend=True))
    return len(ids)
