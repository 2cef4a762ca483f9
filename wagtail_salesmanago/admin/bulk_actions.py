"""Resend for a selection of deliveries (the checkboxes in the list, and the detail's Resend)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.bulk_action import BulkAction

from ..records import ExportRecord
from . import resend_feedback
from .permissions import delivery_permission_policy


class ResendBulkAction(BulkAction):
    display_name = _("Resend")
    action_type = "resend"
    aria_label = _("Resend the selected deliveries")
    template_name = "wagtail_salesmanago/bulk_resend.html"
    models = [ExportRecord]

    @property
    def visible(self):
        return delivery_permission_policy.instances_user_has_permission_for(
            self.request.user, "resend"
        )

    def check_perm(self, obj):
        nothing = (obj.status == ExportRecord.Status.SKIPPED and not obj.kept_back) or (
            obj.redacted_at is not None)
        return not nothing and self.visible.filter(pk=obj.pk).exists()

    def get_all_objects_in_listing_query(self, parent_id):
        # "Select all" never sends an answer kept back on purpose (quarantined, or stopped by the
        # form's rules): each is sent anyway only when ticked (or from its own page), by someone
        # who looked at it.
        return self.visible.exclude(status__in=ExportRecord.NOT_SENT_ON_PURPOSE).values_list(
            "pk", flat=True)

    def execute_action(self, objects, **kwargs):
        self.resent = resend_feedback.start(
            ExportRecord.objects.filter(pk__in=[obj.pk for obj in objects]))
        return self.resent[0], 0

    def form_valid(self, form):
        response = super().form_valid(form)
        # Only now have the resends run (or been queued): Wagtail acts inside a transaction.
        if hasattr(self, "resent"):
            resend_feedback.report(self.request, self.resent)
        return response

    def get_success_message(self, num_parent_objects, num_child_objects):
        return None  # ``form_valid`` says what happened instead
