"""The queue of export records: claiming, sending, retrying, holding and resending.

A record is sent only by whoever claims it: a conditional UPDATE that one sender wins.
A claim lapses after ``CLAIM_SECONDS``, so a sender killed mid-send does not block the record.
After a call, the record's new state is written first, in one small UPDATE of fixed-size values,
so a successful call is never repeated because the rest of the bookkeeping failed.
"""

import logging
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import alerts, conf, delivery, holds, retry
from .account import account_for_site
from .exceptions import NotConfigured, PermanentError, SalesmanagoError, TransientError
from .models import DeliveryAttempt, DeliveryHold, ExportRecord

logger = logging.getLogger(__name__)
Status = ExportRecord.Status
Outcome = DeliveryAttempt.Outcome
DETAIL_FIELDS = ["mode", "payload", "notes", "last_error", "salesmanago_contact_id", "updated_at"]


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

    run(deliver_export, record_id, run_after=run_after, resend=resend,
        failed=f"Could not enqueue SALESmanago export {record_id}; it stays due.")


def run(task, *args, run_after=None, failed, **kwargs):
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # the immediate backend cannot wait: salesmanago_retry does it when due
        task = task.using(run_after=run_after)
    try:
        task.enqueue(*args, **kwargs)
    except Exception:
        logger.exception(failed)


def send(record_id, *, resend=False):
    """Send one due record if this process can claim it, and record the attempt."""
    started = timezone.now()
    if not claim(record_id, started):
        return None
    record = ExportRecord.objects.select_related("page").filter(pk=record_id).first()
    if record is None:
        return None  # deleted with its submission meanwhile
    attempt = DeliveryAttempt(record=record, started_at=started, resend=resend)
    site = account = client = response = error = None
    try:
        site = record.page.get_site()
        account = account_for_site(site)
        hold = active_hold(site, account, started)
        if hold is not None and holds.hold_record(record, hold, started, called=False):
            logger.info("SALESmanago export %s held: the site's credentials were rejected.", record.pk)
            return record
        # One deadline for the attempt, the credentials check after a refusal included.
        client = account.get_client().with_deadline()
        response = delivery.deliver(client, record, account.owner_email)
    except Exception as err:
        error = explain(err, client, account)
    new_hold = None
    try:
        if error is None:
            mark_sent(record, attempt, response)
        else:
            new_hold = settle(record, attempt, error, site, account)
    except Exception:
        # Not even the small state write went through (the database is gone, say): the claim
        # lapses and the record is tried again. Nothing better is possible without a database.
        logger.exception("Could not record the outcome of SALESmanago export %s.", record.pk)
        return record
    attempt.mode, attempt.finished_at = record.mode, timezone.now()
    save_details(record, attempt)
    follow_up(record, new_hold)
    return record


def explain(error, client, account):
    """A refusal that does not name the credentials, checked against them (see holds)."""
    if not isinstance(error, PermanentError) or error.holds_site:
        return error
    try:
        return holds.explain_refusal(client, account.owner_email, error)
    except Exception:
        logger.exception("Could not check the credentials after a SALESmanago refusal.")
        return error


def set_state(record, **state):
    """Write the record's place in the queue: one UPDATE of values that always fit."""
    state = {"claimed_until": None, "updated_at": timezone.now(), **state}
    ExportRecord.objects.filter(pk=record.pk).update(**state)
    for name, value in state.items():
        setattr(record, name, value)


def mark_sent(record, attempt, response):
    attempt.outcome = Outcome.SENT
    set_state(record, status=Status.SENT, sent_at=timezone.now(), next_attempt_at=None,
              hold=None, last_error="")
    record.salesmanago_contact_id = delivery.answered_contact_id(record, response)
    logger.info("SALESmanago export %s sent (%s).", record.pk, record.mode)


def settle(record, attempt, error, site, account):
    """Record a failed attempt; the site's hold if this error started one."""
    attempt.message = str(error)
    if getattr(error, "holds_site", False):
        attempt.outcome = Outcome.HELD
        return hold_after_rejection(record, error, site, account)
    if isinstance(error, TransientError):
        attempt.outcome = Outcome.TRANSIENT
        schedule_retry(record, str(error))
    elif isinstance(error, (SalesmanagoError, NotConfigured)):
        attempt.outcome = Outcome.PERMANENT
        give_up(record, str(error))
    else:
        attempt.outcome = Outcome.PERMANENT
        attempt.message = f"Unexpected error: {type(error).__name__}."
        logger.error("SALESmanago export %s failed unexpectedly.", record.pk, exc_info=error)
        give_up(record, attempt.message)
    return None


def hold_after_rejection(record, error, site, account):
    now = timezone.now()
    hold, created = holds.start(site, account, error, now)
    if created:
        logger.warning("SALESmanago deliveries of site %s are on hold: %s", site, error)
    if not holds.hold_record(record, hold, now, called=True):
        # The hold was lifted at this very moment (new credentials): try with them soon.
        set_state(record, status=Status.PENDING, next_attempt_at=now, last_error=str(error))
        record.last_error = str(error)
    return hold if created else None


