"""Exporting a form's past answers: ``salesmanago_export``, and the page panel's "Export N past
answers".

Records are built with the live answers' mapping (``answers.build_record``) and stored a chunk at a
time (``inserts.insert``), so that 100,000 answers never sit in memory at once. Each chunk is then sent
as the retry drain sends a backlog (``batches``): e-mail contacts in ``contact/batchupsert`` calls
of ``BATCH_SIZE`` (SALESmanago's WordPress plugin exports 400 per call:
``ExportModel::PACKAGE_SIZE``), each marked from the answer's ``contactIds``; the rest (contacts by
ID) one by one, by ``outbox``.

Resumable: a submission that has a record (any but a failed one) never gets another, and a run first
sends the page's records still due (a run killed after storing a chunk). Records a killed run had
claimed wait for their claim to lapse, as in ``outbox``, then go with the next run or retry.

A past answer is not a live one: its consent carries the answer's own time and no IP (none was
kept), no double opt-in e-mail is requested (``without_double_opt_in``), and no event is added (its
automation rules would fire for answers months old, one call per answer).
"""

import datetime
import logging
from collections import Counter
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import CharField
from django.db.models.functions import Cast, Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page

from .. import stored_messages
from ..payload import contact_fields
from ..records import DeliveryPause, ExportRecord, ExportRun
from . import answers, backlogs, batches, inserts, outbox, retry
from .account import LABELS, account_for_page

logger = logging.getLogger(__name__)
Status = ExportRecord.Status

#: Contacts per ``contact/batchupsert`` call, as SALESmanago's WordPress plugin exports them.
BATCH_SIZE = 400
#: Answers read, mapped and stored at a time: what bounds the export's memory.
CHUNK = 2000
#: A queued or running export not heard from for this long was killed: another may start.
STALE = timedelta(minutes=10)


class ExportRefused(Exception):
    """This page's answers cannot be exported; the message says why and what to do."""


def form_page(page_id):
    """The form page with id ``page_id``, or ``ExportRefused``."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        raise ExportRefused(_("There is no page with ID %(id)s.") % {"id": page_id})
    return page.specific


def check(page):
    """The page's site account, if its past answers can be exported; else ``ExportRefused``."""
    values = {"title": page.title, "id": page.pk}
    if not hasattr(page, "get_salesmanago_questions"):  # not a SalesmanagoFormMixin page
        raise ExportRefused(_("“%(title)s” (page %(id)s) is not a form page that exports to "
                              "SALESmanago.") % values)
    if not page.salesmanago_enabled:
        raise ExportRefused(_(
            "Export is switched off for “%(title)s” (page %(id)s): switch on “Send form results "
            "to the contact's SALESmanago profile” in its SALESmanago settings first, so that "
            "past and new answers go the same way.") % values)
    account = account_for_page(page)
    if account is None:
        raise ExportRefused(_("“%(title)s” (page %(id)s) is not under any site, so it has no "
                              "SALESmanago settings.") % values)
    missing = account.missing()
    if missing:
        raise ExportRefused(_("The SALESmanago settings of site %(site)s lack: %(missing)s. Fill "
                              "them in (Settings > SALESmanago) first.") % {
            "site": account.site, "missing": ", ".join(str(LABELS[name]) for name in missing)})
    return account


def past_answers(page, since=None, until=None):
    """The page's submissions that no record covers (a failed record does not), oldest first.

    ``since`` and ``until`` are dates, both included, in the site's time zone.
    """
    model = page.get_submission_class()
    # NOT IN an uncorrelated subquery: read once (a correlated EXISTS made SQLite scan the
    # records once per answer, by the content type's index: minutes for 100,000).
    return answered(page, since, until).annotate(
        key=Cast("pk", output_field=CharField())).exclude(key__in=covering(model))


def answered(page, since=None, until=None):
    """The page's submissions in those days, covered or not, oldest first."""
    answers = page.get_submission_class().objects.filter(page=page)
    if since:
        answers = answers.filter(submit_time__gte=day_start(since))
    if until:
        answers = answers.filter(submit_time__lt=day_start(until + datetime.timedelta(days=1)))
    return answers.order_by("pk")


def covering(model):
    """The submission ids of ``model`` that a record covers (a failed record does not, unless
    its answers were redacted: retention's word is final, and an export must not bring them
    back)."""
    return ExportRecord.objects.exclude(status=Status.FAILED, redacted_at__isnull=True).filter(
        submission_type=ContentType.objects.get_for_model(model)).values("submission_id")


def day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def chunks(page, since=None, until=None, newest=None):
    """``past_answers`` in chunks of at most ``CHUNK``: each read by its place in the page's
    answers, and those a record covers dropped by one look-up of the chunk's own keys. (A NOT IN
    of every record, read again for every chunk, grew with each chunk stored.)"""
    # From the first answer not covered yet: a rerun reads only what came after its last run.
    first = past_answers(page, since, until).values_list("pk", flat=True).first()
    if first is None:
        return
    answers = answered(page, since, until).filter(pk__gte=first)
    if newest is not None:  # no further than the newest answer when the run started
        answers = answers.filter(pk__lte=newest)
    last = None
    covered = covering(page.get_submission_class())
    while True:
        chunk = list((answers if last is None else answers.filter(pk__gt=last))[:CHUNK])
        if not chunk:
            return
        last = chunk[-1].pk
        keys = set(covered.filter(submission_id__in=[str(answer.pk) for answer in chunk])
                   .values_list("submission_id", flat=True))
        rest = [answer for answer in chunk if str(answer.pk) not in keys]
        if rest:
            yield rest


