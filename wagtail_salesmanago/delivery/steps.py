"""The two steps of a delivery: the contact, then its event (when the form has one).

Each step says how it calls SALESmanago and which of the record's transitions (model methods of
``ExportRecord``) its outcome takes, so that ``settle`` decides once, for both steps and for
single and batch sends. The event has a state of its own: once the contact is sent, a failed
event is retried alone, and a sent one is never sent again.
"""

from ..payload import contact_fields
from ..records import ExportRecord
from . import answers

Status = ExportRecord.Status


class ContactStep:
    """The contact's upsert or update (``answers.deliver``)."""

    #: Where the step's error is written.
    error_field = "last_error"
    #: What the attempt also stores once the state is safe.
    detail_fields = ["mode", "payload", "notes", "last_error", "updated_at"]

    def mode(self, record):
        return record.mode

    def attempts(self, record):
        return record.attempts  # counted by the claim

    def window_start(self, record):
        return record.retry_window_start

    def call(self, client, record, owner):
        return answers.deliver(client, record, owner)

    def owner(self, record):
        """The form's own owner the call is made as, if it has one."""
        return answers.form_owner(record.page)

    def sent(self, record, response, now, *, save):
        record.mark_sent(
            now, contact_id=answers.answered_contact_id(record, response),
            double_opt_in_requested=contact_fields.asks_double_opt_in(record.payload), save=save)

    def retrying(self, record, at, *, send_alone, save):
        record.schedule_retry(at, send_alone=send_alone, save=save)

    def throttled(self, record, at, *, called, save):
        record.throttle(at, called=called, save=save)

    def failed(self, record, *, send_alone, save):
        record.give_up(send_alone=send_alone, save=save)

    def due_now(self, record, now, *, save):
        record.make_due(now, save=save)

    def hold(self, record, hold, now, *, called):
        return record.hold_in(hold, now, called=called)


class EventStep:
    """The event on the contact's timeline (``answers.deliver_event``), after the contact.

    An event is never in a batch and is always sent on its own, so the ``save`` and
    ``send_alone`` its outcomes are given (the same as a contact's) change nothing."""

    error_field = "event_error"
    detail_fields = ["event_payload", "event_error", "notes", "updated_at"]

    def mode(self, record):
        return "event"

    def attempts(self, record):
        return record.event_attempts

    def window_start(self, record):
        return record.event_window_start

    def call(self, client, record, owner):
        record.event_attempts += 1  # written with the outcome, whatever it is
        return answers.deliver_event(client, record, owner)

    def owner(self, record):
        return ""  # events go as the site's owner

    def sent(self, record, response, now, *, save):
        record.mark_event_sent(now, event_id=answers.answered_event_id(record, response))

    def retrying(self, record, at, *, send_alone, save):
        record.schedule_event_retry(at)

    def throttled(self, record, at, *, called, save):
        """Its attempts are counted at the call: ``called`` changes none."""
        record.schedule_event_retry(at)

    def failed(self, record, *, send_alone, save):
        record.give_up_event()

    def due_now(self, record, now, *, save):
        record.make_event_due(now)

    def hold(self, record, hold, now, *, called):
        """Its attempts are counted at the call, so ``called`` changes none."""
        return record.hold_event_in(hold, now)


CONTACT, EVENT = ContactStep(), EventStep()


def first_due(record):
    """The step a claimed record is due for: its contact, or only its event once the contact is sent."""
    return EVENT if record.status == Status.SENT else CONTACT


def next_due(step, record):
    """The step that follows ``step`` in the same attempt, if any."""
    return EVENT if step is CONTACT and record.event_due else None
