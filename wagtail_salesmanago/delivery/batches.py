"""Draining a backlog of e-mail contacts in batches: one ``contact/batchupsert`` call for many.

One statement claims up to ``BATCH_SIZE`` due records (the same claim as ``outbox.claim``, for
many at once: a sender killed mid-batch leaves them to lapse); one call per site and owner sends
them; one transaction writes their outcomes and their attempts (one attempt per record, so each
keeps its own history). Per record: an e-mail that SALESmanago's ``contactIds`` leaves out was not
stored, so that record is retried on its own backoff and is sent alone from then on (the single
call says why it is refused). A transient failure of the whole call retries every record on its
own backoff; a rejection of the credentials holds the site, as ``outbox.send`` does.

Left to ``outbox.send``, one by one: contacts by ID (updates), events, double opt-in requests
(their acceptance is noted per record, and a batch answer cannot say whose was accepted), records
marked to go alone, and a batch that holds a single record (the same call, with a precise answer).
"""

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .. import stored_messages
from ..records import DeliveryAttempt, ExportRecord
from . import alerts, answers, holds, inserts, outbox, settle, steps
from .account import account_for_site, pause_calls

logger = logging.getLogger(__name__)
Status, Outcome = ExportRecord.Status, DeliveryAttempt.Outcome

#: A batch whose claim is older than this when its call starts renews it (see ``renewed``).
RENEW_AFTER_SECONDS = 1

# The state a batch's records share (but a retry's time); their contact IDs are their own.
SHARED_ATTNAMES = ["status", "sent_at", "next_attempt_at", "claimed_until", "hold_id", "updated_at",
                   "send_alone", "retry_window_from"]
DETAIL_FIELDS = ["payload", "notes", "last_error"]


def fitting(size):
    """``size``, or fewer where one statement takes fewer parameters than a batch's ids (999 on
    SQLite before 3.32, which Django supports)."""
    return max(1, min(size, inserts.max_params() - 99))


def claim(size, now, due_by=None, **among):
    """Claim up to ``size`` batchable records (of those matching ``among``, if given: a page's,
    say) in one UPDATE; their ids."""
    return ExportRecord.objects.claim_batch(size, now, outbox.claim_until(now), due_by, **among)


def send_records(records, started, meanwhile):
    """Send the claimed records, one call per site and owner; ``{record id: status}``.
    ``meanwhile``: work for the main thread while a call is in flight (see ``backlogs.send_batches``)."""
    outcomes = {}
    for parts, group in groups(records):
        if parts is None or len(group) == 1:
            for record in group:  # alone, or its site's account could not be read: as ever
                outcomes[record.pk] = send_alone(record, started)
            continue
        try:
            send_group(*parts, list(group), started, meanwhile)
        except Exception:
            logger.exception("A SALESmanago batch of %s records failed; their claims lapse.", len(group))
        outcomes.update((record.pk, record.status) for record in group)
    return outcomes


def send_alone(record, started):
    """One claimed record's outcome; whatever goes wrong with it, the others are still sent. If
    its claim lapsed while the calls before it took long, and another sender took it, that
    sender sends it (its status as read)."""
    try:
        if not renewed([record], timezone.now()):
            return record.status
        sent = outbox.send_claimed(record.pk, started)
    except Exception:
        logger.exception("SALESmanago export %s could not be sent.", record.pk)
        return "error"
    return sent.status if sent else "deleted meanwhile"


def groups(records):
    """``((site, account, owner, client), records)`` per site and owner; ``(None, records)`` for
    records whose account could not be read. A second answer of one e-mail waits for the next
    batch, so that answers reach SALESmanago in order and each is told apart in ``contactIds``."""
    pages, grouped, seen, later = {}, {}, set(), []
    for record in records:
        if record.page_id not in pages:
            pages[record.page_id] = account_parts(record.page)
        parts = pages[record.page_id]
        if parts is None:
            grouped[("alone", record.pk)] = (None, [record])
            continue
        key = (parts[0].pk, parts[2].strip().lower())
        if (key, record.email.strip().lower()) in seen:
            later.append(record)
            continue
        seen.add((key, record.email.strip().lower()))
        grouped.setdefault(key, (parts, []))[1].append(record)
    if later:
        give_back([record.pk for record in later], {record.claimed_until for record in later})
    return list(grouped.values())


def give_back(ids, claims=None):
    """Take back the claim on these records, attempt and all: they were not sent. ``claims``:
    the claims read with them, if the claim may have lapsed since (another sender's stays)."""
    ExportRecord.objects.filter(pk__in=ids).give_back(claims)


def account_parts(page):
    try:
        site = page.get_site()
        if site is None:
            return None
        account = account_for_site(site)
        owner = answers.form_owner(page) or account.owner_email
        return site, account, owner, account.get_client()
    except Exception:
        return None


