"""The admin dashboard's SALESmanago panel: deliveries that need staff's attention, and when all
is well, that deliveries go through."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.components import Component

from ..delivery.alerts import deliveries_url, failed_list_url
from ..records import DeliveryHold
from .permissions import delivery_permission_policy, holds_seen_by

# What the panel counts: failures older than this are left to the deliveries list.
WITHIN = timedelta(days=7)


class DeliveriesPanel(Component):
    """A Wagtail dashboard panel: recent failures (alarming), retries (a warning) and holds; when
    there are none, the week's sent deliveries and the last success, in neutral colours."""

    name = "salesmanago_deliveries"
    order = 150
    template_name = "wagtail_salesmanago/dashboard_panel.html"

    def __init__(self, failed=0, retrying=0, holds=(), sent=0, last_sent=None, throttled=0):
        self.failed, self.retrying, self.throttled, self.holds = failed, retrying, throttled, holds
        self.sent, self.last_sent = sent, last_sent

    @classmethod
    def for_user(cls, user):
        """The panel with what ``user`` may see, or ``None`` for a user who may see no deliveries."""
        if not delivery_permission_policy.user_has_permission(user, "view"):
            return None
        visible = delivery_permission_policy.instances_user_has_permission_for(user, "view")
        counts = visible.dashboard_counts(since=timezone.now() - WITHIN)
        holds = list(holds_seen_by(DeliveryHold.objects.with_waiting(), user))
        return cls(holds=holds, **counts)

    def get_context_data(self, parent_context):
        return {
            "failed": self.failed, "retrying": self.retrying, "holds": self.holds,
            "throttled": self.throttled,
            "all_well": not (self.failed or self.retrying or self.throttled or self.holds),
            "sent": self.sent, "last_sent": self.last_sent,
            "failed_url": failed_list_url(),
            "retrying_url": deliveries_url(status="retrying"),
            "throttled_url": deliveries_url(status="throttled"),
            "sent_url": deliveries_url(status="sent"),
            "report_url": reverse("wagtail_salesmanago_report"),
        }
