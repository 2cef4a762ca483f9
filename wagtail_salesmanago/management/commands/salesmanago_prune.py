"""Remove old SALESmanago delivery records that were sent (they hold answers)."""

import re
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from wagtail_salesmanago.records import ExportRecord

UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_age(text):
    """``90d``, ``12h`` or ``30m`` as a timedelta."""
    match = re.fullmatch(r"(\d+)([dhm])", text.strip())
    if not match:
        raise CommandError(f"--older-than takes a number and d, h or m, like 90d (got {text!r}).")
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


class Command(BaseCommand):
    help = "Delete SALESmanago delivery records sent longer ago than --older-than (e.g. 90d)."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", required=True, help="age, e.g. 90d, 12h, 30m")
        parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")

    def handle(self, *args, older_than, dry_run, **options):
        old = ExportRecord.objects.filter(
            status=ExportRecord.Status.SENT, sent_at__lt=timezone.now() - parse_age(older_than)
        )
        count = old.count()
        if not dry_run:
            old.delete()
        self.stdout.write(f"{'Would delete' if dry_run else 'Deleted'} {count} sent record(s).")
