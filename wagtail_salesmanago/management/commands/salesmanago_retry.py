"""Send the SALESmanago deliveries that are due: run it from cron with the immediate backend."""

import logging

from django.core.management.base import BaseCommand
from django.utils.timezone import localtime

from wagtail_salesmanago import outbox
from wagtail_salesmanago.models import DeliveryHold

logger = logging.getLogger("wagtail_salesmanago.outbox")


class Command(BaseCommand):
    help = (
        "Send SALESmanago deliveries that are due (new, or waiting for a retry), and check the "
        "sites whose deliveries are on hold."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list what is due, send nothing")
        parser.add_argument("--limit", type=int, default=None, help="send at most this many")

    def handle(self, *args, dry_run, limit, **options):
        if dry_run:
            self.list_holds()
            due = outbox.due().select_related("page")[:limit]
            for record in due:
                what, error = record.status, record.last_error
                if record.event_due:  # a sent contact is due only for its event
                    what, error = f"{record.status}, event {record.event_status}", record.event_error
                self.stdout.write(
                    f"#{record.pk} {what} page={record.page_id} attempts={record.attempts} "
                    f"due={record.next_attempt_at:%Y-%m-%d %H:%M:%S} {error}".rstrip()
                )
            self.stdout.write(f"{len(due)} due; nothing sent (--dry-run).")
            return
        outbox.check_holds()
        outcomes = {}
        for record_id in list(outbox.due()[:limit].values_list("pk", flat=True)):
            status = self.send(record_id)
            outcomes[status] = outcomes.get(status, 0) + 1
        self.list_holds()
        summary = ", ".join(f"{status}: {count}" for status, count in sorted(outcomes.items()))
        self.stdout.write(f"{sum(outcomes.values())} due; {summary or 'nothing to send'}.")

    def send(self, record_id):
        """One record's outcome; whatever goes wrong with it, the others are still sent."""
        try:
            record = outbox.send(record_id)
        except Exception:
            logger.exception("SALESmanago export %s could not be sent.", record_id)
            return "error"
        return record.status if record else "taken by another sender"

    def list_holds(self):
        for hold in DeliveryHold.objects.select_related("site").order_by("since"):
            self.stdout.write(
                f"On hold since {localtime(hold.since):%Y-%m-%d %H:%M:%S}: {hold.site} "
                f"(next check {localtime(hold.next_check_at):%H:%M:%S}): {hold.message}"
            )
