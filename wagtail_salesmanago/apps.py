from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WagtailSalesmanagoConfig(AppConfig):
    name = "wagtail_salesmanago"
    label = "wagtail_salesmanago"
    verbose_name = _("SALESmanago")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Django's own lazy imports: the app's parts that need the models loaded.
        from . import checks  # noqa: F401 (registers the system checks)
        from .admin import settings_form  # noqa: F401 (the settings screen's panels and form)
        from .admin.permissions import delivery_permission_policy
        from .compat import register_permission_policy
        from .delivery import tasks  # noqa: F401 (registers the tasks the outbox enqueues)
        from .records import ExportRecord
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
        register_permission_policy(ExportRecord, delivery_permission_policy)
