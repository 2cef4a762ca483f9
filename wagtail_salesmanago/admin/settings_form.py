"""The form of Settings > SALESmanago."""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

from ..api.endpoint import validate_endpoint
from ..delivery import quarantine
from ..delivery.account import account_for_site, configured
from ..records import SalesmanagoSettings
from .panels import ConnectionTestPanel, DeliveryHoldPanel


def is_email(text):
    try:
        validate_email(text)
    except ValidationError:
        return False
    return True


class SalesmanagoSettingsForm(WagtailAdminModelForm):
    """The settings form.

    The API secret is write-only: leaving it empty keeps the stored one, but only with the stored
    endpoint and client ID. Values set in the server configuration (``WAGTAIL_SALESMANAGO``) are
    shown read-only, the secret never.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        secret = self.fields.get("api_secret")
        if secret is not None:
            secret.help_text = (
                _("A secret is stored. Leave this empty to keep it, or type a new one. Type it "
                  "again whenever you change the endpoint or the client ID.")
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
                elif isinstance(value, (list, tuple)):  # ignored_domains may be a list there
                    self.initial[name] = "\n".join(map(str, value))
                else:
                    self.initial[name] = value

    # Validation and saving handle the secret in many frames (Django's field cleaning, the
    # database layer's parameters): error reports show none of their variables.
    @sensitive_variables()
    def full_clean(self):
        super().full_clean()

    @sensitive_variables()
    def save(self, *args, **kwargs):
        return super().save(*args, **kwargs)

    def clean_api_secret(self):
        typed = self.cleaned_data.get("api_secret")
        self.secret_typed = bool(typed) and not self.fields["api_secret"].disabled
        return typed or self.instance.api_secret

    def clean_endpoint(self):
        endpoint = (self.cleaned_data.get("endpoint") or "").strip()
        if endpoint:
            validate_endpoint(endpoint)
        return endpoint

    def clean_detail_prefix(self):
        return self.prefix_of("detail_prefix")

    def clean_attribution_prefix(self):
        return self.prefix_of("attribution_prefix")

    def prefix_of(self, name):
        prefix = self.cleaned_data.get(name) or ""
        if not re.fullmatch(r"[A-Za-z0-9._-]*", prefix):
            raise ValidationError(
                _("Use only letters, digits, dots, hyphens and underscores, like “ankieta.”.")
            )
        return prefix

    def clean_ignored_domains(self):
        """One domain per line, each once, written back as read (``quarantine.domain_of``)."""
        if self.fields["ignored_domains"].disabled:  # set in the server configuration
            return self.instance.ignored_domains
        text = self.cleaned_data.get("ignored_domains", "")
        if len(text) > quarantine.MAX_TEXT:
            raise ValidationError(_("Keep the list under %(count)s characters."),
                                  params={"count": quarantine.MAX_TEXT})
        domains, wrong = quarantine.parse(text)
        if wrong:
            raise ValidationError(
                _("Not a domain: %(wrong)s. Write one domain per line, like mailinator.com."),
                params={"wrong": ", ".join(entry[:80] for entry in wrong[:10])})
        return "\n".join(domains)

    def clean_digest_to(self):
        """Addresses separated by commas (or ADMINS); written back one way: "a@x.pl, b@x.pl"."""
        entries = [entry.strip() for entry in self.cleaned_data.get("digest_to", "").split(",")]
        entries = [entry for entry in entries if entry]
        wrong = [entry for entry in entries
                 if entry.upper() != SalesmanagoSettings.ADMINS and not is_email(entry)]
        if wrong:
            raise ValidationError(
                _("Not an e-mail address: %(wrong)s. Separate addresses with commas; ADMINS "
                  "stands for the site's ADMINS."), params={"wrong": ", ".join(wrong)})
        if entries and not SalesmanagoSettings(digest_to=",".join(entries)).digest_recipients(
                settings.ADMINS):
            raise ValidationError(_("ADMINS is empty in the server's settings: add an address."))
        return ", ".join(SalesmanagoSettings.ADMINS if entry.upper() == SalesmanagoSettings.ADMINS
                         else entry for entry in entries)

    def clean(self):
        cleaned_data = super().clean()
        if "api_secret" in self.fields and not self.has_error("api_secret") and not getattr(
            self, "secret_typed", False
        ):
            self.keep_secret_with_its_account(cleaned_data)
        return cleaned_data

    def keep_secret_with_its_account(self, cleaned_data):
        """A new endpoint or client ID needs the secret typed again (or changed where it is set)."""
        stored = account_for_site(self.instance.site if self.instance.site_id else None,
                                  self.instance)
        endpoint, client_id = cleaned_data.get("endpoint", ""), cleaned_data.get("client_id", "")
        error = stored.secret_error(endpoint, client_id)
        if error:
            fixed = "api_secret" in stored.from_config
            for name in stored.identity_changes(endpoint, client_id) if fixed else ["api_secret"]:
                self.add_error(name, error)


# The settings screen. The model is stored data (``records``); how it is edited belongs here, set
# when the app is ready (``apps.py``), as Wagtail sets its own ``Page``'s panels from its admin.
SalesmanagoSettings.base_form_class = SalesmanagoSettingsForm
SalesmanagoSettings.panels = [
    DeliveryHoldPanel(),
    FieldPanel("endpoint"),
    FieldPanel("client_id"),
    FieldPanel("api_secret", widget=forms.PasswordInput(render_value=False)),
    FieldPanel("owner_email"),
    FieldPanel("detail_prefix"),
    FieldPanel("identify_by_cookie"),
    FieldPanel("trust_typed_email"),
    FieldPanel("ignored_domains"),
    ConnectionTestPanel(),
    MultiFieldPanel([
        FieldPanel("send_attribution"),
        FieldPanel("attribution_prefix"),
    ], heading=_("Campaign attribution")),
    MultiFieldPanel([
        FieldPanel("monitoring_code"),
        FieldPanel("monitoring_waits_for_consent"),
        FieldPanel("monitoring_popups"),
        FieldPanel("monitoring_cookie_days"),
    ], heading=_("Monitoring code")),
    FieldPanel("retention_days"),
    FieldPanel("digest_to"),
]
