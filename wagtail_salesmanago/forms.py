from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

#: The query parameter SALESmanago adds to links in its mailings, and the name of the
#: hidden form field that carries it through the POST.
CONTACT_ID_PARAM = "smclientid"


class ContactIdFormMixin(forms.Form):
    """Adds the hidden ``smclientid`` field to a form page's form, and keeps it out of the answers.

    After validation its value is ``form.salesmanago_contact_id``, not in ``cleaned_data``, so
    stored submissions and notification e-mails never contain it.
    """

    smclientid = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned_data = super().clean()
        self.salesmanago_contact_id = cleaned_data.pop(CONTACT_ID_PARAM, "")
        return cleaned_data


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
