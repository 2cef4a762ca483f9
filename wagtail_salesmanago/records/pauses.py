from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryPauseQuerySet(models.QuerySet):
    def until(self, site, now):
        """When ``site``'s pause ends, if it has one at ``now``; else ``None``."""
        return self.filter(site=site, until__gt=now).values_list("until", flat=True).first()

    def extend(self, site, until):
        """Pause ``site``'s calls until ``until`` at least (a longer pause stays): one
        conditional UPDATE, so that racing senders keep the latest end."""
        if self.filter(site=site, until__lt=until).update(until=until):
            return
        if not self.get_or_create(site=site, defaults={"until": until})[1]:
            # There was one (or another sender made it just now): keep the later end.
            self.filter(site=site, until__lt=until).update(until=until)


class DeliveryPause(models.Model):
    """A site whose calls to SALESmanago wait because SALESmanago asked for fewer (HTTP 429, or
    503 with ``Retry-After``). Until ``until`` its deliveries are not sent, only rescheduled
    (status ``throttled``); nobody has to do anything, and a pause that has ended means nothing.
    """

    site = models.OneToOneField(
        "wagtailcore.Site", verbose_name=_("site"), on_delete=models.CASCADE, related_name="+"
    )
    until = models.DateTimeField(verbose_name=_("paused until"))

    objects = DeliveryPauseQuerySet.as_manager()
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("SALESmanago delivery pause")
        verbose_name_plural = _("SALESmanago delivery pauses")

    def __str__(self):
        return f"{self.site}: {self.until:%Y-%m-%d %H:%M:%S}"
