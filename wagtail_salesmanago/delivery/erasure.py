"""Erasing a person: every delivery the package holds about them, and (if asked) the contact in
SALESmanago (``contact/delete``), retried while SALESmanago cannot answer.

Deliveries are found by the e-mail (any case) or by a contact ID (the link's, the cookie's, or
the one SALESmanago answered). Each SALESmanago account the site's forms export to is asked
once (sites sharing an account share the call); the request is an ``ErasureRequest`` that keeps
the address only until SALESmanago answers.
"""

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import stored_messages
from ..api.exceptions import PermanentError, SalesmanagoError, UnknownContactError
from ..records import ErasureRequest, ExportRecord
from . import retry
from .account import account_for_site, every_account, same_account
from .queue import enqueue

logger = logging.getLogger(__name__)


@dataclass
class Plan:
    """What an erasure finds: the deliveries, and the SALESmanago accounts to ask."""

    records: int = 0
    email: str = ""
    #: one site per SALESmanago account (endpoint and client ID) set up on the site
    sites: list = field(default_factory=list)


def deliveries_of(email, contact_id):
    """Every delivery of the person with ``email`` (any case) or ``contact_id``."""
    condition = Q(pk__in=[])
    if email:
        condition |= Q(email__iexact=email.strip())
    if contact_id:
        condition |= Q(contact_id__iexact=contact_id.strip()) | Q(
            salesmanago_contact_id__iexact=contact_id.strip())
    return ExportRecord.objects.filter(condition)


def plan(email, contact_id, in_salesmanago):
    """What ``erase`` would do, without doing it."""
    records = deliveries_of(email, contact_id)
    found = Plan(records=records.count(), email=(email or "").strip())
    if not found.email and contact_id:  # SALESmanago deletes by e-mail: the deliveries know it
        found.email = records.exclude(email="").values_list("email", flat=True).first() or ""
    if in_salesmanago:
        found.sites = account_sites()
    return found


def account_sites():
    """One site per SALESmanago account the site's forms export to (those with credentials)."""
    chosen = []
    for account in every_account():
        if not account.missing() and not any(same_account(account, other) for other in chosen):
            chosen.append(account)
    return [account.site for account in chosen]


def erase(email, contact_id, *, in_salesmanago, permanently, requested_by):
    """Erase the person's deliveries now, and ask SALESmanago to delete the contact (after
    commit; retried). The ``ErasureRequest`` rows that record it, one per account asked (one
    without a site when SALESmanago is not asked)."""
    found = plan(email, contact_id, in_salesmanago)
    now = timezone.now()
    with transaction.atomic():
        deliveries_of(email, contact_id).delete()  # their attempts go with them
        common = {"requested_by": requested_by[:150], "records_erased": found.records,
                  "permanently": permanently}
        if not in_salesmanago:
            return [ErasureRequest.objects.create(**common, message=stored_messages.message(
                "erased_here"), finished_at=now)]
        if not found.email:
            return [ErasureRequest.objects.create(**common, in_salesmanago=True,
                                                  status=ErasureRequest.Status.FAILED,
                                                  finished_at=now, message=stored_messages.message(
                                                      "erase_no_email"))]
        requests = [ErasureRequest.objects.create(
            **common, site=site, in_salesmanago=True, status=ErasureRequest.Status.PENDING,
            email=found.email, next_attempt_at=now) for site in found.sites]
    for request in requests:
        transaction.on_commit(lambda pk=request.pk: enqueue(
            "erase_in_salesmanago", pk,
            failed=f"Could not queue SALESmanago erasure {pk}; salesmanago_retry sends it."))
    logger.info("Erased %d delivery record(s); %d SALESmanago account(s) to ask.",
                found.records, len(requests))
    return requests


def send(request_id, now=None):
    """Ask SALESmanago to delete the contact of a pending erasure; its new status."""
    now = now or timezone.now()
    request = ErasureRequest.objects.filter(
        pk=request_id, status=ErasureRequest.Status.PENDING).select_related("site").first()
    if request is None:
        return None
    if request.site is None:
        request.give_up(now, stored_messages.message("erase_no_site"))
        return request.status
    account = account_for_site(request.site)
    try:
        account.get_client().with_deadline().delete_contact(
            account.owner_email, request.email, request.permanently)
    except UnknownContactError:
        request.finish(now, stored_messages.message("erase_unknown"))
    except PermanentError as err:
        request.give_up(now, stored_messages.join(stored_messages.message("erase_refused"),
                                                  stored_messages.of_error(err)))
    except SalesmanagoError as err:
        at = retry.next_attempt_at(request.requested_at, request.attempts + 1, now)
        if at is None:
            request.give_up(now, stored_messages.of_error(err))
        else:
            request.retry(at, stored_messages.of_error(err))
            enqueue("erase_in_salesmanago", request.pk, run_after=at,
                    failed=f"Could not queue SALESmanago erasure {request.pk}; "
                           "salesmanago_retry sends it.")
    else:
        request.finish(now, stored_messages.message(
            "erased_permanently" if request.permanently else "erased_hidden"))
    return request.status


def send_due(now=None):
    """Send every pending erasure that is due (``salesmanago_retry``); how many were tried."""
    now = now or timezone.now()
    due = list(ErasureRequest.objects.filter(status=ErasureRequest.Status.PENDING,
                                             next_attempt_at__lte=now).values_list("pk", flat=True))
    for request_id in due:
        send(request_id, now)
    return len(due)
