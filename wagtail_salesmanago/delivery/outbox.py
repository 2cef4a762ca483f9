"""The queue of export records: claiming, sending, retrying, holding and resending.

A record is sent only by whoever claims it: a conditional UPDATE that one sender wins.
A claim lapses after ``CLAIM_SECONDS``, so a sender killed mid-send does not block the record.
After a call, the record's new state is written first, in one small UPDATE of fixed-size values,
so a successful call is never repeated because the rest of the bookkeeping failed.
"""

import logging
from contextvars import ContextVar
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.db.models import Exists
from django.utils import timezone

from .. import conf, stored_messages
from ..records import DeliveryAttempt, DeliveryHold, DeliveryPause, ExportRecord
from ..records.querysets import unclaimed
from . import alerts, holds, queue, retry, settle, steps
from .account import account_for_site, pause_calls

logger = logging.getLogger(__name__)
Status, EventStatus = ExportRecord.Status, ExportRecord.EventStatus
Outcome = DeliveryAttempt.Outcome


def due(now=None):
    """Records whose next attempt is due and that nobody is sending (see the queryset)."""
    return ExportRecord.objects.due(now)


def claim(record_id, now, *conditions, **unchanged):
    """Take the record for sending; ``False`` if it is not due or another sender has it (or the
    extra ``conditions`` and ``unchanged`` values do not hold)."""
    return ExportRecord.objects.claim(record_id, now, claim_until(now), *conditions, **unchanged)


def claim_until(now):
    return now + timedelta(seconds=conf.get("CLAIM_SECONDS"))


#: The record this request just stored and is handing to the task backend, with its account.
_just_stored = ContextVar("wagtail_salesmanago_just_stored", default=None)


def enqueue_stored(record, account):
    """Enqueue a record just stored. A backend that runs the task here and now (the immediate one)
    gets it as stored, with its account, instead of reading both again (see ``just_stored``)."""
    token = _just_stored.set((record, account))
    try:
        enqueue(record.pk)
    finally:
        _just_stored.reset(token)


def just_stored(record_id):
    """``(record, account)`` if this request stored record ``record_id`` and is enqueueing it now,
    else ``(None, None)``. Given once: the record may be changed by its sending."""
    stored = _just_stored.get()
    if stored is None or stored[0].pk != record_id:
        return None, None
    _just_stored.set(None)
    return stored


def claimed(record_id, now):
    """``(record, account)``: the record claimed, with its account if this request just stored it
    (``just_stored``) and its site has neither a hold nor a pause; ``(None, None)`` if it is not
    due or another sender has it."""
    record, account = just_stored(record_id)
    # As stored, if nobody wrote it since (every write moves ``updated_at``): no need to read it,
    # nor its site's hold and pause, which the claim looks for.
    free = None
    if account:
        free = ~Exists(DeliveryHold.objects.filter(site=account.site)) & ~Exists(
            DeliveryPause.objects.filter(site=account.site, until__gt=now))
    if free is not None and claim(record_id, now, free, updated_at=record.updated_at):
        record.claimed_until, record.attempts, record.updated_at = (
            claim_until(now), record.attempts + 1, now)
        return record, account
    if not claim(record_id, now):
        defer_if_early(record_id, now)
        return None, None
    return ExportRecord.objects.select_related("page").filter(pk=record_id).first(), None


#: A deferred task may start this much before its record is due: RQ keeps ``run_after`` in whole
#: seconds, and hosts' clocks differ a little. A task much earlier than that is a duplicate.
EARLY_SECONDS = 5


def defer_if_early(record_id, now):
    """A task that came just before its record's retry is due waits for it, instead of being lost."""
    due_at = ExportRecord.objects.open_step().filter(
        unclaimed(now), pk=record_id, next_attempt_at__gt=now,
        next_attempt_at__lte=now + timedelta(seconds=EARLY_SECONDS),
    ).values_list("next_attempt_at", flat=True).first()
    if due_at is not None:
        enqueue(record_id, run_after=due_at)


def enqueue(record_id, *, run_after=None, resend=False):
    """Hand the record to the task backend; if that fails it stays due for ``salesmanago_retry``."""
    queue.enqueue("deliver_export", record_id, run_after=run_after, resend=resend,
                  failed=f"Could not enqueue SALESmanago export {record_id}; it stays due.")


def send(record_id, *, resend=False):
    """Send one due record if this process can claim it (its contact, then its event), and record
    each step's attempt."""
    started = timezone.now()
    record, account = claimed(record_id, started)
    if record is None:
        return None  # not due, another sender's, or deleted with its submission meanwhile
    return send_claimed(record_id, started, resend=resend, record=record, account=account)


