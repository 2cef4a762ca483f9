"""What a visitor's submission sets off: its record stored, then handed to the task backend.

Nothing here ever raises into the visitor's request: an answer whose record cannot be stored
gets a bare ``skipped`` one that staff see (the submission itself is always stored first).
"""

import logging
from contextlib import nullcontext
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from .. import stored_messages
from ..records import ExportRecord
from .account import account_for_page
from . import quarantine
from .answers import create_record
from .outbox import enqueue_stored

logger = logging.getLogger(__name__)


def export_submission(page, submission, answers, raw_contact_id, cookie_id, notes=(), spam=None,
                      attribution=None):
    """Record the export of ``submission`` (with ``notes`` for staff; quarantined if ``spam``, the
    page's spam check, a callable, says why it is spam; with ``attribution``, where the visitor
    came from) and send it after commit. Never raises."""
    try:
        # A savepoint where there is a transaction to protect (a failed statement would spoil the
        # submission's on PostgreSQL); outside one the record's INSERT is its own transaction.
        with transaction.atomic() if transaction.get_connection().in_atomic_block else nullcontext():
            account = account_for_page(page)
            record = create_record(page, submission, answers, raw_contact_id, cookie_id,
                                   account=account, notes=notes, spam=quarantine.spam_of(spam),
                                   attribution=attribution)
    except IntegrityError:
        taken = ExportRecord.objects.for_answer(submission).first()
        if taken is not None:  # a past-answers export of the form took it this very moment
            logger.info("Submission %s already has a SALESmanago record.", submission.pk)
            return taken
        log_not_recorded(page, submission)
        return None
    except Exception as err:
        log_not_recorded(page, submission)
        return record_the_failure(page, submission, err)
    if record.status == ExportRecord.Status.PENDING:
        transaction.on_commit(partial(enqueue_stored, record, account))
    return record


def log_not_recorded(page, submission):
    """The server log's line, with the traceback, for an answer whose record could not be made."""
    logger.exception("Could not record the SALESmanago export of submission %s (page %s).",
                     submission.pk, page.pk)


def record_the_failure(page, submission, error):
    """A bare ``skipped`` record in place of one that could not be stored, so staff see it."""
    try:
        with transaction.atomic():
            record = ExportRecord(
                page=page,
                submission_type=ContentType.objects.get_for_model(submission),
                submission_id=str(submission.pk),
                status=ExportRecord.Status.SKIPPED,
            )
            stored_messages.put(record, "last_error", stored_messages.message(
                "not_recorded", error=type(error).__name__))
            record.save()
            return record
    except Exception:
        logger.exception("Could not record the failed SALESmanago export of submission %s.",
                         submission.pk)
        return None
