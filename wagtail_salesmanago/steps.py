"""The two steps of a delivery: the contact, then its event (when the form has one).

Each step says how it calls SALESmanago and how its outcome is written on the record, in one
small UPDATE of fixed-size values (``ExportRecord.set_state``), so that ``outbox`` can run both
with the same claims, retries and holds. The event has a state of its own: once the contact is
sent, a failed event is retried alone, and a sent one is never sent again.
"""

from django.db import transaction
from django.db.models import Case, F, When
from django.utils import timezone

from . import delivery, holds, stored_messages
from .models import DeliveryHold, ExportRecord

Status = ExportRecord.Status
EventStatus = ExportRecord.EventStatus


class ContactStep:
    """The contact's upsert or update (``delivery.deliver``)."""

    #: What the attempt also stores once the state is safe.
    detail_fields = ["mode", "payload", "notes", "notes_data", "last_error", "last_error_data",
                     "salesmanago_contact_id", "updated_at"]

    def mode(self, record):
        return record.mode

    def attempts(self, record):
        return record.attempts  # counted by the claim

    def window_start(self, record):
        return record.retry_window_start

    def call(self, client, record, owner):
        return delivery.deliver(client, record, owner)

    def sent(self, record, response):
        now = timezone.now()
        # With an event to follow, the claim is kept for it and the record stays due: if this
        # sender dies before the event is sent, the claim lapses and the event alone is retried.
        follow = {"next_attempt_at": now, "claimed_until": record.claimed_until} if (
            record.event_status in ExportRecord.OPEN_EVENT_STATUSES) else {"next_attempt_at": None}
        record.set_state(status=Status.SENT, sent_at=now, hold=None, last_error="",
                         last_error_data={}, **follow)
        record.salesmanago_contact_id = delivery.answered_contact_id(record, response)

    def retrying(self, record, at, message):
        record.set_state(status=Status.RETRYING, next_attempt_at=at)
        stored_messages.put(record, "last_error", message)

    def failed(self, record, message):
        record.set_state(status=Status.FAILED, next_attempt_at=None)
        stored_messages.put(record, "last_error", message)

    def due_now(self, record, message):
        record.set_state(status=Status.PENDING, next_attempt_at=timezone.now())
        stored_messages.put(record, "last_error", message)

    def hold(self, record, hold, now, *, called):
        return holds.hold_record(record, hold, now, called=called)


class EventStep:
    """The event on the contact's timeline (``delivery.deliver_event``), after the contact."""

    detail_fields = ["event_payload", "event_error", "event_error_data", "notes", "notes_data",
                     "updated_at"]

    def mode(self, record):
        return "event"

    def attempts(self, record):
        return record.event_attempts

    def window_start(self, record):
        return record.event_window_start

    def call(self, client, record, owner):
        record.event_attempts += 1  # written with the outcome, whatever it is
        return delivery.deliver_event(client, record, owner)

    def sent(self, record, response):
        record.set_state(
            event_status=EventStatus.SENT, event_sent_at=timezone.now(), next_attempt_at=None,
            hold=None, event_attempts=record.event_attempts,
            event_id=delivery.answered_event_id(record, response),
        )
        stored_messages.put(record, "event_error", "")

    def retrying(self, record, at, message):
        record.set_state(event_status=EventStatus.RETRYING, next_attempt_at=at,
                         event_attempts=record.event_attempts)
        stored_messages.put(record, "event_error", message)

    def failed(self, record, message):
        record.set_state(event_status=EventStatus.FAILED, next_attempt_at=None,
                         event_attempts=record.event_attempts)
        stored_messages.put(record, "event_error", message)

    def due_now(self, record, message):
        record.set_state(event_status=EventStatus.PENDING, next_attempt_at=timezone.now(),
                         event_attempts=record.event_attempts)
        stored_messages.put(record, "event_error", message)

    def hold(self, record, hold, now, *, called):
        """Let the event wait in the site's hold; the contact stays sent. ``False`` if the hold
        was lifted meanwhile. (Its attempts are counted at the call, so ``called`` changes none.)"""
        with transaction.atomic():
            if not DeliveryHold.objects.select_for_update().filter(pk=hold.pk).exists():
                return False
            record.set_state(event_status=EventStatus.HELD, hold=hold, next_attempt_at=None,
                             event_attempts=record.event_attempts, updated_at=now)
        stored_messages.put(record, "event_error", stored_messages.get(hold, "message"))
        return True


CONTACT, EVENT = ContactStep(), EventStep()


def first_due(record):
    """The step a claimed record is due for: its contact, or only its event once the contact is sent."""
    return EVENT if record.status == Status.SENT else CONTACT


def next_due(step, record):
    """The step that follows ``step`` in the same attempt, if any."""
    return EVENT if step is CONTACT and record.event_due else None


def count_contact_attempt():
    """The claim's change to ``attempts``: only a contact's sending counts there."""
    return Case(When(status=Status.SENT, then=F("attempts")), default=F("attempts") + 1)
