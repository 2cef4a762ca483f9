import swapper
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from . import mapping
from .client import SalesmanagoClient
from .exceptions import NotConfigured
from .forms import CONTACT_ID_PARAM, ContactIdFormMixin, SalesmanagoSettingsForm

DEFAULT_DETAIL_PREFIX = "ankieta."


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
        FieldPanel("endpoint"),
        FieldPanel("client_id"),
        FieldPanel("api_secret", widget=forms.PasswordInput(render_value=False)),
        FieldPanel("owner_email"),
        FieldPanel("detail_prefix"),
    ]

    class Meta:
        verbose_name = _("SALESmanago")

    def __repr__(self):
        # The default repr would do; this one just makes sure the secret never shows.
        return f"<SalesmanagoSettings site={self.site_id} endpoint={self.endpoint!r}>"

    def missing_fields(self):
        """Names of the settings that must be filled in before anything can be sent."""
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in ("endpoint", "client_id", "api_secret", "owner_email")
            if not getattr(self, name).strip()
        ]

    def get_client(self):
        """A client for this account; ``NotConfigured`` when settings are missing."""
        missing = self.missing_fields()
        if missing:
            raise NotConfigured(
                f"SALESmanago is not set up for site {self.site}: fill in "
                f"{', '.join(missing)} in Settings > SALESmanago."
            )
        return SalesmanagoClient(self.endpoint, self.client_id, self.api_secret)


class SalesmanagoFormMixin(models.Model):
    """Sends each submission of a Wagtail form page to SALESmanago.

    Use it before the form base class, and add ``salesmanago_panels`` to your panels::

        class SurveyPage(SalesmanagoFormMixin, AbstractEmailForm):
            settings_panels = AbstractEmailForm.settings_panels + SalesmanagoFormMixin.salesmanago_panels
    """

    salesmanago_enabled = models.BooleanField(
        verbose_name=_("Send form results to the contact's SALESmanago profile"),
        default=False,
    )
    salesmanago_tag = models.CharField(
        verbose_name=_("SALESmanago tag"),
        max_length=255,
        blank=True,
        help_text=_(
            "Contacts this form creates or updates get this tag. A comma separates several tags."
        ),
    )

    salesmanago_panels = [
        MultiFieldPanel(
            [FieldPanel("salesmanago_enabled"), FieldPanel("salesmanago_tag")],
            heading=_("SALESmanago"),
        )
    ]

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        self._salesmanago_link_contact_id = request.GET.get(CONTACT_ID_PARAM, "")
        return super().serve(request, *args, **kwargs)

    def get_form_class(self):
        form_class = super().get_form_class()
        if self.salesmanago_enabled:
            # A hidden field carries ?smclientid= through the POST, whatever the form action.
            form_class = type(form_class.__name__, (ContactIdFormMixin, form_class), {})
        return form_class

    def get_form_parameters(self):
        parameters = super().get_form_parameters()
        if self.salesmanago_enabled:
            initial = parameters.setdefault("initial", {})
            initial[CONTACT_ID_PARAM] = getattr(self, "_salesmanago_link_contact_id", "")
        return parameters

    def process_form_submission(self, form):
        submission = super().process_form_submission(form)
        self.export_to_salesmanago(form, submission)
        return submission

    def export_to_salesmanago(self, form, submission):
        """Record and queue the export of a stored submission.

        Called by ``process_form_submission``; call it yourself if your page overrides
        that method without calling ``super()``.
        """
        if not self.salesmanago_enabled:
            return None
        from .delivery import export_submission

        raw_contact_id = getattr(form, "salesmanago_contact_id", "") or getattr(
            self, "_salesmanago_link_contact_id", ""
        )
        return export_submission(self, submission, form.cleaned_data, raw_contact_id)

    def get_salesmanago_questions(self):
        """Override this to choose which questions become custom details (default: all)."""
        return list(self.get_form_fields())


class ExportRecord(models.Model):
    """One submission's journey to SALESmanago."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("skipped")

    class Mode(models.TextChoices):
        NONE = "", _("none")
        UPSERT = mapping.MODE_UPSERT, _("upsert by e-mail")
        UPDATE = mapping.MODE_UPDATE, _("update by contact ID")

    page = models.ForeignKey(
        swapper.get_model_name("wagtailcore", "Page"),
        verbose_name=_("form page"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    submission_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+"
    )
    submission_id = models.CharField(max_length=64, db_index=True)
    status = models.CharField(
        verbose_name=_("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
    )
    mode = models.CharField(
        verbose_name=_("mode"), max_length=16, choices=Mode.choices, blank=True
    )
    email = models.CharField(verbose_name=_("contact e-mail"), max_length=254, blank=True)
    contact_id = models.CharField(
        verbose_name=_("contact ID from the link"), max_length=36, blank=True
    )
    salesmanago_contact_id = models.CharField(
        verbose_name=_("SALESmanago contact ID"), max_length=64, blank=True
    )
    payload = models.JSONField(
        verbose_name=_("payload"),
        default=dict,
        help_text=_("What is (or was) sent, without the authentication fields."),
    )
    notes = models.TextField(verbose_name=_("notes"), blank=True)
    last_error = models.TextField(verbose_name=_("last error"), blank=True)
    attempts = models.PositiveIntegerField(verbose_name=_("attempts"), default=0)
    created_at = models.DateTimeField(verbose_name=_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated"), auto_now=True)
    sent_at = models.DateTimeField(verbose_name=_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("SALESmanago delivery")
        verbose_name_plural = _("SALESmanago deliveries")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_status_display()}: {self.email or self.contact_id or self.pk}"
