"""Holding a site's deliveries while SALESmanago rejects its credentials or owner.

Such a rejection is not any record's fault: failing the records would lose them, and sending
them would only be refused again. So the site gets a ``DeliveryHold``, its records wait as
``held``, and SALESmanago is asked at most once per ``HOLD_CHECK_SECONDS`` whether the
credentials work now (``user/listByClient``, the credentials check). The hold lifts when a check
passes or the credentials change, in the admin or in the server configuration (the hold keeps a
keyed fingerprint of the rejected ones). ``outbox`` decides when to call these.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .. import conf, stored_messages
from ..api.client import CREDENTIALS_CHECK
from ..api.exceptions import (
    AccessDeniedError,
    AuthenticationError,
    FormOwnerError,
    NotConfigured,
    OwnerError,
    PermanentError,
    SalesmanagoError,
    ThrottledError,
    TransientError,
)
from ..records import DeliveryHold, ExportRecord
from .account import is_user, pause_calls

logger = logging.getLogger(__name__)
Reason = DeliveryHold.Reason


def fingerprint(account):
    """A keyed hash of the values SALESmanago judges: it changes when any of them does."""
    values = (account.endpoint, account.client_id, account.api_secret, account.owner_email)
    text = "\0".join(str(value or "").strip() for value in values)
    return salted_hmac("wagtail_salesmanago.holds", text, algorithm="sha256").hexdigest()


def is_for(hold, account):
    """Whether ``hold`` was started for ``account``'s credentials as they are now."""
    return hold.fingerprint == fingerprint(account)


def reason_for(error):
    if isinstance(error, AccessDeniedError):
        return Reason.DENIED
    if isinstance(error, OwnerError):
        return Reason.OWNER
    return Reason.REJECTED


def check_interval():
    return timedelta(seconds=conf.get("HOLD_CHECK_SECONDS"))


def start(site, account, error, now):
    """The site's hold for ``error`` (a new one, or the one another sender just made); and
    whether it is new."""
    return DeliveryHold.objects.get_or_create(
        site=site,
        defaults={
            "reason": reason_for(error),
            "message": stored_messages.as_message(error),
            "since": now,
            "next_check_at": now + check_interval(),
            "fingerprint": fingerprint(account),
        },
    )


def claim_check(hold, now):
    """Take the hold's next credentials check; only one sender wins it per interval."""
    return (
        DeliveryHold.objects.filter(pk=hold.pk, next_check_at__lte=now).update(
            next_check_at=now + check_interval(), last_check_at=now, checks=F("checks") + 1
        )
        == 1
    )


def credentials_work(hold, account, client=None):
    """One credentials check for a held site. ``True`` if it passes; otherwise the hold says why.

    ``client``: the sender's, so that the check counts against its attempt's deadline. A check
    that breaks (its answer cannot be stored, say) keeps the hold: the records wait, never fail.
    """
    try:
        users = (client or account.get_client()).list_users(account.owner_email)
    except ThrottledError as err:  # the hold stays, and the account's calls pause
        pause_calls(account, err, timezone.now())
        logger.warning("SALESmanago hold of site %s: the check was throttled: %s", hold.site_id, err)
        return False
    except TransientError as err:
        logger.warning("SALESmanago hold of site %s: the check could not run: %s", hold.site_id, err)
        return False
    except (SalesmanagoError, NotConfigured) as err:
        update = {"reason": reason_for(err), "message": stored_messages.as_message(err)}
    except Exception:
        logger.exception("SALESmanago hold of site %s: the check failed.", hold.site_id)
        return False
    else:
        if is_user(account.owner_email, users):
            return True
        update = {"reason": Reason.OWNER, "message": not_a_user(account.owner_email)}
    try:
        DeliveryHold.objects.filter(pk=hold.pk).update(**update)
    except Exception:
        logger.exception("Could not store the SALESmanago hold check of site %s.", hold.site_id)
    logger.warning("SALESmanago deliveries of site %s stay on hold: %s", hold.site_id, update["message"])
    return False


def explain(error, client, account, form_owner=""):
    """``error``, or what a refusal that does not name the credentials was about, once checked.

    ``form_owner``: the owner the call was made as, when the form has its own: if SALESmanago
    refused it and it is not one of the account's users, the refusal is the record's (staff fix
    the form and resend), and the site's deliveries are not held.

    A 401/403 that is not SALESmanago's JSON is checked too: a firewall may block one answer's
    content, and holding the site for it would stop every other answer for as long as it waits.
    """
    if isinstance(error, AuthenticationError) and client is not None:
        error = refused_form_owner(client, account.owner_email, form_owner, error)
    refusal = isinstance(error, PermanentError) and not (
        error.holds_site or isinstance(error, FormOwnerError))  # that one was checked
    denied = isinstance(error, AccessDeniedError) and error.path != CREDENTIALS_CHECK
    if client is None or not (refusal or denied):
        return error
    try:
        return explain_refusal(client, account.owner_email, error)
    except Exception:
        logger.exception("Could not check the credentials after a SALESmanago refusal.")
        return error


def explain_refusal(client, owner, error):
    """What a refusal that does not name the credentials was about, after checking them.

    SALESmanago's words for its refusals are not documented beyond "Not authenticated", so a
    refusal of an upsert or update is checked with the credentials check: refused there too ->
    credentials; the owner missing from the users -> owner; else the refusal is this record's.
    """
    try:
        users = client.list_users(owner)
    except ThrottledError as err:  # the check asked to slow down: that is what matters now
        return err
    except TransientError as err:
        # ``error.message`` already ends with the refused call's status and path: not again.
        # (No ``kind``: only "denied" is ever read, and the check's failure is not that.)
        return TransientError(stored_messages.join(error.message, stored_messages.message(
            "check_failed_too", reason=err.description)))
    except SalesmanagoError as err:
        return err
    if not is_user(owner, users):
        return error.retold(OwnerError, not_a_user(owner))
    if isinstance(error, AccessDeniedError):
        # Only this call was turned away: it is retried, and given up in time like any other.
        return TransientError(
            stored_messages.join(error.message, stored_messages.message("only_this_blocked")),
            kind="denied",
        )
    return error


def refused_form_owner(client, site_owner, own, error):
    """The error for a refusal sent as the form's owner: the record's own if that owner is not
    one of the account's users, else the refusal as it was (the site's credentials, also when
    the form has no owner of its own)."""
    if not own or is_user(own, [site_owner]):
        return error
    try:
        users = client.list_users(site_owner)
    except Exception:
        return error
    if is_user(own, users):
        return error
    if not is_user(site_owner, users):  # the site's owner is not one either: the site waits
        return error.retold(OwnerError, not_a_user(site_owner))
    return error.retold(FormOwnerError, stored_messages.message("form_owner_not_user", owner=own))


def not_a_user(owner):
    return stored_messages.message("owner_not_user", owner=owner)


def release(hold, now, why):
    """Lift the hold: its records are due now, with a fresh give-up window. Their ids."""
    with transaction.atomic():
        locked = DeliveryHold.objects.select_for_update().filter(pk=hold.pk).first()
        if locked is None:
            return []  # another process lifted it
        ids = locked.records.all().wake(now)
        locked.delete()
    logger.info("SALESmanago hold of site %s lifted (%s); %s deliveries due.", hold.site_id, why, len(ids))
    return ids


def release_orphans(now):
    """Records left ``held`` without a hold (its site was deleted, say) become due. Their ids."""
    return ExportRecord.objects.filter(hold__isnull=True).wake(now)
