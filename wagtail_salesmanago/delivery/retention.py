"""Retention: the answers in deliveries kept no longer than each site (or form) says.

``salesmanago_retention`` (from cron) and the ``apply_retention`` task run ``apply``: every
record older than its form's ``salesmanago_retention_days``, else its site's ``retention_days``,
has its answers removed (``ExportRecordQuerySet.redact``). Wagtail's own form submissions are the
site's to prune (docs/production.md says how, together).
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone
from wagtail.models import Page

from ..records import ExportRecord
from ..records.sites import site_of
from .account import every_account

logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    records: int = 0
    attempts: int = 0
    #: days -> the pages whose deliveries are kept that long
    pages_by_days: dict = field(default_factory=dict)


def apply(now=None, dry_run=False):
    """Remove the answers of every delivery older than its retention; with ``dry_run``, count
    them only. One line in the log says how many."""
    now = now or timezone.now()
    outcome = Outcome(pages_by_days=retention_of_pages())
    for days, pages in sorted(outcome.pages_by_days.items()):
        expired = ExportRecord.objects.filter(page_id__in=pages, created_at__lt=now - timedelta(
            days=days), redacted_at__isnull=True)
        if dry_run:
            outcome.records += expired.count()
        else:
            records, attempts = expired.redact(now, days)
            outcome.records += records
            outcome.attempts += attempts
    logger.info("salesmanago_retention: %s %d record(s) and %d attempt(s).",
                "would redact" if dry_run else "redacted", outcome.records, outcome.attempts)
    return outcome


def retention_of_pages():
    """``{days: [page IDs]}`` for the pages whose deliveries hold answers and have a retention:
    the page's own, else its site's. Read in a few queries, whatever the number of records."""
    page_ids = ExportRecord.objects.filter(redacted_at__isnull=True).values("page_id").distinct()
    site_days = sites_retention()
    plan = {}
    for page in Page.objects.filter(pk__in=page_ids).specific():
        days = getattr(page, "salesmanago_retention_days", None) or site_days.get(
            site_of(page.url_path))
        if days:
            plan.setdefault(days, []).append(page.pk)
    return plan


def sites_retention():
    """``{site ID: days}`` for the sites that keep answers for a limited time (the server
    configuration's ``retention_days`` first, then Settings > SALESmanago)."""
    days = {}
    for account in every_account():
        site = account.site
        if account.retention_days in (None, ""):
            continue
        try:
            kept = int(account.retention_days)
        except (TypeError, ValueError):
            kept = 0
        if not 1 <= kept <= 36500:  # the server configuration's, unchecked by a form
            logger.error("salesmanago_retention: retention_days of site %s must be a number of "
                         "days from 1 to 36500 (got %r): its deliveries are left alone.",
                         site.pk, account.retention_days)
            continue
        days[site.pk] = kept
    return days