def send_claimed(record_id, started, *, resend=False, record=None, account=None):
    """``send`` for a record this process has claimed (alone, or in a batch: ``batches``)."""
    if record is None:
        record = ExportRecord.objects.select_related("page").filter(pk=record_id).first()
    if record is None:
        return None  # deleted with its submission meanwhile
    step, site, client, error = steps.first_due(record), None, None, None
    reused = account is not None  # claimed in the visitor's request: no hold, no pause
    try:
        if not reused:
            site = record.page.get_site()
            account = account_for_site(site)
        site = account.site
        # One deadline for the attempt: a due hold check, both steps, a check after a refusal.
        client = account.get_client().with_deadline()
    except Exception as err:  # no settings, say: the step fails with it below
        error = err
    if error is None and not reused:
        # First the pause (no call at all while it lasts, not even a hold's check). A database
        # error here is raised: the claim lapses and the record is tried again, never failed.
        if waited_out(site, step, lambda: [record], started):
            return record
        try:
            hold = active_hold(site, account, started, client)
            if hold is not None and step.hold(record, hold, started, called=False):
                logger.info("SALESmanago export %s held: the site's credentials were rejected.",
                            record.pk)
                return record
        except Exception as err:
            error = err
    new_holds = []
    while step is not None:
        done, new_hold = attempt(step, record, started, resend, (site, account, client), error)
        if not done:
            return record
        new_holds.append(new_hold)
        step, started, error = steps.next_due(step, record), timezone.now(), None
    follow_up(record, *new_holds)
    return record


def attempt(step, record, started, resend, account_parts, error=None):
    """One step's call and its bookkeeping: ``(state written, the hold it started)``."""
    site, account, client = account_parts
    log = DeliveryAttempt(record=record, started_at=started, resend=resend)
    response = None
    if error is None:
        try:
            response = step.call(client, record, account.owner_email)
        except Exception as err:
            error = holds.explain(err, client, account, step.owner(record))
    hold, new_hold = None, None
    try:
        if settle.holds_site(error):
            hold, created = holds.start(site, account, error, timezone.now())
            new_hold = hold if created else None
            if created:
                logger.warning("SALESmanago deliveries of site %s are on hold: %s", site, error)
        claimed_until, answered_at = record.claimed_until, timezone.now()
        settled = settle.persist(
            lambda: settle.settle(step, record, answered_at, answer=response, error=error,
                                  hold=hold), claimed_until)
        pause_calls(account, error, answered_at)  # the outcome is stored: now any pause
        if settled.outcome == Outcome.SENT:
            logger.info("SALESmanago export %s sent (%s).", record.pk, step.mode(record))
    except Exception:
        # Not even the small state write went through before the claim would lapse (the
        # database is gone, say): the claim lapses and the step is tried again. Nothing better
        # is possible without a database.
        logger.exception("Could not record the outcome of SALESmanago export %s.", record.pk)
        return False, None
    log.outcome = settled.outcome
    stored_messages.put(log, "message", settled.message)
    log.mode, log.finished_at = step.mode(record), timezone.now()
    save_details(step, record, log)
    return True, new_hold


def waited_out(site, step, claimed, now):
    """Whether ``site``'s calls are paused at ``now``; if so, the records ``claimed()`` gives
    (asked only then) wait it out (``wait_out_pause``), all until one moment after it
    (``retry.spread``: what one claim took goes in one batch again), and go to the workers for
    then. One rule for a record sent alone and a batch's."""
    paused = DeliveryPause.objects.until(site, now)
    if paused is None:
        return False
    at = retry.spread(now, paused)
    for record in claimed():
        wait_out_pause(step, record, at)
        follow_up(record)
    return True


def wait_out_pause(step, record, at):
    """A claimed record of a site whose calls are paused: not sent, tried again at ``at``, after
    the pause; the claim's attempt is taken back."""
    step.throttled(record, at, called=False, save=True)
    stored_messages.put(record, step.error_field, stored_messages.message("paused"))
    try:
        record.save(update_fields=[step.error_field, "updated_at"])
    except Exception:
        logger.exception("Could not store why SALESmanago export %s waits (its status is "
                         "stored).", record.pk)


def wait_out_all(records, at, now, size):
    """Due ``records`` nobody holds, of a site whose calls are paused, wait until ``at``
    together, with no attempt counted; one task for every ``size`` of them (a worker's task
    drains a batch after its own record)."""
    ids = records.wait_for_pause(at, now, stored_messages.message("paused"))
    for record_id in ids[::size]:
        enqueue(record_id, run_after=at)
    return ids


