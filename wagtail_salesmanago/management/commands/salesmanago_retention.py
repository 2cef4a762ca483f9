"""Remove the answers from deliveries older than their site's (or form's) retention."""

from django.core.management.base import BaseCommand

from wagtail_salesmanago.delivery import retention


class Command(BaseCommand):
    help = ("Remove the answers from SALESmanago deliveries older than their site's retention "
            "(Settings > SALESmanago) or their form's; from cron, daily.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")

    def handle(self, *args, dry_run, **options):
        outcome = retention.apply(dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"salesmanago_retention: would redact {outcome.records} record(s).")
        else:
            self.stdout.write(f"salesmanago_retention: redacted {outcome.records} record(s) and "
                              f"{outcome.attempts} attempt(s).")
