"""Erasures: one person's data removed from the site's deliveries, and (if asked) the contact
deleted in SALESmanago, retried until SALESmanago answers. Recorded without the person's data: the
address is kept only while SALESmanago's deletion waits, and emptied as soon as it is done."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..stored_messages import MessageField


class ErasureRequest(models.Model):
    """One erasure, and its deletion in one SALESmanago account (none: here only)."""

    class Status(models.TextChoices):
        DONE = "done", _("done")
        PENDING = "pending", _("waiting for SALESmanago")
        FAILED = "failed", _("failed")

    site = models.ForeignKey("wagtailcore.Site", verbose_name=_("site"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(verbose_name=_("requested"), auto_now_add=True)
    requested_by = models.CharField(verbose_name=_("requested by"), max_length=150, blank=True)
    records_erased = models.PositiveIntegerField(verbose_name=_("deliveries erased"), default=0)
    in_salesmanago = models.BooleanField(verbose_name=_("delete in SALESmanago"), default=False)
    permanently = models.BooleanField(verbose_name=_("permanently"), default=False)
    status = models.CharField(verbose_name=_("status"), max_length=16, choices=Status.choices,
                              default=Status.DONE)
    attempts = models.PositiveIntegerField(verbose_name=_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(verbose_name=_("finished"), null=True, blank=True)
    message = MessageField(verbose_name=_("outcome"), blank=True)
    #: The address SALESmanago deletes the contact by: kept only while that waits.
    email = models.CharField(max_length=254, blank=True, editable=False)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-requested_at", "-pk"]

    def __repr__(self):
        return f"<ErasureRequest {self.pk} {self.status}>"

    # Its state changes: each one UPDATE; the address goes with the wait.

    def _write(self, **state):
        type(self).objects.filter(pk=self.pk).update(**state)
        for name, value in state.items():
            setattr(self, name, value)

    def finish(self, now, message):
        """SALESmanago deleted the contact (or never had it): done, and the address forgotten."""
        self._write(status=self.Status.DONE, finished_at=now, next_attempt_at=None, email="",
                    message=message, attempts=self.attempts + 1)

    def retry(self, at, message):
        """SALESmanago could not answer: try again at ``at``."""
        self._write(next_attempt_at=at, message=message, attempts=self.attempts + 1)

    def give_up(self, now, message):
        """No answer for too long, or a refusal: failed, and the address forgotten (the site's
        own data is gone already; the deletion in SALESmanago is for a person to do)."""
        self._write(status=self.Status.FAILED, finished_at=now, next_attempt_at=None, email="",
                    message=message, attempts=self.attempts + 1)
