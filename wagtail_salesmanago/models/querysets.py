"""Queries on export records, for the admin and the queue."""

from django.db import models
from django.db.models import Count, Q
from django.utils import timezone


def unclaimed(now):
    """Records no sender holds: never claimed, or their claim has lapsed."""
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


class ExportRecordQuerySet(models.QuerySet):
    """``ExportRecord.objects``: the usual queryset, the queue's questions, and those staff ask
    about a form."""

    def open_step(self):
        """Records with a step still to send: their contact, or their event once the contact is
        sent."""
        model = self.model
        return self.filter(Q(status__in=model.OPEN_STATUSES) | Q(
            status=model.Status.SENT, event_status__in=model.OPEN_EVENT_STATUSES
        ))

    def due(self, now=None):
        """Records whose next attempt is due (their contact's, or their event's once the contact
        is sent) and that nobody is sending, the longest waiting first."""
        now = now or timezone.now()
        return self.open_step().filter(unclaimed(now), next_attempt_at__lte=now).order_by(
            "next_attempt_at", "pk"
        )

    def counts_for(self, page):
        """How many of the page's records are in each status: ``{"sent": 3, "failed": 1, ...}``."""
        statuses = self.model.Status.values
        return self.filter(page=page).aggregate(
            **{status: Count("pk", filter=Q(status=status)) for status in statuses}
        )

    def trouble_counts(self, failed_since):
        """What needs staff's attention: ``{"failed": records failed since ``failed_since``,
        "retrying": records waiting for their next attempt}``."""
        status = self.model.Status
        return self.aggregate(
            failed=Count("pk", filter=Q(status=status.FAILED, updated_at__gte=failed_since)),
            retrying=Count("pk", filter=Q(status=status.RETRYING)),
        )

    def last_failure_for(self, page):
        """The page's most recently failed record (its ``last_error`` says why), or ``None``."""
        return (
            self.filter(page=page, status=self.model.Status.FAILED)
            .order_by("-updated_at", "-pk")
            .only("last_error", "last_error_data")
            .first()
        )
