"""Resend for a selection of deliveries (the checkboxes in the deliveries list)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.views.bulk_action import BulkAction

from . import outbox
from .models import ExportRecord
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
        return obj.status != ExportRecord.Status.SKIPPED and self.visible.filter(pk=obj.pk).exists()

    def get_all_objects_in_listing_query(self, parent_id):
        return self.visible.values_list("pk", flat=True)

    @classmethod
    def execute_action(cls, objects, **kwargs):
        return outbox.resend(ExportRecord.objects.filter(pk__in=[obj.pk for obj in objects])), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d delivery will be sent again.",
            "%(count)d deliveries will be sent again.",
            num_parent_objects,
        ) % {"count": num_parent_objects}
