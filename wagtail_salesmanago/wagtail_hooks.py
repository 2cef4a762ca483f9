from datetime import timedelta

from django.urls import path
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.ui.components import Component

from .alerts import failed_list_url
from .bulk_actions import ResendBulkAction
from .connection import test_connection_view, warn_unless_connected
from .export_views import export_view
from .models import DeliveryHold, ExportRecord, SalesmanagoSettings
from .permissions import delivery_permission_policy
from .views import DeliveryViewSet


hooks.register("register_bulk_action", ResendBulkAction)


@hooks.register("register_admin_urls")
def register_connection_test_url():
    return [
        path("salesmanago/test-connection/<int:site_id>/", test_connection_view,
             name="wagtail_salesmanago_test_connection"),
        path("salesmanago/export/<int:page_id>/", export_view, name="wagtail_salesmanago_export"),
    ]


@hooks.register("before_edit_setting")
def hide_the_typed_secret_from_error_reports(request, instance):
    """Error reports (DEBUG pages, error mails) of a settings save show no typed secret."""
    if isinstance(instance, SalesmanagoSettings):
        request.sensitive_post_parameters = ["api_secret"]


@hooks.register("after_edit_setting")
def test_the_saved_connection(request, instance):
    if isinstance(instance, SalesmanagoSettings):
        warn_unless_connected(request, instance)


@hooks.register("register_admin_viewset")
def register_deliveries():
    return DeliveryViewSet()


class FailedDeliveriesPanel(Component):
    """Dashboard item: how many deliveries failed lately, linking to them, and any holds."""

    name = "salesmanago_failed_deliveries"
    order = 150
    template_name = "wagtail_salesmanago/dashboard_panel.html"

    def __init__(self, failed, holds=()):
        self.failed = failed
        self.holds = holds

    def get_context_data(self, parent_context):
        return {"failed": self.failed, "holds": self.holds, "url": failed_list_url()}


@hooks.register("construct_homepage_panels")
def add_failed_deliveries_panel(request, panels):
    visible = delivery_permission_policy.instances_user_has_permission_for(request.user, "view")
    failed = visible.filter(
        status=ExportRecord.Status.FAILED, updated_at__gte=timezone.now() - timedelta(days=7)
    ).count()
    holds = list(DeliveryHold.objects.with_waiting().seen_by(request.user))
    if failed or holds:
        panels.append(FailedDeliveriesPanel(failed, holds))
