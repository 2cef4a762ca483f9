"""The form page editor's view of this form's SALESmanago deliveries."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel


class DeliveriesPanel(Panel):
    """Counts of this form's deliveries by status, the last error, and a link to the list."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "wagtail_salesmanago/panels/deliveries.html"

        def is_shown(self):
            return bool(self.instance.pk) and super().is_shown()

        def get_context_data(self, parent_context=None):
            from .views import delivery_counts

            context = super().get_context_data(parent_context)
            counts, last_error = delivery_counts(self.instance)
            index = reverse("wagtail_salesmanago_deliveries:index")
            context.update(
                counts=counts,
                last_error=last_error,
                list_url=f"{index}?page={self.instance.pk}",
                failed_url=f"{index}?page={self.instance.pk}&status=failed",
            )
            return context

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("heading", _("Deliveries"))
        super().__init__(*args, **kwargs)
