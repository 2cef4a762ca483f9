from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.forms.models import AbstractFormField

from ..compat import synchronized_fields
from ..payload import contact_fields as cf
from ..payload import tags as tag_rules
from . import validators


class SalesmanagoFieldMixin(models.Model):
    """Lets editors choose, per question, where its answer goes in SALESmanago.

    Use it before Wagtail's base class in your form field model::

        class FormField(SalesmanagoFieldMixin, AbstractFormField):
            page = ParentalKey("SurveyPage", on_delete=models.CASCADE, related_name="form_fields")

    Its ``panels`` are Wagtail's, plus the three fields below.
    """

    salesmanago_target = models.CharField(
        verbose_name=_("in SALESmanago"),
        max_length=16,
        choices=cf.TARGET_CHOICES,
        default=cf.DETAIL,
        help_text=_(
            "Where the answer goes on the contact card. Every answer except “not sent” is also "
            "kept as a custom detail; a first and a last name are joined into the contact's name. "
            "The first e-mail question also identifies the contact, whatever is chosen here."
        ),
    )
    salesmanago_consent_name = models.CharField(
        verbose_name=_("SALESmanago consent name"),
        max_length=255,
        blank=True,
        help_text=_(
            "For a consent: its name exactly as in SALESmanago (Settings > Consents). Ticked, it "
            "records the consent with the time and IP address, and opts the contact in (for SMS "
            "with an SMS consent)."
        ),
    )
    salesmanago_tag_mode = models.CharField(
        verbose_name=_("also as a SALESmanago tag"),
        max_length=32,
        choices=tag_rules.MODE_CHOICES,
        default=tag_rules.NO_TAG,
        blank=True,
        help_text=_(
            "Tags the contact with the answer (each choice its own tag), or with the question "
            "and the answer joined by “-”, in capitals as SALESmanago keeps tags. A ticked "
            "checkbox tags the contact with the question."
        ),
    )

    # With wagtail-localize (and a form field model that is translatable), the consent's name
    # is SALESmanago's, the same in every language: never a string to translate.
    override_translatable_fields = synchronized_fields("salesmanago_consent_name")

    panels = AbstractFormField.panels + [
        FieldPanel("salesmanago_target"),
        FieldPanel("salesmanago_consent_name"),
        FieldPanel("salesmanago_tag_mode"),
    ]

    # Keep Wagtail's field ordering: a first base's Meta would otherwise replace it.
    class Meta(AbstractFormField.Meta):
        abstract = True

    def clean(self):
        super().clean()
        self.salesmanago_consent_name = (self.salesmanago_consent_name or "").strip()
        errors = validators.errors_of(
            self, {"salesmanago_consent_name": validators.check_visible})
        if self.salesmanago_tag_mode and self.salesmanago_target == cf.SKIP:
            errors["salesmanago_tag_mode"] = _(
                "An answer that is not sent gives no tag either: choose where it goes under "
                "“In SALESmanago”, or no tag."
            )
        elif self.salesmanago_tag_mode and (
                self.field_type == "email"
                or cf.target_of(self) not in tag_rules.TAGGABLE_TARGETS):
            errors["salesmanago_tag_mode"] = _(
                "Personal data makes no tag (an e-mail address, a name, a phone, an address, a "
                "date of birth): a tag names a group of contacts, not one person."
            )
        elif (self.salesmanago_tag_mode == tag_rules.VALUE
              and self.field_type not in tag_rules.CHOICE_TYPES):
            errors["salesmanago_tag_mode"] = _(
                "A typed answer as a tag would let a visitor give themselves any tag: choose "
                "“the question and the answer”, or make the question a choice."
            )
        if self.salesmanago_target in cf.CONSENT_TARGETS:
            if self.field_type != "checkbox":
                # The type as Wagtail's own list names it, in the editor's language.
                checkbox = dict(self._meta.get_field("field_type").flatchoices).get(
                    "checkbox", _("Checkbox"))
                errors["salesmanago_target"] = _(
                    "A consent must be a single checkbox: set the field type to “%(checkbox)s”."
                ) % {"checkbox": checkbox}
            if not self.salesmanago_consent_name:
                errors["salesmanago_consent_name"] = _(
                    "Name the SALESmanago consent this checkbox gives."
                )
        elif self.salesmanago_consent_name and "salesmanago_consent_name" not in errors:
            errors["salesmanago_consent_name"] = _(
                "Only a consent question has a consent name: clear it, or choose “consent” under "
                "“In SALESmanago”."
            )
        if errors:
            raise ValidationError(errors)
