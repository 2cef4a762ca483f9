"""Mail yesterday's SALESmanago deliveries to the sites that asked for a daily digest."""

from django.core.management.base import BaseCommand, CommandError

from wagtail_salesmanago.delivery.digest import NoRecipients, send_digests, yesterday


class Command(BaseCommand):
    help = ("Mail each site whose SALESmanago settings name digest addresses its forms' deliveries "
            "of yesterday (nothing on a day without answers). Run it once a day, e.g. from cron.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="print each digest instead of mailing it")

    def handle(self, *args, dry_run, **options):
        period = yesterday()
        failed = []
        done = send_digests(period, dry_run=dry_run)
        for site, digest, error in done:
            if isinstance(error, NoRecipients):
                failed.append(str(site))
                self.stderr.write(f"{site}: the digest goes to ADMINS, and ADMINS is empty.")
            elif digest is None and error is None:
                self.stdout.write(f"{site}: no answers on {period.last.isoformat()}, nothing to send.")
            elif error is not None:
                failed.append(str(site))
                self.stderr.write(f"{site}: the digest could not be mailed ({type(error).__name__}).")
            elif dry_run:
                self.stdout.write(f"{site}: would mail {', '.join(digest.recipients)}:\n"
                                  f"Subject: {digest.subject}\n\n{digest.body}")
            else:
                self.stdout.write(f"{site}: mailed {', '.join(digest.recipients)}.")
        if not done:
            self.stdout.write("No site asks for a digest (Settings > SALESmanago > daily digest to).")
        if failed:
            raise CommandError(f"The digest of {', '.join(failed)} could not be mailed; see the log.")
