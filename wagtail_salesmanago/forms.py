from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm


class SalesmanagoSettingsForm(WagtailAdminModelForm):
    """The settings form: the API secret is write-only; leaving it empty keeps the stored one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        secret = self.fields.get("api_secret")
        if secret is not None:
            secret.help_text = (
                _("A secret is stored. Leave this empty to keep it, or type a new one.")
                if self.instance.api_secret
                else _("From the same API page in SALESmanago. It is never shown again.")
            )

    def clean_api_secret(self):
        return self.cleaned_data.get("api_secret") or self.instance.api_secret