def build(page, account, questions, submission):
    """A past answer's record, mapped as a live one, without its event (not saved)."""
    record = answers.build_record(
        page, submission, submission.form_data, page.get_salesmanago_past_contact_id(submission),
        "", account=account, questions=questions, event=False,  # "": no cookie came with it
    )
    if contact_fields.asks_double_opt_in(record.payload):
        answers.add_note(record, PAST_DOUBLE_OPT_IN)
        record.payload = without_double_opt_in(record.payload)
    return record


#: On a past answer's record whose form asks for double opt-in.
PAST_DOUBLE_OPT_IN = stored_messages.message("past_double_opt_in")


def without_double_opt_in(body):
    """A past answer's body: its consent as given then, but never a confirmation e-mail now."""
    lead_fields = contact_fields.lead_of(body)[1]
    rest = {key: value for key, value in body.items() if key not in contact_fields.LEAD_KEYS}
    return {**rest, **contact_fields.without_double_opt_in(lead_fields)}


def dry_run(page, since=None, until=None):
    """How many past answers would go in each mode: ``Counter`` of ``ExportRecord.Mode``."""
    account = check(page)
    questions = page.get_salesmanago_questions()
    modes = Counter()
    for chunk in chunks(page, since, until):
        # A record skipped (no contact, or stopped by the form's rules) is sent in no mode.
        modes.update(record.mode if record.status != ExportRecord.Status.SKIPPED else
                     ExportRecord.Mode.NONE for record in (
                         build(page, account, questions, submission) for submission in chunk))
    return modes


def start(page, since=None, until=None, status=ExportRun.Status.RUNNING):
    """A new export run of the page's past answers; ``ExportRefused`` if one is under way."""
    check(page)
    active = ExportRun.objects.active_for(page)
    if active is not None and active.updated_at > timezone.now() - STALE:
        raise ExportRefused(_(
            "An export of the past answers of “%(title)s” is already under way (%(done)s of "
            "%(total)s done). If its process was killed, run it again after %(time)s.") % {
            "title": page.title, "done": active.done, "total": active.total,
            "time": f"{timezone.localtime(active.updated_at + STALE):%H:%M}"})
    return ExportRun.objects.create(page=page, since=since, until=until, status=status,
                                    total=past_answers(page, since, until).count())


def run(export_run, *, batch_size=None, progress=None):
    """Export the run's answers, noting its progress; its error is noted before it is raised."""
    try:
        export(export_run, batch_size or BATCH_SIZE, progress or Silent())
    except BaseException as err:  # Ctrl-C too: a rerun need not wait for the run to go stale
        # A refusal is written in the language it was raised in (the user's, who asked for it).
        message = stored_messages.Message(str(err)) if isinstance(err, ExportRefused) else (
            stored_messages.message("export_stopped", error=type(err).__name__))
        export_run.status = ExportRun.Status.FAILED
        stored_messages.put(export_run, "error", message)
        ExportRun.objects.filter(pk=export_run.pk).update(
            status=ExportRun.Status.FAILED, error=export_run.error,
            updated_at=timezone.now())
        raise
    export_run.status = ExportRun.Status.DONE
    export_run.save(update_fields=["status", "updated_at"])


def export(export_run, size, progress):
    page = export_run.page.specific
    account = check(page)
    answers = past_answers(page, export_run.since, export_run.until)
    # Stored by an earlier run that was killed before sending them: they go first.
    leftovers = list(ExportRecord.objects.due().filter(page=page).values_list("pk", flat=True))
    export_run.status, export_run.total = ExportRun.Status.RUNNING, answers.count() + len(leftovers)
    export_run.save(update_fields=["status", "total", "updated_at"])
    progress.start(export_run)
    for start_at in range(0, len(leftovers), CHUNK):
        note(export_run, send(leftovers[start_at:start_at + CHUNK], size, site=account.site),
             progress)
    questions = page.get_salesmanago_questions()
    # The answers there are now: one given during the run is the live form's to send.
    newest = answered(page).values_list("pk", flat=True).last()
    for chunk in chunks(page, export_run.since, export_run.until, newest=newest):
        records = store(withdrawn([build(page, account, questions, submission)
                                   for submission in chunk], chunk))
        kept = Counter(r.status for r in records if r.status in ExportRecord.NOT_SENT_ON_PURPOSE)
        note(export_run, send([r.pk for r in records if r.status == Status.PENDING], size, kept,
                              site=account.site), progress)
    progress.finish(export_run)


