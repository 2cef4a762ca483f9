"""Send the SALESmanago deliveries that are due: run it from cron with the immediate backend.

E-mail contacts go in batches (``batches``), one ``contact/batchupsert`` call for up to
``--batch-size`` of them; the rest (contacts by ID, events, double opt-in requests) one by one.
"""

import logging
from collections import Counter

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.timezone import localtime

from wagtail_salesmanago import conf
from wagtail_salesmanago.delivery import backlogs, erasure, outbox
from wagtail_salesmanago.management import options
from wagtail_salesmanago.records import DeliveryHold, DeliveryPause

logger = logging.getLogger("wagtail_salesmanago.delivery.outbox")
#: How the command gives times: holds can last days, so with the date.
WHEN = "%Y-%m-%d %H:%M:%S"


class Command(BaseCommand):
    help = (
        "Send SALESmanago deliveries that are due (new, or waiting for a retry), and check the "
        "sites whose deliveries are on hold."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list what is due, send nothing")
        parser.add_argument("--limit", type=int, default=None, help="send at most this many")
        parser.add_argument(
            "--batch-size", type=options.batch_size, default=None,
            help=f"e-mail contacts per batch call, 1 to {conf.MAX_BATCH_SIZE} "
                 "(default: WAGTAIL_SALESMANAGO_BATCH_SIZE, 100)",
        )

    def handle(self, *args, dry_run, limit, batch_size, **options):
        if dry_run:
            self.list_holds()
            due = outbox.due().select_related("page")[:limit]
            for record in due:
                what, error = record.status, record.last_error
                if record.event_due:  # a sent contact is due only for its event
                    what, error = f"{record.status}, event {record.event_status}", record.event_error
                self.stdout.write(
                    f"#{record.pk} {what} page={record.page_id} attempts={record.attempts} "
                    f"due={record.next_attempt_at:{WHEN}} {error}".rstrip()
                )
            self.stdout.write(f"{len(due)} due; nothing sent (--dry-run).")
            return
        outbox.check_holds()
        outcomes = backlogs.drain(limit=limit, size=batch_size)
        left = None if limit is None else limit - len(outcomes)
        # Then one by one: what batches leave alone, and the events of contacts just sent (but
        # for a site whose calls are paused: its records wait for the next run after the pause).
        now = timezone.now()
        due = (list(outbox.due(now).unpaused(now)[:left].values_list("pk", flat=True))
               if left != 0 else [])
        for record_id in due:
            if outcomes.get(record_id, "sent") == "sent":  # a batch's retries wait for the next run
                outcomes[record_id] = self.send(record_id)
        self.list_holds()
        erasures = erasure.send_due()
        if erasures:
            self.stdout.write(f"{erasures} erasure(s) sent to SALESmanago again.")
        counts = Counter(outcomes.values())
        summary = ", ".join(f"{status}: {count}" for status, count in sorted(counts.items()))
        self.stdout.write(f"{len(outcomes)} due; {summary or 'nothing to send'}.")

    def send(self, record_id):
        """One record's outcome; whatever goes wrong with it, the others are still sent."""
        try:
            record = outbox.send(record_id)
        except Exception:
            logger.exception("SALESmanago export %s could not be sent.", record_id)
            return "error"
        return record.status if record else "taken by another sender"

    def list_holds(self):
        for pause in DeliveryPause.objects.filter(until__gt=timezone.now()).select_related("site"):
            self.stdout.write(
                f"Paused until {localtime(pause.until):{WHEN}}: {pause.site} (SALESmanago asked "
                "for fewer calls; its deliveries wait till then)."
            )
        for hold in DeliveryHold.objects.select_related("site").order_by("since"):
            checked = (f"checks: {hold.checks}, the last at {localtime(hold.last_check_at):{WHEN}}; "
                       if hold.last_check_at else "")
            self.stdout.write(
                f"On hold since {localtime(hold.since):{WHEN}}: {hold.site} "
                f"({checked}next check {localtime(hold.next_check_at):{WHEN}}): {hold.message}"
            )
