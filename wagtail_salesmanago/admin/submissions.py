"""Wagtail's form submissions list, with a column linking each submission to its delivery."""

from functools import cache

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import badges, display
from .permissions import delivery_permission_policy

INSPECT = "wagtail_salesmanago_deliveries:inspect"


@cache
def with_deliveries(view_class):
    """``view_class`` (a ``SubmissionsListView``) with a "SALESmanago" column after the date."""
    return type(view_class.__name__, (DeliveriesColumnMixin, view_class), {})


class DeliveriesColumnMixin:
    """Adds each submission's delivery (its status tag, linking to the delivery) to the listing."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.is_export or "data_rows" not in context:
            return context
        records = self.deliveries([row["model_id"] for row in context["data_rows"]])
        # Right after the submission's date, not after the answers: in view at 1024 px however
        # many questions the form has.
        column = 1 if context["data_headings"] else 0
        context["data_headings"].insert(column, {"name": "salesmanago", "label": _("SALESmanago"),
                                                 "order": None})
        for row in context["data_rows"]:
            record = records.get(str(row["model_id"]))
            row["fields"].insert(column, delivery_link(record) if record else display.EMPTY)
        return context

    def deliveries(self, submission_ids):
        visible = delivery_permission_policy.instances_user_has_permission_for(
            self.request.user, "view")
        submission_type = ContentType.objects.get_for_model(self.form_page.get_submission_class())
        # Each answer's newest record: an answer exported again shows how that went.
        records = visible.current().filter(
            submission_type=submission_type, submission_id__in=[str(pk) for pk in submission_ids]
        )
        return {record.submission_id: record for record in records}


def delivery_link(record):
    link = format_html(
        '<a href="{}" aria-label="{}">{}</a>',
        reverse(INSPECT, args=[record.pk]),
        _("SALESmanago delivery: %(status)s") % {"status": record.get_status_display()},
        badges.record_tag(record),
    )
    if not record.opt_in_state:
        return link
    # What SALESmanago said since: the contact confirmed its opt-in, or unsubscribed.
    return format_html('{} <span class="salesmanago-opt-in-state">{}</span>', link, _(
        "%(state)s on %(time)s") % {"state": record.get_opt_in_state_display(),
                                    "time": display.admin_datetime(record.opt_in_changed_at)})


def submissions_url(record):
    """The Wagtail submissions list holding this delivery's submission."""
    return reverse("wagtailforms:list_submissions", args=[record.page_id])
