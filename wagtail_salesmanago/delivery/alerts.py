"""Telling staff when a form's deliveries start failing, or a site's go on hold: one mail per change."""

import logging

from django.core.mail import mail_admins
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .. import conf
from ..records import ExportRecord

logger = logging.getLogger(__name__)


def on_failure(record, along=()):
    """Mail the site admins if this failure turns a working form into a failing one. ``along``:
    the records that failed with it (in one batch), which say nothing of before."""
    if not conf.get("ALERT_ADMINS"):
        return
    previous = (
        ExportRecord.objects.filter(
            page_id=record.page_id, status__in=[ExportRecord.Status.SENT, ExportRecord.Status.FAILED]
        )
        .exclude(pk__in=[record.pk, *along])
        .order_by("-updated_at", "-pk")
        .first()
    )
    if previous is not None and previous.status == ExportRecord.Status.FAILED:
        return  # already failing: staff were told when it started
    title = record.page.title
    try:
        mail_admins(
            _("SALESmanago deliveries of “%(form)s” are failing") % {"form": title},
            _(
                "A submission of the form “%(form)s” could not be sent to SALESmanago.\n\n"
                "%(error)s\n\nThe deliveries list: %(url)s"
            )
            % {"form": title, "error": record.last_error, "url": failed_list_url(record.page_id)},
        )
    except Exception:
        logger.exception("Could not mail the SALESmanago failure alert for page %s.", record.page_id)


def on_hold(hold):
    """Mail the site admins once when a site's deliveries go on hold."""
    if not conf.get("ALERT_ADMINS"):
        return
    try:
        mail_admins(
            _("SALESmanago deliveries of %(site)s are on hold") % {"site": hold.site},
            _(
                "The form results of %(site)s wait for SALESmanago instead of failing; nothing is "
                "lost.\n\n%(reason)s\n%(message)s\n\n%(advice)s\n\nThe deliveries list: %(url)s"
            )
            % {"site": hold.site, "reason": hold.get_reason_display(), "message": hold.message,
               "advice": hold.advice, "url": held_list_url()},
        )
    except Exception:
        logger.exception("Could not mail the SALESmanago hold alert for site %s.", hold.site_id)


def deliveries_url(**filters):
    """The admin's deliveries list filtered by ``filters``, in the list's own query names
    (``status``, ``page``, ``site``, ``created_at_from``...); those without a value left out."""
    url = reverse("wagtail_salesmanago_deliveries:index")
    query = urlencode({name: value for name, value in filters.items() if value})
    return f"{url}?{query}" if query else url


def held_list_url():
    return deliveries_url(status="held")


def failed_list_url(page_id=None):
    """The admin's deliveries list, filtered to failures (of one form page, if given)."""
    return deliveries_url(status="failed", page=page_id)
