from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from ..stored_messages import MessageField
from .export_record import ExportRecord


class DeliveryHoldQuerySet(models.QuerySet):
    def with_waiting(self):
        """Each hold with ``waiting``: how many records wait in it, oldest hold first."""
        return (
            self.select_related("site")
            .annotate(waiting=Count("records", filter=Q(records__status=ExportRecord.Status.HELD)))
            .order_by("since")
        )

    def on_sites_of(self, records):
        """The holds of sites where one of ``records`` (a queryset) is: the holds whose
        deliveries those records' readers may see."""
        on_site = records.filter(page__path__startswith=OuterRef("site__root_page__path"))
        return self.filter(Exists(on_site))


class DeliveryHold(models.Model):
    """A site whose deliveries wait because SALESmanago rejected its credentials or owner.

    While it exists the site's records are ``held`` rather than sent or failed; it goes away when
    a check passes or the credentials change (see ``holds``).
    """

    class Reason(models.TextChoices):
        REJECTED = "rejected", _("SALESmanago rejected the client ID, the API secret or the owner.")
        OWNER = "owner", _("The owner e-mail is not a user of this SALESmanago account.")
        DENIED = "denied", _(
            "Access to SALESmanago was denied (HTTP 401 or 403) without SALESmanago's usual "
            "answer: a proxy or a firewall in between may be blocking this server."
        )

    site = models.OneToOneField(
        "wagtailcore.Site", verbose_name=_("site"), on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(verbose_name=_("reason"), max_length=16, choices=Reason.choices)
    message = MessageField(verbose_name=_("what SALESmanago answered"), blank=True)
    since = models.DateTimeField(verbose_name=_("on hold since"))
    next_check_at = models.DateTimeField(verbose_name=_("next check"))
    last_check_at = models.DateTimeField(verbose_name=_("last check"), null=True, blank=True)
    checks = models.PositiveIntegerField(verbose_name=_("checks"), default=0)
    # A keyed hash (HMAC with SECRET_KEY) of the endpoint, client ID, secret and owner that were
    # rejected, never the secret itself: new values, from the admin or the configuration, lift it.
    fingerprint = models.CharField(max_length=64, editable=False)

    objects = DeliveryHoldQuerySet.as_manager()
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("SALESmanago delivery hold")
        verbose_name_plural = _("SALESmanago delivery holds")

    def __str__(self):
        return f"{self.site}: {self.reason}"

    @property
    def advice(self):
        """What staff should do, in words."""
        if self.reason == self.Reason.DENIED:
            return _(
                "Check that this server may reach the SALESmanago endpoint (a firewall or proxy "
                "rule), and the client ID and API secret under Settings > SALESmanago or in the "
                "server configuration. Deliveries resume by themselves when access works again or "
                "the credentials change."
            )
        return _(
            "Correct the client ID, the API secret or the owner e-mail under Settings > "
            "SALESmanago (Test connection tells which) or in the server configuration. The "
            "waiting deliveries are then sent by themselves; nothing needs to be resent."
        )
