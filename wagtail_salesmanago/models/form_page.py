from functools import partial

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel

from ..admin.panels import DeliveriesPanel, MappingPreviewPanel, OwnerPanel, TagsPanel
from ..admin.submissions import with_deliveries
from .. import stored_messages
from ..compat import synchronized_fields
from ..delivery import first_touch
from ..delivery.locales import name_questions
from ..delivery.on_submission import export_submission
from ..forms import (
    CARRIER_TAG, CONTACT_ID_COOKIE, CONTACT_ID_PARAM, ContactIdFormMixin, carrier_dropped)
from ..payload import rules
from ..payload.events import EVENT_TYPES
from ..visitor_ip import client_ip
from . import validators
from .rules import page_saving

#: What editors read for each SALESmanago event type (its code follows, as SALESmanago shows it).
EVENT_LABELS = {
    "SURVEY": _("Survey"), "OTHER": _("Other"), "DOWNLOAD": _("Download"), "OFFER": _("Offer"),
    "RESERVATION": _("Reservation"), "MEETING": _("Meeting"), "PHONE_CALL": _("Phone call"),
    "VISIT": _("Visit"), "ACTIVATION": _("Activation"), "LOGIN": _("Login"),
    "PURCHASE": _("Purchase"), "CART": _("Cart"), "TRANSACTION": _("Transaction"),
    "CANCELLED": _("Cancelled"), "CANCELLATION": _("Cancellation"), "RETURN": _("Return"),
    "APP_STATUS": _("Application status"), "APP_TYPE_WEB": _("Application: web"),
    "APP_TYPE_MANUAL": _("Application: manual"), "APP_TYPE_RETENTION": _("Application: retention"),
    "APP_TYPE_UPSALE": _("Application: upsale"), "LOAN_STATUS": _("Loan status"),
    "LOAN_ORDER": _("Loan order"), "FIRST_LOAN": _("First loan"),
    "REPEATED_LOAN": _("Repeated loan"),
}


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
    # Leads: what a lead form does besides the details (see contact_fields).
    salesmanago_remove_tags = models.CharField(
        verbose_name=_("SALESmanago tags to remove"),
        max_length=255,
        blank=True,
        help_text=_("Contacts this form creates or updates lose these tags. A comma separates "
                    "several tags."),
    )
    salesmanago_owner = models.EmailField(
        verbose_name=_("SALESmanago owner"),
        max_length=254,
        blank=True,
        help_text=_("The SALESmanago user new contacts from this form are assigned to. "
                    "Blank: the site's owner (Settings > SALESmanago)."),
    )
    salesmanago_double_opt_in = models.BooleanField(
        verbose_name=_("Double opt-in"),
        default=False,
        help_text=_("When a visitor ticks a consent, SALESmanago sends its confirmation e-mail "
                    "instead of opting the contact in at once."),
    )
    salesmanago_double_opt_in_email_id = models.CharField(
        verbose_name=_("Double opt-in e-mail ID"),
        max_length=64,
        blank=True,
        help_text=_("The ID of the confirmation e-mail set up in SALESmanago."),
    )
    salesmanago_double_opt_in_language = models.CharField(
        verbose_name=_("Double opt-in language"),
        max_length=8,
        blank=True,
        help_text=_("The language of the confirmation e-mail, e.g. PL or EN."),
    )
    salesmanago_event_type = models.CharField(
        verbose_name=_("SALESmanago event"),
        max_length=32,
        blank=True,
        choices=[("", _("none"))] + [
            (code, format_lazy("{} ({})", EVENT_LABELS[code], code)) for code in EVENT_TYPES],
        help_text=_(
            "Each answer also adds an external event of this type to the contact's timeline "
            "(described by the form's title), so automation rules can react to it. Survey or "
            "Other suit most forms."
        ),
    )
    salesmanago_retention_days = models.PositiveIntegerField(
        verbose_name=_("Keep the answers in deliveries for (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(36500)],
        help_text=_("For this form only: after that many days the answers are removed from its "
                    "deliveries. Empty: the site's setting (Settings > SALESmanago)."),
    )
    # Export rules: the rows are ``salesmanago_rules`` (models/rules.py), edited inline.
    salesmanago_rules_mode = models.CharField(
        verbose_name=_("Send the answers when"),
        max_length=8,
        choices=rules.MODE_CHOICES,
        default=rules.ALL,
        help_text=_("With rules below, an answer goes to SALESmanago only when they allow it; "
                    "one they stop is stored and listed as skipped by a rule. No rules: every "
                    "answer goes."),
    )
    #: The page's own copy of its rules, which an answer reads (written by ``save`` and when a
    #: rule changes): a visitor's request reads no rule from the database.
    salesmanago_rules_snapshot = models.JSONField(default=list, blank=True, editable=False)

    # With wagtail-localize, translators never see these: tags and the owner are SALESmanago's
    # names, the same in every language. A translation may send its own double opt-in e-mail
    # and language (SALESmanago asks for one confirmation template per language version).
    override_translatable_fields = [
        *synchronized_fields("salesmanago_tag", "salesmanago_remove_tags", "salesmanago_owner"),
        *synchronized_fields("salesmanago_double_opt_in_email_id",
                             "salesmanago_double_opt_in_language", overridable=True),
    ]

    salesmanago_panels = [
        MultiFieldPanel(
            [
                FieldPanel("salesmanago_enabled"),
                TagsPanel("salesmanago_tag"),
                TagsPanel("salesmanago_remove_tags"),
                OwnerPanel("salesmanago_owner"),
                FieldPanel("salesmanago_double_opt_in"),
                FieldPanel("salesmanago_double_opt_in_email_id"),
                FieldPanel("salesmanago_double_opt_in_language"),
                FieldPanel("salesmanago_event_type"),
                FieldPanel("salesmanago_retention_days"),
                FieldPanel("salesmanago_rules_mode"),
                InlinePanel("salesmanago_rules", heading=_("SALESmanago rules"),
                            label=_("Rule"), max_num=rules.MAX_RULES),
                MappingPreviewPanel(),
                DeliveriesPanel(),
            ],
            heading=_("SALESmanago"),
        )
    ]

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        self.salesmanago_double_opt_in_language = (
            self.salesmanago_double_opt_in_language or ""
        ).strip().upper()
        self.salesmanago_double_opt_in_email_id = (
            self.salesmanago_double_opt_in_email_id or "").strip()
        errors = validators.errors_of(self, {
            "salesmanago_double_opt_in_email_id": validators.check_visible,
            "salesmanago_double_opt_in_language": validators.check_language,
        })
        if self.salesmanago_double_opt_in:
            if not self.salesmanago_double_opt_in_email_id:
                errors["salesmanago_double_opt_in_email_id"] = _(
                    "Double opt-in needs the ID of the confirmation e-mail set up in SALESmanago."
                )
            if not self.salesmanago_double_opt_in_language:
                errors["salesmanago_double_opt_in_language"] = _(
                    "Double opt-in needs the language of the confirmation e-mail, e.g. PL."
                )
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "salesmanago_rules" in update_fields:
            # modelcluster commits the rules named here: their copy goes in the same save.
            kwargs["update_fields"] = update_fields = [*update_fields, "salesmanago_rules_snapshot"]
        if update_fields is None or "salesmanago_rules_snapshot" in update_fields:
            self.salesmanago_rules_snapshot = rules.snapshot(self.salesmanago_rules.all())
        saving = page_saving.set(True)  # the rules it commits need not write the copy again
        try:
            return super().save(*args, **kwargs)
        finally:
            page_saving.reset(saving)

    def serve(self, request, *args, **kwargs):
        self._salesmanago_link_contact_id = request.GET.get(CONTACT_ID_PARAM, "")
        # Leads: the proof of a consent given in this request.
        self._salesmanago_client_ip = client_ip(request)
        self._salesmanago_cookie_id = request.COOKIES.get(CONTACT_ID_COOKIE, "")
        self._salesmanago_carrier_dropped = carrier_dropped(request)
        # Campaign attribution: the visitor's first touch, for an answer given in this request
        # (never raises).
        self._salesmanago_attribution = (
            first_touch.of_answer(request) if request.method == "POST" else {})
        # The form fields are read once for this request: the form and the export share them.
        self._salesmanago_form_fields = None
        try:
            response = super().serve(request, *args, **kwargs)
        finally:
            del self._salesmanago_form_fields
        if self.salesmanago_enabled:
            # A visitor who lands on the form itself: its first touch is kept here (never raises).
            first_touch.remember(request, response)
        return response

    def get_form_fields(self):
        if not hasattr(self, "_salesmanago_form_fields"):
            return super().get_form_fields()
        if self._salesmanago_form_fields is None:
            # One queryset for the request: it keeps its rows once read.
            self._salesmanago_form_fields = super().get_form_fields()
        return self._salesmanago_form_fields

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
        raw_contact_id = getattr(form, "salesmanago_contact_id", "") or getattr(
            self, "_salesmanago_link_contact_id", ""
        )
        dropped = getattr(self, "_salesmanago_carrier_dropped", False)
        return export_submission(
            self, submission, form.cleaned_data, raw_contact_id,
            getattr(self, "_salesmanago_cookie_id", ""),
            notes=[stored_messages.message("carrier_dropped", tag=CARRIER_TAG)] if dropped else [],
            # Asked inside ``export_submission``, which never raises into the visitor's request.
            spam=partial(self.get_salesmanago_spam_reason, form, submission),
            attribution=getattr(self, "_salesmanago_attribution", {}),
        )

    def get_salesmanago_spam_reason(self, form, submission):
        """Override this to keep an answer your site takes for spam from SALESmanago: return a
        short reason for staff (a filled honeypot, a low captcha score your form still stores);
        the answer is then quarantined: stored and listed, sent only if staff resend it.
        Default: "" (none is spam)."""
        return ""

    def get_submissions_list_view_class(self):
        # Imported here: the admin view module needs the models this module is part of.
        return with_deliveries(super().get_submissions_list_view_class())

    def get_salesmanago_past_contact_id(self, submission):
        """Override this to give a past answer the SALESmanago contact ID it came with, if your
        submissions keep one; ``salesmanago_export`` then updates that contact (default: none,
        since the link's ID is not stored with the answers)."""
        return ""

    def get_salesmanago_questions(self):
        """Override this to choose which questions become custom details (default: all).

        On a translated page each question carries the label of its counterpart in the
        default locale (see ``locales``), so all translations fill the same details:
        filter the list ``super()`` returns to keep that.
        """
        return name_questions(self, list(self.get_form_fields()))[0]
