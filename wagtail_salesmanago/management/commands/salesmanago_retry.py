"""Send the SALESmanago deliveries that are due: run it from cron with the immediate backend."""

from django.core.management.base import BaseCommand

from wagtail_salesmanago import outbox


class Command(BaseCommand):
    help = "Send SALESmanago deliveries that are due (new, or waiting for a retry)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list what is due, send nothing")
        parser.add_argument("--limit", type=int, default=None, help="send at most this many")

    def handle(self, *args, dry_run, limit, **options):
        due = outbox.due().select_related("page")[:limit]
        if dry_run:
            for record in due:
                self.stdout.write(
                    f"#{record.pk} {record.status} page={record.page_id} attempts={record.attempts} "
                    f"due={record.next_attempt_at:%Y-%m-%d %H:%M:%S} {record.last_error}".rstrip()
                )
            self.stdout.write(f"{len(due)} due; nothing sent (--dry-run).")
            return
        outcomes = {}
        for record_id in [record.pk for record in due]:
            record = outbox.send(record_id)
            status = record.status if record else "taken by another sender"
            outcomes[status] = outcomes.get(status, 0) + 1
        summary = ", ".join(f"{status}: {count}" for status, count in sorted(outcomes.items()))
        self.stdout.write(f"{sum(outcomes.values())} due; {summary or 'nothing to send'}.")
