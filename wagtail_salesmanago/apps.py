from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WagtailSalesmanagoConfig(AppConfig):
    name = "wagtail_salesmanago"
    label = "wagtail_salesmanago"
    verbose_name = _("SALESmanago")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401 (registers the system checks)
        from .models import ExportRecord
        from .compat import register_permission_policy
        from .permissions import delivery_permission_policy
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
        register_permission_policy(ExportRecord, delivery_permission_policy)
