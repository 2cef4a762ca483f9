"""The background tasks: primitive arguments only, so that any django-tasks backend runs them.

The top of the delivery layer: workers import this module by its path, and it calls down into
the outbox, the backlogs and the history export. The code below enqueues these tasks in turn: it
finds them in ``queue``, where they are registered here (``apps.py`` imports this module).
"""

import logging

from django_tasks import task
from django_tasks.backends.immediate import ImmediateBackend

from .backlogs import drain
from .erasure import send as send_erasure
from .history import run_queued
from .outbox import check_site, send
from .queue import register
from .retention import apply as apply_retention_now

logger = logging.getLogger(__name__)


@task()
def deliver_export(record_id, resend=False):
    """Send export record ``record_id`` to SALESmanago (primitive arguments: any backend works)."""
    send(record_id, resend=resend)
    if not isinstance(deliver_export.get_backend(), ImmediateBackend):
        # A worker also takes one batch of any other due e-mail contacts, so that a backlog
        # (after an outage, say) drains in batch calls; never in a visitor's request.
        try:
            drain(rounds=1)
        except Exception:
            logger.exception("Could not drain a batch of SALESmanago deliveries; they stay due.")


@task()
def check_hold(site_id):
    """Check once whether a held site's credentials work again; if so its deliveries resume."""
    check_site(site_id)


@task()
def export_past_answers(run_id):
    """Export a form's past answers, as ``salesmanago_export`` does (the page panel's action)."""
    run_queued(run_id)


@task()
def apply_retention():
    """Remove the answers from deliveries older than their retention, as ``salesmanago_retention``
    does: for a site whose scheduler enqueues tasks rather than running commands."""
    apply_retention_now()


@task()
def erase_in_salesmanago(request_id):
    """Ask SALESmanago to delete an erased person's contact (``erasure.send``)."""
    send_erasure(request_id)


# (``apply_retention`` is the site's scheduler's to enqueue: nothing here enqueues it by name.)
register(deliver_export=deliver_export, check_hold=check_hold,
         export_past_answers=export_past_answers, erase_in_salesmanago=erase_in_salesmanago)
