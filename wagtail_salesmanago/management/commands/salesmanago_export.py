"""Export a form's past answers to SALESmanago: those no record covers yet (see ``history``)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wagtail_salesmanago import conf
from wagtail_salesmanago.delivery import history
from wagtail_salesmanago.management import options
from wagtail_salesmanago.records import ExportRecord

Mode = ExportRecord.Mode


def date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("“%(text)s” is not a date (YYYY-MM-DD).") % {"text": text}) from None


class Command(BaseCommand):
    help = (
        "Send a form's past answers to SALESmanago: those that have no delivery yet (or only a "
        "failed one). E-mail contacts go in batch calls, contacts by ID one by one. Run it again "
        "after an interruption: what was sent is not sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("page_id", type=int, help="the form page's ID")
        parser.add_argument("--since", type=date, help="only answers from this day on (YYYY-MM-DD)")
        parser.add_argument("--until", type=date, help="only answers up to this day (YYYY-MM-DD)")
        parser.add_argument("--dry-run", action="store_true",
                            help="say how many would go in which way, send nothing")
        parser.add_argument("--batch-size", type=options.batch_size, default=history.BATCH_SIZE,
                            help=f"e-mail contacts per batch call, 1 to {conf.MAX_BATCH_SIZE} "
                                 f"(default {history.BATCH_SIZE})")

    def handle(self, *args, page_id, since, until, dry_run, batch_size, **options):
        if since and until and since > until:
            raise CommandError(_("--since is after --until: no answers can match."))
        try:
            page = history.form_page(page_id)
            if dry_run:
                return self.dry_run(page, since, until, batch_size)
            export_run = history.start(page, since, until)
        except history.ExportRefused as err:
            raise CommandError(str(err)) from None
        progress = Bar(self.stdout) if self.stdout.isatty() else Lines(self.stdout)
        try:
            history.run(export_run, batch_size=batch_size, progress=progress)
        except history.ExportRefused as err:
            raise CommandError(str(err)) from None
        finally:
            progress.close()

    def dry_run(self, page, since, until, batch_size):
        modes = history.dry_run(page, since, until)
        self.stdout.write(_(
            "%(total)s past answers of “%(title)s” would be exported: %(email)s by e-mail (batch "
            "calls of %(size)s), %(id)s by contact ID (one call each), %(none)s skipped (no e-mail "
            "answered, or stopped by the form's rules: recorded, not sent). Nothing sent "
            "(--dry-run).") % {
            "total": sum(modes.values()), "title": page.title, "email": modes[Mode.UPSERT],
            "size": batch_size, "id": modes[Mode.UPDATE], "none": modes[Mode.NONE]})


def counts(export_run):
    return _("sent %(sent)s, to retry %(retrying)s, failed %(failed)s, skipped %(skipped)s, "
             "quarantined %(quarantined)s") % {
        "sent": export_run.sent, "retrying": export_run.retrying, "failed": export_run.failed,
        "skipped": export_run.skipped, "quarantined": export_run.quarantined}


class Lines:
    """Progress as plain lines, one per chunk (a log file, cron's mail)."""

    def __init__(self, stdout):
        self.stdout = stdout

    def start(self, export_run):
        self.stdout.write(_("%(total)s answers to export.") % {"total": export_run.total})

    def update(self, export_run):
        self.stdout.write(f"{export_run.done}/{export_run.total}: {counts(export_run)}")

    def finish(self, export_run):
        self.stdout.write(_("Done: %(counts)s.") % {"counts": counts(export_run)})

    def close(self):
        pass


class Bar(Lines):
    """A progress bar with counts and the time left (tqdm), on a terminal."""

    bar = None

    def start(self, export_run):
        from tqdm import tqdm

        # tqdm redraws the line with "\r": it writes to the terminal itself, not line by line.
        self.bar = tqdm(total=export_run.total, unit=_("answers"), file=self.stdout._out,
                        dynamic_ncols=True)

    def update(self, export_run):
        self.bar.set_postfix_str(counts(export_run), refresh=False)
        self.bar.update(export_run.done - self.bar.n)

    def finish(self, export_run):
        self.close()
        super().finish(export_run)

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None
