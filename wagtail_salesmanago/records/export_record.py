from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..compat import PAGE_MODEL
from ..payload import mapping
from ..stored_messages import MessageField
from .querysets import ExportRecordQuerySet

#: The longest e-mail address Django's ``validate_email`` accepts (RFC 3696), so that no valid
#: answer overflows the column (SALESmanago documents 254; longer ones are its to refuse).
EMAIL_LENGTH = 320


class ExportRecord(models.Model):
    """One submission's journey to SALESmanago: its contact, then its event (if the form has one)."""

    class Status(models.TextChoices):
        # A delivery's status, in the context of its noun (in Polish the adjective agrees with
        # "eksport": "wysłany", "ponawiany"...).
        PENDING = "pending", pgettext_lazy("delivery status", "pending")
        RETRYING = "retrying", pgettext_lazy("delivery status", "retrying")
        SENT = "sent", pgettext_lazy("delivery status", "sent")
        FAILED = "failed", pgettext_lazy("delivery status", "failed")
        SKIPPED = "skipped", pgettext_lazy("delivery status", "skipped")
        HELD = "held", pgettext_lazy("delivery status", "on hold")
        # SALESmanago asked for fewer calls: waiting out its pause (``DeliveryPause``).
        THROTTLED = "throttled", pgettext_lazy("delivery status", "throttled")
        # Kept from SALESmanago (an ignored e-mail domain, spam): sent only if staff resend it.
        QUARANTINED = "quarantined", pgettext_lazy("delivery status", "quarantined")

    class EventStatus(models.TextChoices):
        NONE = "", _("none")
        PENDING = "pending", _("pending")
        RETRYING = "retrying", _("retrying")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        HELD = "held", _("on hold")

    class OptInState(models.TextChoices):
        UNKNOWN = "", _("not known")
        CONFIRMED = "confirmed", _("confirmed")
        OPTED_OUT = "opted_out", _("unsubscribed")

    class Mode(models.TextChoices):
        NONE = "", _("none")
        UPSERT = mapping.MODE_UPSERT, _("add or update by e-mail")
        UPDATE = mapping.MODE_UPDATE, _("update by contact ID")

    page = models.ForeignKey(
        PAGE_MODEL,
        verbose_name=_("form page"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    submission_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+"
    )
    submission_id = models.CharField(max_length=64, db_index=True)
    status = models.CharField(
        verbose_name=_("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
    )
    mode = models.CharField(
        verbose_name=_("mode"), max_length=16, choices=Mode.choices, blank=True
    )
    email = models.CharField(verbose_name=_("contact e-mail"), max_length=EMAIL_LENGTH, blank=True)
    contact_id = models.CharField(
        verbose_name=_("contact ID from the link or cookie"), max_length=36, blank=True
    )
    salesmanago_contact_id = models.CharField(
        # Indexed: the deliveries list finds a contact's e-mail by it.
        verbose_name=_("SALESmanago contact ID"), max_length=64, blank=True, db_index=True
    )
    payload = models.JSONField(
        verbose_name=_("payload"),
        default=dict,
        help_text=_("What is (or was) sent, without the authentication fields."),
    )
    # The notes and errors as codes and parameters, shown in the reader's language (see
    # stored_messages).
    notes = MessageField(verbose_name=_("notes"), blank=True)
    last_error = MessageField(verbose_name=_("last error"), blank=True)
    attempts = models.PositiveIntegerField(verbose_name=_("attempts"), default=0)
    created_at = models.DateTimeField(verbose_name=_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated"), auto_now=True)
    sent_at = models.DateTimeField(verbose_name=_("sent"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        verbose_name=_("next attempt"), null=True, blank=True, db_index=True
    )
    # While a sender holds a record, this is when its claim lapses (see outbox.claim).
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    # The site's hold this record waits in (status "held"); see holds.py.
    hold = models.ForeignKey(
        "wagtail_salesmanago.DeliveryHold",
        verbose_name=_("hold"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="records",
        editable=False,
    )
    # Where the give-up window starts when not at creation: when a hold lifted, so time on
    # hold never counts towards giving up.
    retry_window_from = models.DateTimeField(null=True, blank=True, editable=False)

    # The external event (see events.py): its own state, sent only after the contact.
    event_status = models.CharField(
        verbose_name=_("event status"),
        max_length=16,
        choices=EventStatus.choices,
        default=EventStatus.NONE,
        blank=True,
    )
    event_payload = models.JSONField(
        verbose_name=_("event"),
        default=dict,
        blank=True,
        help_text=_("The event added to the contact's timeline, without the authentication fields."),
    )
    event_id = models.CharField(verbose_name=_("SALESmanago event ID"), max_length=64, blank=True)
    event_attempts = models.PositiveIntegerField(verbose_name=_("event attempts"), default=0)
    event_error = MessageField(verbose_name=_("event error"), blank=True)
    event_sent_at = models.DateTimeField(verbose_name=_("event sent"), null=True, blank=True)

    # What changes how the record is sent is a column, never words in ``notes`` (which are for
    # people): a batch call refused it or left it out, so it goes in a call of its own from now
    # on; and when SALESmanago accepted its double opt-in request (never asked again).
    send_alone = models.BooleanField(default=False, editable=False)
    double_opt_in_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    #: The contact's e-mail opt-in as SALESmanago last told the site (its opt-in and opt-out
    #: callbacks, ``delivery/callbacks.py``), and when it changed.
    opt_in_state = models.CharField(verbose_name=_("opt-in as last known"), max_length=16,
                                    choices=OptInState.choices, blank=True, default="",
                                    editable=False)
    opt_in_changed_at = models.DateTimeField(verbose_name=_("opt-in changed"), null=True,
                                             blank=True, editable=False)
    #: When its answers were removed (``ExportRecordQuerySet.redact``): nothing is left to send.
    redacted_at = models.DateTimeField(verbose_name=_("answers removed"), null=True, blank=True,
                                       editable=False)

    objects = ExportRecordQuerySet.as_manager()

    #: Records that still have to reach SALESmanago.
    OPEN_STATUSES = (Status.PENDING, Status.RETRYING, Status.THROTTLED)
    #: Records kept from SALESmanago on purpose: their ``last_error`` says why, and is no error.
    NOT_SENT_ON_PURPOSE = (Status.SKIPPED, Status.QUARANTINED)
    #: Events that still have to reach SALESmanago (once their contact has).
    OPEN_EVENT_STATUSES = (EventStatus.PENDING, EventStatus.RETRYING)

    # Registering the admin viewset would otherwise index every save's page reference,
    # a task per record on the visitor's request path, for no use.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("SALESmanago delivery")
        verbose_name_plural = _("SALESmanago deliveries")
        ordering = ["-created_at", "-pk"]
        #: Erasing a person (all their deliveries, and the contact in SALESmanago) is its own
        #: right: those who may resend deliveries may not necessarily erase people.
        permissions = [("erase_person", _("Can erase a person's deliveries"))]
        constraints = [
            # One answer, one record in play: a live answer and a past-answers export of the same
            # form cannot both store one (a failed record may be followed by a new one).
            models.UniqueConstraint(
                fields=["submission_type", "submission_id"],
                condition=~Q(status="failed"),
                name="wagtail_salesmanago_one_record_per_answer",
            ),
        ]
        indexes = [
            # An answer's records (its newest one, ``current()``: the report, the dashboard), the
            # period of the report and the log's order, each form's last success.
            models.Index(fields=["submission_type", "submission_id"],
                         name="wagtail_sm_answer_idx"),
            models.Index(fields=["created_at"], name="wagtail_sm_created_idx"),
            models.Index(fields=["page", "sent_at"], name="wagtail_sm_page_sent_idx"),
        ]

    def __str__(self):
        return f"{self.get_status_display()}: {self.contact or self.pk}"

    @property
    def retry_window_start(self):
        """When the give-up window (``GIVE_UP_AFTER_SECONDS``) of this record started."""
        return self.retry_window_from or self.created_at

    @property
    def event_window_start(self):
        """When the event's give-up window started: its contact's sending, or a hold's lifting."""
        return max(filter(None, [self.created_at, self.sent_at, self.retry_window_from]))

    @property
    def kept_back(self):
        """Whether the record was kept from SALESmanago on purpose with a contact to send:
        quarantined, or stopped by its form's export rules (staff may send it anyway). A record
        skipped for want of a contact has nothing to send."""
        return self.status == self.Status.QUARANTINED or (
            self.status == self.Status.SKIPPED and bool(self.mode))

    @property
    def event_due(self):
        """Whether the contact is sent and the event still has to follow it."""
        return self.status == self.Status.SENT and self.event_status in self.OPEN_EVENT_STATUSES

    # State transitions: the only code that writes a record's state fields. Each is one UPDATE
    # of values that always fit, and releases the claim unless it says otherwise. ``save=False``
    # only sets them, for a batch's outcomes written together (``ExportRecordQuerySet.write_states``).

    def _transition(self, state, save, **in_database):
        """Write ``state`` (with ``in_database``, the database's own form of some of it)."""
        state = {"claimed_until": None, **state}
        if save:
            state["updated_at"] = timezone.now()
            type(self).objects.filter(pk=self.pk).update(**{**state, **in_database})
        for name, value in state.items():
            setattr(self, name, value)

    def mark_sent(self, now, *, contact_id, double_opt_in_requested, save):
        """SALESmanago accepted the contact. With an event to follow, the record stays due; a
        sender that goes on with the event (``save``) keeps its claim for it, so that if it dies
        before the event is sent, the claim lapses and the event alone is retried. A double
        opt-in request it accepted is noted in the same UPDATE."""
        follow = self.event_status in self.OPEN_EVENT_STATUSES
        state = {"status": self.Status.SENT, "sent_at": now, "hold": None, "last_error": "",
                 "salesmanago_contact_id": contact_id,
                 "next_attempt_at": now if follow else None,
                 "claimed_until": self.claimed_until if follow and save else None}
        if double_opt_in_requested:
            state["double_opt_in_requested_at"] = now
        self._transition(state, save)

    def schedule_retry(self, at, *, send_alone, save):
        """The contact is tried again at ``at`` (alone from now on if ``send_alone``)."""
        self._transition({"status": self.Status.RETRYING, "next_attempt_at": at,
                          "send_alone": self.send_alone or send_alone}, save)

    def throttle(self, at, *, called, save):
        """The contact waits out SALESmanago's pause until ``at`` (``called``: SALESmanago was
        called for it and asked for the pause, else the claim's attempt is taken back). Time
        spent waiting never counts towards giving up: the give-up window starts again at ``at``."""
        state = {"status": self.Status.THROTTLED, "next_attempt_at": at, "retry_window_from": at}
        if called:
            self._transition(state, save)
        else:  # in the database, counted from the stored attempts (the claim counted one more)
            self._transition({**state, "attempts": self.attempts - 1}, save,
                             attempts=F("attempts") - 1)

    def give_up(self, *, send_alone, save):
        """The contact is not sent: staff may resend it (alone, if ``send_alone``)."""
        self._transition({"status": self.Status.FAILED, "next_attempt_at": None,
                          "send_alone": self.send_alone or send_alone}, save)

    def make_due(self, now, *, save):
        """The contact is due again at once (a hold lifted as it was being held)."""
        self._transition({"status": self.Status.PENDING, "next_attempt_at": now}, save)

    def hold_in(self, hold, now, *, called):
        """Let the claimed contact wait in the site's ``hold``; ``False`` if the hold was lifted
        meanwhile. ``called``: whether SALESmanago was called for it (else the claim's attempt
        is taken back). The hold row is locked, so that a concurrent release cannot leave the
        record behind."""
        state = {"status": self.Status.HELD, "hold": hold, "next_attempt_at": None,
                 "last_error": hold.message,
                 "attempts": self.attempts if called else self.attempts - 1}
        # In the database, counted from the stored attempts (a claim counted one more there).
        return self._held(hold, state, now, attempts=F("attempts") if called else F("attempts") - 1)

    def mark_event_sent(self, now, *, event_id):
        """SALESmanago added the event to the contact's timeline."""
        self._transition({"event_status": self.EventStatus.SENT, "event_sent_at": now,
                          "next_attempt_at": None, "hold": None, "event_id": event_id,
                          "event_error": "", "event_attempts": self.event_attempts}, True)

    def schedule_event_retry(self, at):
        """The event is tried again at ``at`` (the contact stays sent)."""
        self._transition({"event_status": self.EventStatus.RETRYING, "next_attempt_at": at,
                          "event_attempts": self.event_attempts}, True)

    def give_up_event(self):
        """The event is not sent (the contact stays sent)."""
        self._transition({"event_status": self.EventStatus.FAILED, "next_attempt_at": None,
                          "event_attempts": self.event_attempts}, True)

    def make_event_due(self, now):
        """The event is due again at once."""
        self._transition({"event_status": self.EventStatus.PENDING, "next_attempt_at": now,
                          "event_attempts": self.event_attempts}, True)

    def hold_event_in(self, hold, now):
        """Let the event wait in the site's ``hold``; the contact stays sent. ``False`` if the
        hold was lifted meanwhile (its attempts are counted at the call)."""
        state = {"event_status": self.EventStatus.HELD, "hold": hold, "next_attempt_at": None,
                 "event_error": hold.message, "event_attempts": self.event_attempts}
        return self._held(hold, state, now)

    def _held(self, hold, state, now, **in_database):
        """Write ``state`` (and ``in_database``, the database's own form of some of it) if the
        hold row still exists, locked meanwhile."""
        with transaction.atomic():
            if not type(hold).objects.select_for_update().filter(pk=hold.pk).exists():
                return False
            state = {"claimed_until": None, **state, "updated_at": now}
            type(self).objects.filter(pk=self.pk).update(**{**state, **in_database})
        for name, value in state.items():
            setattr(self, name, value)
        return True

    @property
    def contact(self):
        """The contact SALESmanago files this under: the ID for an update, else the e-mail.

        An update never changes the contact's e-mail, so an e-mail typed in that form is
        only an answer (and the fallback if SALESmanago does not know the ID).
        """
        if self.mode == self.Mode.UPDATE:
            return self.contact_id
        return self.email or self.contact_id


class DeliveryAttempt(models.Model):
    """One try at sending an export record: when, how, and what SALESmanago said."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("sent")
        TRANSIENT = "transient", _("temporary failure")
        PERMANENT = "permanent", _("permanent failure")
        HELD = "held", _("credentials rejected: on hold")

    record = models.ForeignKey(
        ExportRecord, on_delete=models.CASCADE, related_name="attempt_log"
    )
    started_at = models.DateTimeField(verbose_name=_("started"))
    finished_at = models.DateTimeField(verbose_name=_("finished"))
    mode = models.CharField(verbose_name=_("mode"), max_length=16, blank=True)
    outcome = models.CharField(verbose_name=_("outcome"), max_length=16, choices=Outcome.choices)
    message = MessageField(verbose_name=_("message"), blank=True)
    resend = models.BooleanField(verbose_name=_("asked for by staff"), default=False)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["started_at", "pk"]
