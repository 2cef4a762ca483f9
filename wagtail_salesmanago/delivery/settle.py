"""Settling a call's outcome on a record: sent, tried again, given up, held, or throttled.

One rule for both ways of sending: a record sent alone (``outbox``) and each record of a batch
call (``batches``). The outcome is written by the step's transition (a model method of
``ExportRecord``); the message for people is set on the record in memory and stored with its
details afterwards, so that a failure to store it never repeats a successful call.
"""

import logging
import time
from dataclasses import dataclass

from django.db import OperationalError
from django.utils import timezone

from .. import stored_messages
from ..api.exceptions import NotConfigured, SalesmanagoError, ThrottledError, TransientError
from ..records import DeliveryAttempt
from . import retry

logger = logging.getLogger(__name__)
Outcome = DeliveryAttempt.Outcome

#: Noted on a record a batch did not store: from then on it is sent alone.
SEND_ALONE = stored_messages.message("send_alone")


@dataclass
class Settled:
    """What an attempt stores about its call: its outcome and message."""

    outcome: str
    message: object = ""
    #: A batch left this record out or was refused: it goes alone from now on.
    alone: bool = False


def holds_site(error):
    """Whether ``error`` says the site's credentials or owner were rejected (not the record)."""
    return getattr(error, "holds_site", False)


def throttles_site(error):
    """Whether ``error`` is SALESmanago asking for fewer calls: the account's calls pause."""
    return isinstance(error, ThrottledError)


def settle(step, record, now, *, answer=None, error=None, hold=None, batch=False, save=True):
    """Write the outcome of ``step``'s call for ``record`` and say what its attempt stores.

    ``answer``: SALESmanago's answer to a call that succeeded for this record. ``error``: what
    went wrong (``None`` with no answer: a batch answer that left this record out). ``hold``: the
    site's hold, when ``error`` holds the site. ``batch``: the call carried many records, so a
    refusal is the batch's, not this record's: it is tried again alone. ``save=False``: the state
    is only set (a batch's records are written together).
    """
    if error is None and answer is not None:
        step.sent(record, answer, now, save=save)
        return Settled(Outcome.SENT)
    message = stored_messages.of_error(error) if error is not None else SEND_ALONE
    if holds_site(error):
        if not step.hold(record, hold, now, called=True):
            # The hold was lifted at this very moment (new credentials): try with them soon.
            step.due_now(record, now, save=save)
            stored_messages.put(record, step.error_field, message)
        return Settled(Outcome.HELD, message)
    if batch and (error is None or not isinstance(error, TransientError) or error.kind == "denied"):
        # Left out of contactIds, or the whole batch refused (or blocked by a firewall) with
        # working credentials: the record's own call will say which answer it objects to, at
        # once if the batch as a whole was refused.
        at = retry.next_attempt_at(step.window_start(record), step.attempts(record), now)
        if at is not None and error is not None:
            at = now
        settled = again(step, record, at, message, send_alone=True, save=save, batch=batch)
        settled.alone = True
        return settled
    if throttles_site(error):
        at = retry.after_throttle(step.attempts(record), now, error)
        return again(step, record, at, message, send_alone=False, save=save, batch=batch,
                     throttled=True)
    if isinstance(error, TransientError):
        at = retry.next_attempt_at(step.window_start(record), step.attempts(record), now)
        return again(step, record, at, message, send_alone=False, save=save, batch=batch)
    if not isinstance(error, (SalesmanagoError, NotConfigured)):
        message = stored_messages.message("unexpected", error=type(error).__name__)
        logger.error("SALESmanago export %s failed unexpectedly.", record.pk, exc_info=error)
    give_up(step, record, message, send_alone=False, save=save, batch=batch)
    return Settled(Outcome.PERMANENT, message)


def again(step, record, at, message, *, send_alone, save, batch, throttled=False):
    """Try the step again at ``at`` (``throttled``: once its site's pause ends); give up when
    that is past the give-up window (``None``)."""
    if at is None:
        give_up(step, record, gave_up(step.attempts(record), message), send_alone=send_alone,
                save=save, batch=batch)
        return Settled(Outcome.TRANSIENT, message)
    if throttled:
        step.throttled(record, at, called=True, save=save)
    else:
        step.retrying(record, at, send_alone=send_alone, save=save)
    stored_messages.put(record, step.error_field, message)
    if not batch:
        logger.warning(
            "SALESmanago export %s failed (%s, attempt %s), retrying at %s: %s",
            record.pk, step.mode(record), step.attempts(record), at.isoformat(), message,
        )
    return Settled(Outcome.TRANSIENT, message)


def give_up(step, record, message, *, send_alone, save, batch):
    step.failed(record, send_alone=send_alone, save=save)
    stored_messages.put(record, step.error_field, message)
    if not batch:
        logger.warning("SALESmanago export %s failed (%s): %s", record.pk, step.mode(record), message)


def gave_up(attempts, message):
    """The error of a step given up after ``attempts``, the last one's ``message`` in it."""
    return stored_messages.message("gave_up", attempts=attempts, message=message)


#: Pauses between tries of a state write that failed, in seconds (then the last, again).
WRITE_PAUSES = (0.05, 0.1, 0.2, 0.5, 1, 2)


def persist(write, claimed_until):
    """Run ``write`` (a state transition), again after a database error, until the record's
    claim is about to lapse: a call SALESmanago accepted must not be made again because its
    outcome could not be written at first (a locked database, a failover). Raises the last
    error when the claim would lapse before the next try."""
    tries = 0
    while True:
        try:
            return write()
        except OperationalError:  # a lock, a lost connection: not a value the database refuses
            pause, tries = WRITE_PAUSES[min(tries, len(WRITE_PAUSES) - 1)], tries + 1
            # A second's margin: another sender takes the record only once the claim lapsed.
            if claimed_until is None or timezone.now().timestamp() + pause + 1 >= (
                    claimed_until.timestamp()):
                raise
            logger.warning("Could not write the outcome of a SALESmanago call; trying again.")
            time.sleep(pause)
