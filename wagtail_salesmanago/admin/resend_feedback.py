"""After staff ask for a resend: say what happened, not what was hoped.

With an immediate task backend the resend has run by the time the message is written; with a
worker the deliveries are still queued, and the message says so.
"""

from django.contrib import messages
from django.utils import timezone
from django.utils.translation import ngettext, ngettext_lazy

from ..delivery import outbox
from ..records import ExportRecord

Status = ExportRecord.Status

#: For each status a resent delivery can be in afterwards: the message level and text.
OUTCOMES = [
    (Status.SENT, messages.SUCCESS,
     ngettext_lazy("%(count)d delivery was sent to SALESmanago again.",
                   "%(count)d deliveries were sent to SALESmanago again.", "count")),
    (Status.PENDING, messages.INFO,
     ngettext_lazy("%(count)d delivery is queued: the worker will send it shortly.",
                   "%(count)d deliveries are queued: the worker will send them shortly.",
                   "count")),
    (Status.RETRYING, messages.WARNING,
     ngettext_lazy("%(count)d delivery failed for now and will be retried.",
                   "%(count)d deliveries failed for now and will be retried.", "count")),
    (Status.THROTTLED, messages.WARNING,
     ngettext_lazy("%(count)d delivery waits: SALESmanago asked for fewer calls, and it is sent "
                   "when that pause ends.",
                   "%(count)d deliveries wait: SALESmanago asked for fewer calls, and they are "
                   "sent when that pause ends.", "count")),
    (Status.HELD, messages.WARNING,
     ngettext_lazy("%(count)d delivery is on hold: SALESmanago rejected the credentials.",
                   "%(count)d deliveries are on hold: SALESmanago rejected the credentials.",
                   "count")),
    (Status.FAILED, messages.ERROR,
     ngettext_lazy("%(count)d delivery failed again: its attempts say why.",
                   "%(count)d deliveries failed again: their attempts say why.", "count")),
]


def start(records):
    """Resend ``records`` (see ``outbox.resend``); returns what ``report`` needs afterwards."""
    started = timezone.now()
    candidates = list(records.values_list("pk", flat=True))
    return outbox.resend(ExportRecord.objects.filter(pk__in=candidates)), candidates, started


def report(request, resent):
    """Add one message per outcome of a resend ``start`` began (after its tasks ran or queued)."""
    count, candidates, started = resent
    if not count:
        messages.warning(request, ngettext(
            "Nothing was sent again: the delivery is skipped or being sent right now.",
            "Nothing was sent again: the deliveries are skipped or being sent right now.",
            len(candidates) or 1,
        ))
        return
    statuses = list(ExportRecord.objects.filter(
        pk__in=candidates, updated_at__gte=started
    ).values_list("status", flat=True))
    for status, level, text in OUTCOMES:
        n = statuses.count(status)
        if n:
            messages.add_message(request, level, text % {"count": n})