def save_details(step, record, log):
    """The payload, notes, error and attempt log: worth keeping, but the state is already safe."""
    try:
        with transaction.atomic():
            # Not over a redaction (retention) that came while it was being sent: the answers
            # are gone for good, and so is this attempt's record of them.
            details = {name: getattr(record, name) for name in step.detail_fields}
            details["updated_at"] = record.updated_at = timezone.now()
            if ExportRecord.objects.filter(pk=record.pk, redacted_at__isnull=True).update(
                    **details):
                log.save()
    except Exception:
        logger.exception("Could not store the details of SALESmanago export %s (its status is "
                         "stored).", record.pk)


def follow_up(record, *new_holds):
    if record.status in ExportRecord.OPEN_STATUSES or record.event_due:
        if record.next_attempt_at is not None:
            enqueue(record.pk, run_after=record.next_attempt_at)
    elif record.status == Status.FAILED:
        alerts.on_failure(record)
    for new_hold in filter(None, new_holds):
        announce(new_hold)


def resend(records):
    """Send these records again now (staff asked): sent and failed ones too. Returns the count.

    An event already sent is never sent again; a failed or held one is sent after the contact.

    Held ones bring their site's credentials check forward (one call), instead of each calling.
    """
    now = timezone.now()
    ids = list(
        records.filter(unclaimed(now)).with_a_contact_to_send().resendable()
        .values_list("pk", flat=True)
    )
    chosen = ExportRecord.objects.filter(pk__in=ids)
    DeliveryHold.objects.filter(pk__in=chosen.values("hold")).update(next_check_at=now)
    chosen.make_due_again(now)
    for record_id in ids:
        transaction.on_commit(lambda record_id=record_id: enqueue(record_id, resend=True))
    return len(ids)


# Holds ------------------------------------------------------------------------------


def active_hold(site, account, now, client=None):
    """The site's hold if its deliveries must still wait.

    Lifts it when the credentials changed since the rejection, or when its check is due and
    passes (one ``user/listByClient`` call per interval, by ``client`` of the sender that wins it).
    """
    hold = DeliveryHold.objects.filter(site=site).first()
    if hold is None:
        return None
    if not holds.is_for(hold, account):
        resume(holds.release(hold, now, "the credentials changed"), now)
        return None
    if DeliveryPause.objects.until(site, now) is None and holds.claim_check(hold, now):
        # (During a pause the check waits too: it is a call like any other.)
        if holds.credentials_work(hold, account, client):
            resume(holds.release(hold, now, "the credentials work again"), now)
            return None
        schedule_check(hold)
    return DeliveryHold.objects.filter(pk=hold.pk).first()


def resume(record_ids, now):
    """Released records go to the workers; with the immediate backend, to ``salesmanago_retry``
    (sending a whole backlog inside one admin or visitor request would keep it waiting)."""
    for record_id in record_ids:
        transaction.on_commit(partial(enqueue, record_id, run_after=now))


def announce(hold):
    """Mail the admins about a hold this sender started and schedule its check; neither if it
    was lifted already (new credentials saved the moment it started)."""
    if schedule_check(hold):
        alerts.on_hold(hold)


def schedule_check(hold):
    """Enqueue the hold's next credentials check; ``False`` if the hold was lifted meanwhile."""
    check_at = (
        DeliveryHold.objects.filter(pk=hold.pk).values_list("next_check_at", flat=True).first()
    )
    if check_at is None:  # the column is required: no row
        return False
    queue.enqueue("check_hold", hold.site_id, run_after=check_at,
                  failed=f"Could not enqueue the SALESmanago hold check of site {hold.site_id}.")
    return True


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


def connection_confirmed(site, account):
    """A connection test that passed with ``account``, the site's credentials in effect, lifts
    the site's hold at once (SALESmanago has just accepted what the hold's check would ask).
    The ids of the records it released; ``None`` if there was no such hold (none, or one for
    other credentials)."""
    hold = DeliveryHold.objects.filter(site=site).first()
    if hold is None or not holds.is_for(hold, account):
        return None
    now = timezone.now()
    ids = holds.release(hold, now, "a connection test passed")
    resume(ids, now)
    return ids


def check_now(site):
    """Staff asked: the held site's credentials check, at once (one call), as if it were due.
    The hold if it stays, else ``None``."""
    DeliveryHold.objects.filter(site=site).update(next_check_at=timezone.now())
    return active_hold(site, account_for_site(site), timezone.now())


def credentials_saved(site, stored):
    """New credentials in the admin lift the site's hold at once."""
    hold = DeliveryHold.objects.filter(site=site).first()
    if hold is not None and not holds.is_for(hold, account_for_site(site, stored)):
        now = timezone.now()
        resume(holds.release(hold, now, "new credentials were saved"), now)
