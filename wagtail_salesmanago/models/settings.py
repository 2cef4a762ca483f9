from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from ..forms import SalesmanagoSettingsForm
from ..mapping import DEFAULT_DETAIL_PREFIX
from ..panels import ConnectionTestPanel, DeliveryHoldPanel



@register_setting(icon="mail")
class SalesmanagoSettings(BaseSiteSetting):
    """The SALESmanago account a site's forms export to (Settings > SALESmanago)."""

    endpoint = models.CharField(
        verbose_name=_("endpoint"),
        max_length=255,
        blank=True,
        help_text=_(
            "Your account's API server, e.g. app3.salesmanago.pl (SALESmanago: Settings > "
            "Integration > API). A full URL such as http://127.0.0.1:8765 is accepted too."
        ),
    )
    client_id = models.CharField(verbose_name=_("client ID"), max_length=255, blank=True)
    api_secret = models.CharField(verbose_name=_("API secret"), max_length=255, blank=True)
    owner_email = models.EmailField(
        verbose_name=_("owner e-mail"),
        blank=True,
        help_text=_("The SALESmanago user who owns the contacts these forms create."),
    )
    detail_prefix = models.CharField(
        verbose_name=_("detail prefix"),
        max_length=50,
        default=DEFAULT_DETAIL_PREFIX,
        help_text=_("Put before each question to name its custom detail in SALESmanago."),
    )

    base_form_class = SalesmanagoSettingsForm
    panels = [
        DeliveryHoldPanel(),
        FieldPanel("endpoint"),
        FieldPanel("client_id"),
        FieldPanel("api_secret", widget=forms.PasswordInput(render_value=False)),
        FieldPanel("owner_email"),
        FieldPanel("detail_prefix"),
        ConnectionTestPanel(),
    ]

    class Meta:
        verbose_name = _("SALESmanago")

    def __repr__(self):
        # The default repr would do; this one just makes sure the secret never shows.
        return f"<SalesmanagoSettings site={self.site_id} endpoint={self.endpoint!r}>"
