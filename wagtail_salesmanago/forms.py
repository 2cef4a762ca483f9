import re
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from . import conf
from .account import configured

HOSTNAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:\d+)?")


def http_allowed():
    return settings.DEBUG or conf.get("ALLOW_HTTP")


def validate_endpoint(endpoint):
    """A bare host (``app3.salesmanago.pl``) or a full URL; ``http://`` only where allowed."""
    if "://" not in endpoint:
        if not HOSTNAME.fullmatch(endpoint):
            raise ValidationError(
                _("Enter the host name only, like app3.salesmanago.pl, or a full URL.")
            )
        return
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
        raise ValidationError(_("Enter a URL like https://app3.salesmanago.pl, without a path."))
    if parts.scheme == "http" and not http_allowed():
        raise ValidationError(
            _("Use https://. Plain http:// is allowed only with DEBUG or "
              "WAGTAIL_SALESMANAGO_ALLOW_HTTP = True (for a local sandbox).")
        )

#: The query parameter SALESmanago adds to links in its mailings, and the name of the
#: hidden form field that carries it through the POST.
CONTACT_ID_PARAM = "smclientid"


class ContactIdBoundField(forms.BoundField):
    """The carrier's bound field: no label anywhere, so templates that print each field's
    ``label_tag`` show nothing for it."""

    def label_tag(self, contents=None, attrs=None, label_suffix=None, tag=None):
        return ""

    def legend_tag(self, contents=None, attrs=None, label_suffix=None):
        return ""


class ContactIdField(forms.Field):
    """The hidden field that carries ``?smclientid=`` through the POST.

    It never fails validation, whatever arrives (a NUL, a megabyte): an invalid ID is ignored
    and noted on the delivery record, and the visitor's answers are stored all the same.
    """

    widget = forms.HiddenInput
    bound_field_class = ContactIdBoundField

    def __init__(self, **kwargs):
        super().__init__(required=False, label="", **kwargs)

    def to_python(self, value):
        return "" if value in self.empty_values else str(value)


class ContactIdFormMixin(forms.Form):
    """Adds the hidden ``smclientid`` field to a form page's form, and keeps it out of the answers.

    After validation its value is ``form.salesmanago_contact_id``, not in ``cleaned_data``, so
    stored submissions and notification e-mails never contain it.
    """

    smclientid = ContactIdField()

    def clean(self):
        cleaned_data = super().clean()
        self.salesmanago_contact_id = cleaned_data.pop(CONTACT_ID_PARAM, "")
        return cleaned_data


class SalesmanagoSettingsForm(WagtailAdminModelForm):
    """The settings form.

    The API secret is write-only: leaving it empty keeps the stored one. Values set in the
    server configuration (``WAGTAIL_SALESMANAGO``) are shown read-only, the secret never.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        secret = self.fields.get("api_secret")
        if secret is not None:
            secret.help_text = (
                _("A secret is stored. Leave this empty to keep it, or type a new one.")
                if self.instance.api_secret
                else _("From the same API page in SALESmanago. It is never shown again.")
            )
        from_config = configured(self.instance.site.hostname) if self.instance.site_id else {}
        for name, value in from_config.items():
            if name in self.fields:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Set in the server configuration.")
                if name == "api_secret":
                    self.fields[name].widget.attrs["placeholder"] = "••••••••"
                else:
                    self.initial[name] = value

    def clean_api_secret(self):
        return self.cleaned_data.get("api_secret") or self.instance.api_secret

    def clean_endpoint(self):
        endpoint = (self.cleaned_data.get("endpoint") or "").strip()
        if endpoint:
            validate_endpoint(endpoint)
        return endpoint

    def clean_detail_prefix(self):
        prefix = self.cleaned_data.get("detail_prefix") or ""
        if not re.fullmatch(r"[A-Za-z0-9._-]*", prefix):
            raise ValidationError(
                _("Use only letters, digits, dots, hyphens and underscores, like “ankieta.”.")
            )
        return prefix
