"""Queries on export records, for the admin and the queue."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Case, Count, Exists, F, Max, OuterRef, Q, When
from django.utils import timezone

from .. import stored_messages
from .expressions import local_date, within
from .pauses import DeliveryPause
from .sites import of_site

#: How soon after the answer a delivery counts as quick in the report: within a minute (the
#: visitor's own request, or the worker right after), within an hour (a retry or two).
SOON = {"within_minute": timedelta(minutes=1), "within_hour": timedelta(hours=1)}


#: How many records ``redact`` reads and writes at a time.
REDACT_CHUNK = 1000


def keep_codes(manager, rows, name):
    """Replace the stored message ``name`` of ``rows`` by one that keeps only its code (one
    UPDATE per code); how many rows."""
    by_code = {}
    for pk, stored in rows.values_list("pk", name):
        by_code.setdefault(first_code(stored_messages.data_of(stored)), []).append(pk)
    for code, pks in by_code.items():
        manager.filter(pk__in=pks).update(
            **{name: stored_messages.message("redacted_message", was=code)})
    return sum(map(len, by_code.values()))


def first_code(data):
    """The code of a stored message's data, or of its first part that has one; "text" for a
    message stored as plain text."""
    if isinstance(data, dict) and "code" in data:
        return str(data["code"])
    parts = data.get("parts", []) if isinstance(data, dict) else data if isinstance(
        data, list) else []
    return next((code for code in map(first_code, parts) if code != "text"), "text")


def unclaimed(now):
    """Records no sender holds: never claimed, or their claim has lapsed."""
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


class ExportRecordQuerySet(models.QuerySet):
    """``ExportRecord.objects``: the usual queryset, the queue's questions, and those staff ask
    about a form."""

    def open_step(self):
        """Records with a step still to send: their contact, or their event once the contact is
        sent."""
        model = self.model
        return self.filter(Q(status__in=model.OPEN_STATUSES) | Q(
            status=model.Status.SENT, event_status__in=model.OPEN_EVENT_STATUSES
        ), redacted_at__isnull=True)  # nothing is left to send of a redacted one

    def due(self, now=None):
        """Records whose next attempt is due (their contact's, or their event's once the contact
        is sent) and that nobody is sending, the longest waiting first."""
        now = now or timezone.now()
        return self.open_step().filter(unclaimed(now), next_attempt_at__lte=now).order_by(
            "next_attempt_at", "pk"
        )

    def unpaused(self, now):
        """These records but those of sites whose calls are paused at ``now`` (no query more
        than this one's while none is)."""
        records = self
        for site_id in DeliveryPause.objects.filter(until__gt=now).values_list("site", flat=True):
            records = records.exclude(of_site(site_id))
        return records

    def batchable(self, now, due_by=None):
        """Due records that a batch may carry: new or retrying e-mail contacts that go in no call
        of their own, of sites whose calls are not paused (``DeliveryPause``: a drain leaves
        them be). ``due_by``: only those due by then (a drain takes each record once)."""
        return (
            self.unpaused(now).due(now).filter(next_attempt_at__lte=due_by or now)
            .filter(mode="upsert", status__in=self.model.OPEN_STATUSES, send_alone=False)
            # Every upsert body says ``false`` but one that asks for double opt-in, and a past
            # answer's of a double opt-in form (``history`` drops the key): those go alone.
            # (Asking for ``false`` leaves no missing key to how each database compares NULL.)
            .filter(payload__useApiDoubleOptIn=False)
        )

    # Claims and other transitions of many records at once: with the record's own methods
    # (``ExportRecord.mark_sent``...), the only code that writes a record's state fields.

    def claim(self, record_id, now, until, *conditions, **unchanged):
        """Take record ``record_id`` for sending until ``until``; ``False`` if it is not due,
        another sender has it, or the extra ``conditions`` and ``unchanged`` values do not hold.
        Only a contact's sending counts as an attempt (an event counts its own at the call)."""
        status = self.model.Status
        return self.due(now).filter(*conditions, pk=record_id, **unchanged).update(
            claimed_until=until,
            attempts=Case(When(status=status.SENT, then=F("attempts")), default=F("attempts") + 1),
            updated_at=now,
        ) == 1

    def claim_batch(self, size, now, until, due_by=None, **among):
        """Claim up to ``size`` batchable records (of those matching ``among``) in one UPDATE
        until ``until``; their ids.

        On PostgreSQL the candidates are locked with SKIP LOCKED, so racing drainers take
        different records; the outer condition is checked again on each row, so no record is
        claimed twice.
        """
        candidates = self.batchable(now, due_by).filter(**among)
        if connection.vendor not in ("postgresql", "sqlite"):  # no UPDATE ... RETURNING
            ids = list(candidates.values_list("pk", flat=True)[:size])
            return [pk for pk in ids if self.claim(pk, now, until)]
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        qn, adapt = connection.ops.quote_name, connection.ops.adapt_datetimefield_value
        with transaction.atomic():
            inner, params = candidates.values("pk")[:size].query.sql_with_params()
            claimed = qn("claimed_until")
            # A materialised CTE picks the rows once: PostgreSQL may run a LIMIT subquery inside
            # ``IN (...)`` again for each row it updates, claiming far more than ``size``.
            materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
            sql = (
                f"WITH picked AS {materialized}({inner}) "
                f"UPDATE {qn(self.model._meta.db_table)} SET {claimed} = %s, "
                f"{qn('attempts')} = {qn('attempts')} + 1, {qn('updated_at')} = %s "
                f"WHERE {qn('id')} IN (SELECT {qn('pk')} FROM picked) "
                f"AND ({claimed} IS NULL OR {claimed} < %s) RETURNING {qn('id')}"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, [*params, adapt(until), adapt(now), adapt(now)])
                return [row[0] for row in cursor.fetchall()]

    def give_back(self, claims=None):
        """Take back the claim on these records, attempt and all: they were not sent. ``claims``:
        the claims read with them, if the claim may have lapsed since (another sender's stays)."""
        records = self if claims is None else self.filter(claimed_until__in=claims)
        records.update(claimed_until=None, attempts=F("attempts") - 1)

    def renew(self, claims, until):
        """Move these records' claim to ``until`` where it is still one of ``claims`` (ours);
        the ids of those now claimed until then."""
        self.filter(claimed_until__in=claims).update(claimed_until=until)
        return set(self.filter(claimed_until=until).values_list("pk", flat=True))

    def wake(self, now):
        """The held contacts and events among these become due, with a fresh give-up window
        (time on hold never counts towards giving up). Their ids."""
        status, event_status = self.model.Status, self.model.EventStatus
        held = Q(status=status.HELD) | Q(event_status=event_status.HELD)
        with transaction.atomic():
            ids = list(self.filter(held).values_list("pk", flat=True))
            woken = self.model.objects.filter(pk__in=ids)
            woken.filter(status=status.HELD).update(status=status.PENDING)
            woken.filter(event_status=event_status.HELD).update(event_status=event_status.PENDING)
            woken.update(hold=None, next_attempt_at=now, retry_window_from=now, updated_at=now)
        return ids

    def with_a_contact_to_send(self):
        """These records but the skipped ones with no contact to send (no identity, or not
        storable), and those whose answers were removed: those stopped by their form's rules
        can still be sent."""
        return self.exclude(status=self.model.Status.SKIPPED, mode="").filter(
            redacted_at__isnull=True)

    def note_opt_in(self, state, now):
        """SALESmanago says these records' contact's opt-in is now ``state`` (an
        ``ExportRecord.OptInState``); those that already said so keep their date. How many
        changed."""
        return self.exclude(opt_in_state=state).update(opt_in_state=state, opt_in_changed_at=now)

    def redact(self, now, days):
        """Remove the answers from these records (those no sender holds now) and their attempts,
        ``days`` after the answer: the e-mail, what was and would be sent (values, name, phone,
        IP, the event), the notes; every stored message keeps only its code. What still waited
        to be sent is given up: nothing is left to send. The status, dates, counts, form and
        SALESmanago's contact IDs stay. Read and written ``REDACT_CHUNK`` records at a time,
        in a few statements each, whatever their number; ``(records, attempts)`` redacted."""
        model = self.model
        status, event_status = model.Status, model.EventStatus
        waiting = self.filter(unclaimed(now), redacted_at__isnull=True).order_by("pk")
        records = attempts = last = 0
        while ids := list(waiting.filter(pk__gt=last).values_list("pk", flat=True)[:REDACT_CHUNK]):
            last = ids[-1]
            with transaction.atomic():
                # First, those still unclaimed are marked: from then on no sender claims them
                # (``open_step``), and one that claimed them before writes none of its details
                # back (``outbox.save_details``).
                records += model.objects.filter(unclaimed(now), pk__in=ids,
                                                redacted_at__isnull=True).update(redacted_at=now)
                chunk = model.objects.filter(pk__in=ids, redacted_at=now)
                chunk.filter(status__in=[*model.OPEN_STATUSES, status.HELD]).update(
                    status=status.FAILED, next_attempt_at=None, hold=None)
                chunk.filter(event_status__in=[*model.OPEN_EVENT_STATUSES, event_status.HELD]).update(
                    event_status=event_status.FAILED)
                for name in ("last_error", "event_error"):
                    keep_codes(model.objects, chunk.exclude(**{name: ""}), name)
                attempt_log = model.attempt_log.rel.related_model.objects
                their_attempts = attempt_log.filter(record__in=chunk)
                keep_codes(attempt_log, their_attempts.exclude(message=""), "message")
                attempts += their_attempts.count()
                # ``updated_at`` stays: a redaction is no news of the delivery (the dashboard's
                # recent failures count by it).
                chunk.update(email="", payload={}, event_payload={},
                             notes=stored_messages.message("redacted", days=days))
        return records, attempts

    def resendable(self):
        """These records but those whose answer has another record in play (a failed answer
        exported again), and of several failed records of one answer only the newest: one
        answer, one record in play."""
        model = self.model
        in_play = model.objects.exclude(status=model.Status.FAILED).filter(
            submission_type=OuterRef("submission_type"), submission_id=OuterRef("submission_id"),
        ).exclude(pk=OuterRef("pk"))
        return self.exclude(Exists(in_play)).exclude(self._superseded(among=self.values("pk")))

    def wait_for_pause(self, at, now, message):
        """These due contacts that nobody holds wait out their site's pause until ``at``
        (throttled, no attempt counted, the give-up window starting again then), ``message``
        saying why; their ids."""
        status = self.model.Status
        ids = list(self.filter(unclaimed(now), status__in=self.model.OPEN_STATUSES)
                   .order_by("pk").values_list("pk", flat=True))
        self.model.objects.filter(pk__in=ids).update(
            status=status.THROTTLED, next_attempt_at=at, retry_window_from=at, last_error=message,
            updated_at=now)
        return ids

    def make_due_again(self, now):
        """Staff asked to send these again: each is due now, sent and failed ones too. An event
        already sent is never sent again; a failed or held one follows its contact."""
        event_status = self.model.EventStatus
        self.filter(event_status__in=[event_status.FAILED, event_status.HELD]).update(
            event_status=event_status.PENDING)
        self.update(status=self.model.Status.PENDING, next_attempt_at=now, hold=None,
                    updated_at=now)

    def write_states(self, records, fields):
        """Write the state ``fields`` that a batch's records were given in memory (their
        transitions with ``save=False``): one UPDATE per shared state (a batch sent: one), then
        the contact IDs in one statement run once per record."""
        shared = {}
        for record in records:
            key = tuple(getattr(record, name) for name in fields)
            shared.setdefault(key, []).append(record.pk)
        for key, ids in shared.items():
            self.filter(pk__in=ids).update(**dict(zip(fields, key)))
        # One parameterised statement per record: Django's bulk_update builds a CASE of a WHEN
        # per record, whose compilation cost most of a 400-contact batch.
        quote, meta = connection.ops.quote_name, self.model._meta
        column = meta.get_field("salesmanago_contact_id").column
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {quote(meta.db_table)} SET {quote(column)} = %s "
                f"WHERE {quote(meta.pk.column)} = %s",
                [(record.salesmanago_contact_id, record.pk) for record in records],
            )

    def for_answer(self, submission):
        """The records of ``submission`` still in play (not failed): one at most."""
        return self.exclude(status=self.model.Status.FAILED).filter(
            submission_type=ContentType.objects.get_for_model(submission),
            submission_id=str(submission.pk))

    def current(self):
        """Each answer's newest record only: an answer that failed and was exported again (a new
        record) counts as its new record, not as a failure too. Only a failed record can have a
        newer one (an answer has one record in play, and a failed one is exported again only as
        a new record), so only failed ones are looked up: half the report's time at 1,000,000."""
        return self.exclude(Q(status=self.model.Status.FAILED) & Q(self._superseded()))

    def _superseded(self, among=None):
        """Whether a record's answer has a newer record (a condition for a filter); with
        ``among`` (primary keys), a newer one among those."""
        newer = self.model.objects.filter(
            submission_type=OuterRef("submission_type"), submission_id=OuterRef("submission_id"),
            pk__gt=OuterRef("pk"),
        )
        if among is not None:
            newer = newer.filter(pk__in=among)
        return Exists(newer)

    def counts_for(self, page):
        """How many of the page's answers are in each status, by their newest record:
        ``{"sent": 3, "failed": 1, ...}``."""
        statuses = self.model.Status.values
        return self.current().filter(page=page).aggregate(
            **{status: Count("pk", filter=Q(status=status)) for status in statuses}
        )

    def dashboard_counts(self, since):
        """The dashboard's figures, in one query: ``{"failed": answers failed since ``since``,
        "retrying": records waiting for their next attempt, "throttled": records waiting for
        their site's pause, "sent": records sent since ``since``,
        "last_sent": when the last one was sent (``None`` if none ever was)}``."""
        status = self.model.Status
        return self.aggregate(
            # An answer exported again since is no failure (its newest record counts).
            failed=Count("pk", filter=Q(status=status.FAILED, updated_at__gte=since)
                         & ~Q(self._superseded())),
            retrying=Count("pk", filter=Q(status=status.RETRYING)),
            throttled=Count("pk", filter=Q(status=status.THROTTLED)),
            sent=Count("pk", filter=Q(status=status.SENT, sent_at__gte=since)),
            last_sent=Max("sent_at"),
        )

    def daily_counts(self, since, until):
        """The report's figures, in one grouped query: for each day (in the current time zone)
        from ``since`` to ``until`` and each form page, how many of that day's answers are in
        each status now (by their newest record) and how many were sent within a minute and
        within an hour of the answer. Rows of ``{"day", "page", "sent", "failed", ...,
        "within_minute", "within_hour"}``; a day with no answers has no row."""
        sent = Q(status=self.model.Status.SENT)
        return (
            self.current().filter(created_at__gte=since, created_at__lt=until)
            .annotate(day=local_date("created_at", since, until))
            .values("day", "page")
            .annotate(
                **{status: Count("pk", filter=Q(status=status))
                   for status in self.model.Status.values},
                **{name: Count("pk", filter=sent & within("sent_at", "created_at", delay))
                   for name, delay in SOON.items()},
            )
            .order_by("day", "page")
        )

    def last_sent_by_page(self):
        """When each form page's last delivery was sent, in one grouped query: ``{page_id:
        moment}`` (a page with none sent has no entry)."""
        return dict(
            self.filter(sent_at__isnull=False).values("page").annotate(last=Max("sent_at"))
            .order_by().values_list("page", "last")
        )

    def last_failure_for(self, page):
        """The page's most recently failed answer's record (its ``last_error`` says why), or
        ``None``; an answer exported again since is no failure."""
        return (
            self.current().filter(page=page, status=self.model.Status.FAILED)
            .order_by("-updated_at", "-pk")
            .only("last_error")
            .first()
        )
