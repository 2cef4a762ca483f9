"""The daily digest: yesterday's deliveries of a site's forms, mailed to the addresses its
settings name (``SalesmanagoSettings.digest_to``), with why any failed. Nothing is mailed for a
day without answers. ``manage.py salesmanago_digest`` sends it, from cron or a worker."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.admin.utils import get_admin_base_url
from wagtail.models import Page

from .. import stored_messages
from .alerts import deliveries_url
from ..records import ExportRecord, SalesmanagoSettings
from ..records.report import SERIES, SERIES_LABELS, Period, figures
from ..records.sites import of_site

logger = logging.getLogger(__name__)


#: The most causes of failure a form's digest names; the rest are counted ("and 3 more").
MAX_CAUSES = 10


class NoRecipients(ValueError):
    """The settings ask for a digest to ``ADMINS``, and ``ADMINS`` is empty."""


@dataclass
class Digest:
    site: object
    recipients: list
    subject: str
    body: str


def yesterday():
    """Yesterday in the site's time zone (``TIME_ZONE``)."""
    return Period(1, timezone.localdate() - datetime.timedelta(days=1))


def absolute(url):
    """An admin address a mail reader can open (``WAGTAILADMIN_BASE_URL`` before it)."""
    return f"{get_admin_base_url() or ''}{url}"


def failure_causes(records, period):
    """Why the period's failed answers failed: ``{page_id: ([(message, count), ...], more)}``,
    the most frequent first, at most ``MAX_CAUSES`` of them, and how many failed of the rest,
    from one grouped query."""
    causes = {}
    rows = (records.current().filter(status=ExportRecord.Status.FAILED, created_at__gte=period.start,
                                     created_at__lt=period.end)
            .values("page", "last_error").annotate(count=Count("pk")).order_by("page", "-count"))
    for row in rows:
        causes.setdefault(row["page"], []).append(
            (stored_messages.render(row["last_error"]), row["count"]))
    return {page: (found[:MAX_CAUSES], sum(count for _, count in found[MAX_CAUSES:]))
            for page, found in causes.items()}


def compose(site_settings, period):
    """The digest of ``site_settings``' site for ``period``, or ``None`` when there is nothing
    to say (no answers); ``NoRecipients`` when it names only an empty ``ADMINS``."""
    recipients = site_settings.digest_recipients(settings.ADMINS)
    if not recipients:
        raise NoRecipients("ADMINS")
    site = site_settings.site
    records = ExportRecord.objects.filter(of_site(site.pk))
    [day], forms = figures(records, period, Page.objects.filter(of_site(site.pk, url_path="url_path")))
    if not day.answers:
        return None
    causes = failure_causes(records, period)
    labels = {status: str(label).lower() for status, label in SERIES_LABELS.items()}
    context = {
        "site": site, "day": period.last,
        "forms": [{
            "title": form.page.title,
            "counts": [(labels[status], form.counts[status]) for status in SERIES
                       if form.counts[status]],
            "answers": form.answers,
            "share_within_minute": form.share_within_minute,
            "causes": causes.get(form.page.pk, ([], 0))[0],
            "more_failed": causes.get(form.page.pk, ([], 0))[1],
            "failed_url": absolute(deliveries_url(
                status=ExportRecord.Status.FAILED, page=form.page.pk,
                created_at_from=period.last.isoformat(), created_at_to=period.last.isoformat())),
        } for form in forms],
        "report_url": absolute(reverse("wagtail_salesmanago_report") + "?days=7"),
    }
    attention = day.counts[ExportRecord.Status.FAILED] or day.counts[ExportRecord.Status.HELD]
    subject = (_("SALESmanago deliveries of %(site)s on %(day)s: some need attention")
               if attention else _("SALESmanago deliveries of %(site)s on %(day)s"))
    return Digest(site, recipients, subject % {"site": site, "day": period.last.isoformat()},
                  render_to_string("wagtail_salesmanago/digest.txt", context).strip() + "\n")


def send_digests(period=None, dry_run=False):
    """Compose, and unless ``dry_run`` mail, each site's digest of ``period`` (yesterday).
    ``[(site, digest or None, error or None)]``, a site whose settings ask for none left out;
    a mail server that refuses one site's digest stops no other's."""
    period = period or yesterday()
    done = []
    with translation.override(settings.LANGUAGE_CODE):
        for site_settings in (SalesmanagoSettings.objects.exclude(digest_to="")
                              .select_related("site").order_by("site__hostname")):
            digest, error = None, None
            try:
                digest = compose(site_settings, period)
                if digest and not dry_run:
                    send_mail(digest.subject, digest.body, None, digest.recipients)
            except NoRecipients as err:
                error = err
            except Exception as err:
                logger.exception("Could not mail the SALESmanago digest of site %s.",
                                 site_settings.site_id)
                error = err
            done.append((site_settings.site, digest, error))
    return done
