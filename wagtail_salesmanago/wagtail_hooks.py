from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin.bulk_actions import ResendBulkAction
from .admin.connection import check_hold_view, test_connection_view, warn_unless_connected
from .admin.dashboard import DeliveriesPanel
from .admin.erasure_views import erase_view, may_erase
from .admin.export_views import export_view
from .admin.permissions import delivery_permission_policy
from .admin.report import TITLE, DeliveryReportView
from .admin.views import DeliveryViewSet
from .records import SalesmanagoSettings

hooks.register("register_bulk_action", ResendBulkAction)


@hooks.register("insert_global_admin_css")
def admin_stylesheet():
    return format_html('<link rel="stylesheet" href="{}">', static("wagtail_salesmanago/css/admin.css"))


@hooks.register("register_admin_urls")
def register_connection_test_url():
    return [
        path("salesmanago/test-connection/<int:site_id>/", test_connection_view,
             name="wagtail_salesmanago_test_connection"),
        path("salesmanago/export/<int:page_id>/", export_view, name="wagtail_salesmanago_export"),
        path("salesmanago/check-hold/<int:site_id>/", check_hold_view,
             name="wagtail_salesmanago_check_hold"),
        path("salesmanago/erase/", erase_view, name="wagtail_salesmanago_erase"),
        path("reports/salesmanago/", DeliveryReportView.as_view(), name="wagtail_salesmanago_report"),
        path("reports/salesmanago/results/", DeliveryReportView.as_view(results_only=True),
             name="wagtail_salesmanago_report_results"),
    ]


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return delivery_permission_policy.user_has_permission(request.user, "view")


@hooks.register("register_reports_menu_item")
def register_report_menu_item():
    return ReportMenuItem(TITLE, reverse("wagtail_salesmanago_report"),
                          name="salesmanago-deliveries", icon_name="upload", order=900)


class ErasureMenuItem(MenuItem):
    def is_shown(self, request):
        return may_erase(request.user)


@hooks.register("register_settings_menu_item")
def register_erasure_menu_item():
    return ErasureMenuItem(_("Erase a person (SALESmanago)"), reverse("wagtail_salesmanago_erase"),
                           name="salesmanago-erase", icon_name="bin", order=910)


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


@hooks.register("construct_homepage_panels")
def add_deliveries_panel(request, panels):
    panel = DeliveriesPanel.for_user(request.user)
    if panel:
        panels.append(panel)
