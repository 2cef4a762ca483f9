"""Erase a person: their deliveries here, and (with --in-salesmanago) their contact there."""

from django.core.management.base import BaseCommand, CommandError

from wagtail_salesmanago.delivery import erasure


class Command(BaseCommand):
    help = ("Erase everything wagtail-salesmanago holds about a person (by e-mail, or "
            "--contact-id), and with --in-salesmanago ask SALESmanago to delete the contact.")

    def add_arguments(self, parser):
        parser.add_argument("email", nargs="?", default="", help="the person's e-mail address")
        parser.add_argument("--contact-id", default="", help="a SALESmanago contact ID")
        parser.add_argument("--in-salesmanago", action="store_true",
                            help="also delete the contact in SALESmanago (retried until done)")
        parser.add_argument("--permanently", action="store_true",
                            help="with --in-salesmanago: delete for good, not disable and hide")
        parser.add_argument("--dry-run", action="store_true", help="count, erase nothing")

    def handle(self, *args, email, contact_id, in_salesmanago, permanently, dry_run, **options):
        if not (email or contact_id):
            raise CommandError("Give an e-mail address, or --contact-id.")
        if permanently and not in_salesmanago:
            raise CommandError("--permanently is for --in-salesmanago.")
        if dry_run:
            found = erasure.plan(email, contact_id, in_salesmanago)
            asked = (f"; SALESmanago would be asked in {len(found.sites)} account(s)"
                     if in_salesmanago else "")
            self.stdout.write(f"salesmanago_erase: would erase {found.records} delivery "
                              f"record(s){asked}. Nothing erased (--dry-run).")
            return
        requests = erasure.erase(email, contact_id, in_salesmanago=in_salesmanago,
                                 permanently=permanently, requested_by="manage.py")
        erased = requests[0].records_erased if requests else 0
        pending = sum(r.status == r.Status.PENDING for r in requests)
        asked = f"; SALESmanago asked in {pending} account(s)" if in_salesmanago else ""
        self.stdout.write(f"salesmanago_erase: erased {erased} delivery record(s){asked}.")
        for request in requests:
            if request.status == request.Status.FAILED:
                self.stdout.write(str(request.message))
