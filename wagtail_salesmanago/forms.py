from django import forms

# The settings form and the endpoint validator have their own modules; kept importable from here.
from .endpoint import validate_endpoint  # noqa: F401
from .settings_form import SalesmanagoSettingsForm  # noqa: F401

#: The query parameter SALESmanago adds to links in its mailings, and the name of the
#: hidden form field that carries it through the POST.
CONTACT_ID_PARAM = "smclientid"
#: The first-party cookie where SALESmanago's monitoring code keeps a known visitor's contact ID.
CONTACT_ID_COOKIE = "smclient"


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
