from django.db import models
from django.utils.translation import gettext_lazy as _

from ..compat import PAGE_MODEL
from ..stored_messages import MessageField


class ExportRunQuerySet(models.QuerySet):
    def latest_for(self, page):
        """The page's most recent export of past answers, or ``None``."""
        return self.filter(page=page).order_by("-created_at", "-pk").first()

    def active_for(self, page):
        """The page's export that is queued or running, or ``None``."""
        return self.filter(page=page, status__in=self.model.ACTIVE).order_by("-pk").first()


class ExportRun(models.Model):
    """One export of a form's past answers (``salesmanago_export``, or the page's panel), with
    its progress: the panel shows it while a worker runs it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("stopped by an error")

    page = models.ForeignKey(PAGE_MODEL, verbose_name=_("form page"), on_delete=models.CASCADE,
                             related_name="+")
    status = models.CharField(verbose_name=_("status"), max_length=16, choices=Status.choices,
                              default=Status.QUEUED)
    since = models.DateField(verbose_name=_("answers since"), null=True, blank=True)
    until = models.DateField(verbose_name=_("answers until"), null=True, blank=True)
    total = models.PositiveIntegerField(verbose_name=_("answers to export"), default=0)
    sent = models.PositiveIntegerField(verbose_name=_("sent"), default=0)
    retrying = models.PositiveIntegerField(verbose_name=_("to retry"), default=0)
    failed = models.PositiveIntegerField(verbose_name=_("failed"), default=0)
    skipped = models.PositiveIntegerField(verbose_name=_("skipped"), default=0)
    quarantined = models.PositiveIntegerField(verbose_name=_("quarantined"), default=0)
    error = MessageField(verbose_name=_("error"), blank=True)
    created_at = models.DateTimeField(verbose_name=_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated"), auto_now=True)

    objects = ExportRunQuerySet.as_manager()

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("SALESmanago export of past answers")
        verbose_name_plural = _("SALESmanago exports of past answers")

    @property
    def done(self):
        return self.sent + self.retrying + self.failed + self.skipped + self.quarantined

    @property
    def remaining(self):
        return max(self.total - self.done, 0)