def withdrawn(records, submissions):
    """The ``records`` of past answers (``submissions``, in the same order), each marked opted
    out whose contact unsubscribed (SALESmanago's opt-out callback) after answering: it is then
    sent without an e-mail opt-in (``answers.stored_parts``). One query for the chunk."""
    emails = {record.email.lower() for record in records if record.email}
    since = dict(ExportRecord.objects.annotate(address=Lower("email")).filter(
        address__in=emails, opt_in_state=ExportRecord.OptInState.OPTED_OUT).order_by(
        "opt_in_changed_at").values_list("address", "opt_in_changed_at")) if emails else {}
    for record, submission in zip(records, submissions):
        moment = since.get(record.email.lower())
        if moment and answers.submitted_at(submission) < moment:
            record.opt_in_state, record.opt_in_changed_at = ExportRecord.OptInState.OPTED_OUT, moment
    return records


def store(records):
    """Store a chunk's records; those whose answer got a record meanwhile (a live answer just
    given, or another run) are left out, and the rest are stored. The stored ones."""
    try:
        with transaction.atomic():
            return inserts.insert(records)
    except IntegrityError:
        pass
    stored = []
    for record in records:  # rare: a record each, in a savepoint of its own
        # The rolled-back INSERTs gave some of them ids, which SQLite hands out again: each is
        # a new row, never an UPDATE of whatever record took that id since.
        record.pk, record._state.adding = None, True
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError:
            logger.info("Submission %s already has a SALESmanago record; not exported again.",
                        record.submission_id)
            continue
        stored.append(record)
    return stored


def send(ids, size, kept=(), site=None):
    """Send these stored records (of ``site``'s form): batches, then one by one what batches
    leave; their outcomes, with ``kept`` (a ``Counter`` of the chunk's records not to send:
    skipped, quarantined). While the site's calls are paused they wait, together, for after the
    pause (``outbox.wait_out_all``), with no call."""
    now = timezone.now()
    paused = DeliveryPause.objects.until(site, now) if site is not None else None
    if paused is not None:
        outbox.wait_out_all(ExportRecord.objects.filter(pk__in=ids), retry.spread(now, paused), now,
                            size)
        return Counter(ExportRecord.objects.filter(pk__in=ids).values_list("status", flat=True)
                       ) + Counter(kept)
    backlogs.send_batches(claims(ids, size, now))
    # What batches do not carry (contacts by ID, those left out of a batch's contactIds) goes
    # alone, each once in this pass; e-mail contacts to retry wait for the next batch.
    now = timezone.now()
    carried = ExportRecord.objects.batchable(now).filter(pk__in=ids).values("pk")
    alone = outbox.due(now).filter(pk__in=ids).exclude(pk__in=carried)
    for record_id in list(alone.values_list("pk", flat=True)):
        try:
            outbox.send(record_id)
        except Exception:
            logger.exception("SALESmanago export %s could not be sent; it stays due.", record_id)
    outcomes = Counter(ExportRecord.objects.filter(pk__in=ids).values_list("status", flat=True))
    outcomes.update(kept)
    return outcomes


def claims(ids, size, began):
    """``backlogs.send_batches``'s ``next_ids``: the stored ``ids``, claimed a batch at a time.
    A claim looks at one batch's worth of them only: its conditions (JSON among them) are checked
    on those rows, not on the whole chunk for every batch. A part is claimed again until nothing
    is left of it (a second answer of one e-mail waits for the next batch); records retried since
    ``began`` wait for the next pass."""
    size = batches.fitting(size)
    parts = [ids[first:first + size] for first in range(0, len(ids), size)]

    def next_ids(now):
        while parts:
            claimed = batches.claim(size, now, began, pk__in=parts[0])
            if claimed:
                return claimed
            parts.pop(0)
        return []

    return next_ids


def note(export_run, outcomes, progress):
    export_run.sent += outcomes[Status.SENT]
    export_run.failed += outcomes[Status.FAILED]
    export_run.skipped += outcomes[Status.SKIPPED]
    export_run.quarantined += outcomes[Status.QUARANTINED]
    export_run.retrying += sum(outcomes[status] for status in (
        Status.PENDING, Status.RETRYING, Status.THROTTLED, Status.HELD))
    export_run.save(update_fields=["sent", "failed", "skipped", "quarantined", "retrying",
                                   "updated_at"])
    progress.update(export_run)


def run_queued(run_id):
    """The export a user asked for in the page's panel (the ``export_past_answers`` task)."""
    taken = ExportRun.objects.filter(pk=run_id, status=ExportRun.Status.QUEUED).update(
        status=ExportRun.Status.RUNNING, updated_at=timezone.now())
    if not taken:
        return  # run already, or by another worker
    try:
        run(ExportRun.objects.select_related("page").get(pk=run_id))
    except Exception:
        logger.exception("The SALESmanago export of past answers %s stopped.", run_id)


class Silent:
    """No progress shown (a worker's run: the page's panel shows it)."""

    def start(self, export_run):
        pass

    def update(self, export_run):
        pass

    def finish(self, export_run):
        pass
