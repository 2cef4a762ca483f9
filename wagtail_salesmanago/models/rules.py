"""Export rules: a form page's "send only when ..." conditions, edited inline on the page.

The rows are the editors' (``page.salesmanago_rules``); what a submission reads is the page's own
copy of them (``SalesmanagoFormMixin.salesmanago_rules_snapshot``), written whenever the page is
saved or a rule changes, so that a visitor's answer reads no rule from the database.
"""

from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from django.apps import apps
from wagtail.models import Orderable

from ..compat import PAGE_MODEL
from ..payload import rules

#: While a page saves its own rules' copy: the rows it commits need not write it again.
page_saving = ContextVar("salesmanago_page_saving", default=False)


class SalesmanagoRule(Orderable):
    """One rule: a question (its label), a condition, a value for ``equals``, tags if it is met."""

    page = ParentalKey(PAGE_MODEL, on_delete=models.CASCADE, related_name="salesmanago_rules")
    question = models.CharField(
        verbose_name=_("question"), max_length=255,
        help_text=_("The question's label, as the form builder shows it."))
    condition = models.CharField(
        verbose_name=_("condition"), max_length=16, choices=rules.CONDITION_CHOICES,
        default=rules.CHECKED)
    value = models.CharField(
        verbose_name=_("value"), max_length=255, blank=True,
        help_text=_("For “equals”: the answer, or one of the choices ticked (upper and lower "
                    "case alike). For “is ticked” on a multiple choice: the choice; empty: any."))
    tags = models.CharField(
        verbose_name=_("tags"), max_length=255, blank=True,
        help_text=_("Added when the rule is met. A comma separates several tags."))

    class Meta(Orderable.Meta):
        verbose_name = _("SALESmanago rule")
        verbose_name_plural = _("SALESmanago rules")

    @classmethod
    def write_page_copy(cls, page_id):
        """Write the page's copy of its rules from the stored rows (after a rule was saved or
        deleted on its own, not by its page's save); nothing for a page that is not a form's."""
        page = apps.get_model(PAGE_MODEL).objects.filter(pk=page_id).first()
        model = page.specific_class if page else None
        if model is None or "salesmanago_rules_snapshot" not in {f.name for f in model._meta.fields}:
            return
        rows = cls.objects.filter(page_id=page_id).order_by("sort_order", "pk")
        model.objects.filter(pk=page_id).update(salesmanago_rules_snapshot=rules.snapshot(rows))

    def __str__(self):
        return str(rules.describe(rules.rule_of(self)))

    def clean(self):
        super().clean()
        self.question = " ".join((self.question or "").split())
        self.value = (self.value or "").strip()
        if self.condition == rules.EQUALS and not self.value:
            raise ValidationError({"value": _("“Equals” needs the value the answer must be.")})
