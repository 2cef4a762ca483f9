"""The admin dashboard's SALESmanago panel: deliveries that need staff's attention."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.components import Component

from ..delivery.alerts import failed_list_url
from ..records import DeliveryHold
from .permissions import delivery_permission_policy, holds_seen_by

# Failures older than this are left to the deliveries list: the dashboard tells what is new.
FAILED_WITHIN = timedelta(days=7)


class DeliveriesPanel(Component):
    """A Wagtail dashboard panel: recent failures (alarming), retries (a warning) and holds."""

    name = "salesmanago_deliveries"
    order = 150
    template_name = "wagtail_salesmanago/dashboard_panel.html"

    def __init__(self, failed=0, retrying=0, holds=()):
        self.failed, self.retrying, self.holds = failed, retrying, holds

    @classmethod
    def for_user(cls, user):
        """The panel with what ``user`` may see, or ``None`` when nothing needs attention."""
        visible = delivery_permission_policy.instances_user_has_permission_for(user, "view")
        counts = visible.trouble_counts(failed_since=timezone.now() - FAILED_WITHIN)
        holds = list(holds_seen_by(DeliveryHold.objects.with_waiting(), user))
        if counts["failed"] or counts["retrying"] or holds:
            return cls(holds=holds, **counts)
        return None

    def get_context_data(self, parent_context):
        return {
            "failed": self.failed, "retrying": self.retrying, "holds": self.holds,
            "failed_url": failed_list_url(),
            "retrying_url": reverse("wagtail_salesmanago_deliveries:index") + "?status=retrying",
        }
