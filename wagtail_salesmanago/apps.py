from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WagtailSalesmanagoConfig(AppConfig):
    name = "wagtail_salesmanago"
    label = "wagtail_salesmanago"
    verbose_name = _("SALESmanago")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from . import checks  # noqa: F401 (registers the system checks)
        from .models import ExportRecord
        from .permissions import DeliveryPermissionPolicy
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
        register_permission_policy(ExportRecord, DeliveryPermissionPolicy())
