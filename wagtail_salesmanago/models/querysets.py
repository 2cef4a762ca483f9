"""Queries on export records, for the admin and the queue."""

from django.db import models
from django.db.models import Count, Q


class ExportRecordQuerySet(models.QuerySet):
    """``ExportRecord.objects``: the usual queryset, plus questions staff ask about a form."""

    def counts_for(self, page):
        """How many of the page's records are in each status: ``{"sent": 3, "failed": 1, ...}``."""
        statuses = self.model.Status.values
        return self.filter(page=page).aggregate(
            **{status: Count("pk", filter=Q(status=status)) for status in statuses}
        )

    def last_error_for(self, page):
        """The error of the page's most recently failed record, or ``""``."""
        failure = (
            self.filter(page=page, status=self.model.Status.FAILED)
            .order_by("-updated_at", "-pk")
            .only("last_error")
            .first()
        )
        return failure.last_error if failure else ""
