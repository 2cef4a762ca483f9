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


class ConnectionTestPanel(Panel):
    """A "Test connection" button under the settings, with SALESmanago's answer in words."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "wagtail_salesmanago/panels/connection_test.html"

        class Media:
            # A Stimulus controller in a static file: no inline script, so a strict CSP works.
            js = ["wagtail_salesmanago/js/connection-test.js"]

        def is_shown(self):
            return bool(self.instance.site_id)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["url"] = reverse("wagtail_salesmanago_test_connection", args=[self.instance.site_id])
            return context

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("heading", _("Test connection"))
        super().__init__(*args, **kwargs)


class MappingPreviewPanel(Panel):
    """What SALESmanago will get from this form as last saved: detail names, identity, tags."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "wagtail_salesmanago/panels/preview.html"

        def get_context_data(self, parent_context=None):
            from . import mapping
            from .account import LABELS, account_for_site

            context = super().get_context_data(parent_context)
            page = self.instance
            site = page.get_site() if page.pk else None
            account = account_for_site(site) if site else None
            questions = page.get_salesmanago_questions()
            prefix = account.detail_prefix if account else mapping.DEFAULT_DETAIL_PREFIX
            context.update(
                details=mapping.describe_details(questions, prefix),
                identity=mapping.identity_question(questions),
                tags=mapping.normalise_tags(page.salesmanago_tag),
                missing=[LABELS[name] for name in account.missing()] if account else [],
                enabled=page.salesmanago_enabled,
            )
            return context

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("heading", _("What SALESmanago will get"))
        super().__init__(*args, **kwargs)
