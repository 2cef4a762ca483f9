"""Form pages the tests drive: one per way a site may use the mixin."""

from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.forms.models import (
    AbstractEmailForm,
    AbstractForm,
    AbstractFormField,
    AbstractFormSubmission,
)

from wagtail_salesmanago.models import SalesmanagoFieldMixin, SalesmanagoFormMixin


class FormField(SalesmanagoFieldMixin, AbstractFormField):
    page = ParentalKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="form_fields")


class SurveyPage(SalesmanagoFormMixin, AbstractEmailForm):
    """The README's example: an e-mail form page."""

    content_panels = AbstractEmailForm.content_panels + [
        InlinePanel("form_fields", label="Questions"),
        FieldPanel("to_address"),
    ]
    settings_panels = AbstractEmailForm.settings_panels + SalesmanagoFormMixin.salesmanago_panels


class PlainFormPage(SalesmanagoFormMixin, AbstractForm):
    """A plain form page whose template loops over the form's fields."""

    landing_page_template = "testapp/survey_page_landing.html"
    content_panels = AbstractForm.content_panels + [InlinePanel("form_fields")]
    settings_panels = AbstractForm.settings_panels + SalesmanagoFormMixin.salesmanago_panels


class CustomSubmission(AbstractFormSubmission):
    note = models.CharField(max_length=50, blank=True)


class CustomSubmissionPage(SalesmanagoFormMixin, AbstractForm):
    """Only swaps the submission class: export works unchanged."""

    template = "testapp/survey_page.html"
    landing_page_template = "testapp/survey_page_landing.html"

    content_panels = AbstractForm.content_panels + [InlinePanel("form_fields")]
    settings_panels = AbstractForm.settings_panels + SalesmanagoFormMixin.salesmanago_panels

    def get_submission_class(self):
        return CustomSubmission


class SelfStoringPage(SalesmanagoFormMixin, AbstractForm):
    """Wagtail's documented custom-submission pattern: stores the submission itself, no super()."""

    template = "testapp/survey_page.html"
    landing_page_template = "testapp/survey_page_landing.html"

    content_panels = AbstractForm.content_panels + [InlinePanel("form_fields")]

    def get_submission_class(self):
        return CustomSubmission

    def process_form_submission(self, form):
        submission = self.get_submission_class().objects.create(
            form_data=form.cleaned_data, page=self, note="self-stored"
        )
        self.export_to_salesmanago(form, submission)
        return submission


class LegacyFormField(AbstractFormField):
    """A site's field model from before leads: without ``SalesmanagoFieldMixin``."""

    page = ParentalKey("LegacyFieldsPage", on_delete=models.CASCADE, related_name="legacy_fields")


class LegacyFieldsPage(SalesmanagoFormMixin, AbstractForm):
    """A form page whose questions cannot be mapped: every answer is a custom detail, as before."""

    template = "testapp/survey_page.html"
    landing_page_template = "testapp/survey_page_landing.html"
    content_panels = AbstractForm.content_panels + [InlinePanel("legacy_fields")]

    def get_form_fields(self):
        return self.legacy_fields.all()