def send_group(site, account, owner, client, records, started, meanwhile):
    client = client.with_deadline()  # from now: a batch read ahead waited for the one before
    now = timezone.now()
    # Claimed while the batch before it was throttled, say: then no call at all (only the
    # records whose claim is still ours wait).
    if outbox.waited_out(site, steps.CONTACT, lambda: renewed(records, now), now):
        return
    hold = outbox.active_hold(site, account, started, client)
    if hold is not None:
        records[:] = [r for r in records if not r.hold_in(hold, started, called=False)]
        if not records:
            return
    records[:] = renewed(records, timezone.now())
    if not records:
        return
    bodies = [body(record, owner) for record in records]
    stored = {record.pk: details(record) for record in records}
    try:
        answered, error = call(client, owner, [item(b) for b in bodies], meanwhile), None
    except Exception as err:
        answered, error = {}, holds.explain(err, client, account, owner)
    now = timezone.now()
    hold, new_hold = None, None
    if getattr(error, "holds_site", False):
        hold, created = holds.start(site, account, error, now)
        new_hold = hold if created else None
    logs = [outcome(record, payload, answered, error, len(records), started, now, hold)
            for record, payload in zip(records, bodies)]
    write(records, logs, stored)
    pause_calls(account, error, now)  # the outcomes are stored: now any pause it asked for
    failed, first_failed = [], {}
    for record in records:
        if record.status == Status.FAILED:
            failed.append(record.pk)
            first_failed.setdefault(record.page_id, record)
        else:
            outbox.follow_up(record)
    for record in first_failed.values():
        # One alert per form, if it was working before this batch (its other failures here
        # are not a sign that it was failing already).
        alerts.on_failure(record, along=failed)
    if new_hold is not None:
        logger.warning("SALESmanago deliveries of site %s are on hold: %s", site, error)
        outbox.announce(new_hold)


def renewed(records, now):
    """Those of the claimed ``records`` whose claim is still ours, renewed from ``now`` if it was
    taken over a second ago (a batch read ahead waited for the call before it): its call gets a
    whole claim, as one claimed just now. One that another sender claimed meanwhile (its claim
    had lapsed) is left out untouched; one whose claim lapsed but that nobody took is still
    ours: every claim is taken only where the one before it has lapsed, in the same statement.
    (A claim under a second old cannot have lapsed: no query.)"""
    ids, ours = [record.pk for record in records], {record.claimed_until for record in records}
    until = outbox.claim_until(now)
    if None not in ours and min(ours) >= until - timedelta(seconds=RENEW_AFTER_SECONDS):
        return records
    kept = ExportRecord.objects.filter(pk__in=ids).renew(ours, until)
    return [record for record in records if record.pk in kept]


def call(client, owner, items, meanwhile):
    """The batch call; ``meanwhile`` runs in this thread while it is in flight (a thread of its
    own waits for SALESmanago, and touches no database)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        answer = pool.submit(client.batch_upsert, owner, items)
        try:
            meanwhile()
        except Exception:
            logger.exception("Could not read the next SALESmanago batch ahead; it is read after.")
        return answer.result()


def body(record, owner):
    """The record's upsert body, rebuilt from the stored one as ``answers.send`` does."""
    return answers.request_body(record, owner, *answers.stored_parts(record))


def item(upsert_body):
    """One of ``upsertDetails``: an upsert body without its owner (the call has one)."""
    return {key: value for key, value in upsert_body.items() if key != "owner"}


def outcome(record, payload, answered, error, count, started, now, hold=None):
    """Set the record's new state from the call's outcome (``settle``, as for one sent alone);
    its attempt."""
    record.payload, record.updated_at = payload, now
    log = DeliveryAttempt(record=record, started_at=started, finished_at=now, mode=record.mode)
    contact_id = answered.get(payload["contact"]["email"].strip().lower())
    answer = None if contact_id is None else {"contactId": contact_id}
    settled = settle.settle(steps.CONTACT, record, now, answer=answer, error=error, hold=hold,
                            batch=True, save=False)
    log.outcome = settled.outcome
    message = settled.message
    if settled.outcome == Outcome.SENT:
        message = stored_messages.message("sent_in_batch", count=count)
    elif settled.alone:
        answers.add_note(record, settle.SEND_ALONE)
    stored_messages.put(log, "message", message)
    return log


def write(records, logs, stored):
    """The outcomes and attempts in one transaction; if that fails, the outcomes alone, so that
    no successful call is repeated because its history could not be stored. ``stored``: each
    record's details as they were, so that only changed ones are written."""
    try:
        with transaction.atomic():
            write_state(records)
            changed = [r for r in records if details(r) != stored[r.pk]]
            if changed:
                ExportRecord.objects.bulk_update(changed, DETAIL_FIELDS)
            inserts.insert(logs)
        return
    except Exception:
        logger.exception("Could not store the details of a SALESmanago batch of %s records (their "
                         "status is stored).", len(records))
    try:
        write_state(records)
    except Exception:
        logger.exception("Could not record the outcome of a SALESmanago batch of %s records; "
                         "their claims lapse.", len(records))
        raise


def write_state(records):
    """The batch's outcomes: their shared state together, their contact IDs each."""
    ExportRecord.objects.write_states(records, SHARED_ATTNAMES)


def details(record):
    return tuple(getattr(record, name) for name in DETAIL_FIELDS)