def schedule_retry(record, message):
    now = timezone.now()
    at = retry.next_attempt_at(record.retry_window_start, record.attempts, now)
    if at is None:
        give_up(record, f"Gave up after {record.attempts} attempts: {message}")
        return
    set_state(record, status=Status.RETRYING, next_attempt_at=at)
    record.last_error = message
    logger.warning(
        "SALESmanago export %s failed (attempt %s), retrying at %s: %s",
        record.pk, record.attempts, at.isoformat(), message,
    )


def give_up(record, message):
    set_state(record, status=Status.FAILED, next_attempt_at=None)
    record.last_error = message
    logger.warning("SALESmanago export %s failed: %s", record.pk, message)


def save_details(record, attempt):
    """The payload, notes, error and attempt log: worth keeping, but the state is already safe."""
    try:
        with transaction.atomic():
            record.save(update_fields=DETAIL_FIELDS)
            attempt.save()
    except Exception:
        logger.exception("Could not store the details of SALESmanago export %s (its status is "
                         "stored).", record.pk)


def follow_up(record, new_hold):
    if record.status == Status.RETRYING:
        enqueue(record.pk, run_after=record.next_attempt_at)
    elif record.status == Status.PENDING:
        enqueue(record.pk, run_after=record.next_attempt_at)
    elif record.status == Status.FAILED:
        alerts.on_failure(record)
    if new_hold is not None:
        alerts.on_hold(new_hold)
        schedule_check(new_hold)


def resend(records):
    """Send these records again now (staff asked): sent and failed ones too. Returns the count.

    Held ones bring their site's credentials check forward (one call), instead of each calling.
    """
    now = timezone.now()
    ids = list(
        records.filter(unclaimed(now)).exclude(status=Status.SKIPPED).values_list("pk", flat=True)
    )
    held = ExportRecord.objects.filter(pk__in=ids, status=Status.HELD).values("hold")
    DeliveryHold.objects.filter(pk__in=held).update(next_check_at=now)
    ExportRecord.objects.filter(pk__in=ids).update(
        status=Status.PENDING, next_attempt_at=now, hold=None, updated_at=now
    )
    for record_id in ids:
        transaction.on_commit(lambda record_id=record_id: enqueue(record_id, resend=True))
    return len(ids)


# Holds ------------------------------------------------------------------------------


def active_hold(site, account, now):
    """The site's hold if its deliveries must still wait.

    Lifts it when the credentials changed since the rejection, or when its check is due and
    passes (one ``user/listByClient`` call per interval, whichever sender wins it).
    """
    hold = DeliveryHold.objects.filter(site=site).first()
    if hold is None:
        return None
    if hold.fingerprint != holds.fingerprint(account):
        resume(holds.release(hold, now, "the credentials changed"), now)
        return None
    if holds.claim_check(hold, now):
        if holds.credentials_work(hold, account):
            resume(holds.release(hold, now, "the credentials work again"), now)
            return None
        schedule_check(hold)
    return DeliveryHold.objects.filter(pk=hold.pk).first()


def resume(record_ids, now):
    """Released records go to the workers; with the immediate backend, to ``salesmanago_retry``
    (sending a whole backlog inside one admin or visitor request would keep it waiting)."""
    for record_id in record_ids:
        transaction.on_commit(partial(enqueue, record_id, run_after=now))


def schedule_check(hold):
    from .tasks import check_hold

    hold.refresh_from_db(fields=["next_check_at"])
    run(check_hold, hold.site_id, run_after=hold.next_check_at,
        failed=f"Could not enqueue the SALESmanago hold check of site {hold.site_id}.")


def check_holds(now=None):
    """Check every held site (as ``send`` would), and release orphaned records."""
    now = now or timezone.now()
    resume(holds.release_orphans(now), now)
    for hold in DeliveryHold.objects.select_related("site"):
        try:
            active_hold(hold.site, account_for_site(hold.site), now)
        except Exception:
            logger.exception("Could not check the SALESmanago hold of site %s.", hold.site_id)


def check_site(site_id):
    """The deferred check of a held site (the ``check_hold`` task)."""
    hold = DeliveryHold.objects.select_related("site").filter(site_id=site_id).first()
    if hold is not None:
        active_hold(hold.site, account_for_site(hold.site), timezone.now())


def credentials_saved(site, stored):
    """New credentials in the admin lift the site's hold at once."""
    hold = DeliveryHold.objects.filter(site=site).first()
    if hold is not None and hold.fingerprint != holds.fingerprint(account_for_site(site, stored)):
        now = timezone.now()
        resume(holds.release(hold, now, "new credentials were saved"), now)
