"""The admin's "SALESmanago deliveries": a read-only list and detail, with Resend."""

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import linebreaksbr
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic.models import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton

from .. import stored_messages
from ..records import ExportRecord
from . import badges, delivery_columns, display, resend_feedback
from .permissions import delivery_permission_policy
from .submissions import submissions_url

NAME = "wagtail_salesmanago_deliveries"
Status = ExportRecord.Status

#: Fields of the detail that are stored messages (see ``stored_messages``).
MESSAGES = ("last_error", "notes", "event_error")
#: Fields of the detail that mean nothing in some states: shown only when this holds.
APPLIES = {
    "next_attempt_at": lambda record: record.status in (Status.PENDING, Status.RETRYING),
    "sent_at": lambda record: record.sent_at is not None,
    "salesmanago_contact_id": lambda record: bool(record.salesmanago_contact_id),
    "event_sent_at": lambda record: record.event_sent_at is not None,
}


def resend_url(record, back):
    """The bulk Resend's confirmation for this one delivery, returning to ``back``."""
    opts = ExportRecord._meta
    url = reverse("wagtail_bulk_action", args=[opts.app_label, opts.model_name, "resend"])
    return f"{url}?{urlencode({'id': record.pk, 'next': back})}"


class DeliveryIndexView(IndexView):
    #: The permission-policy action whose deliveries are listed.
    listed_for = "view"
    results_template_name = "wagtail_salesmanago/deliveries_results.html"

    @cached_property
    def columns(self):
        return delivery_columns.list_columns()

    def get_base_queryset(self):
        return self.permission_policy.instances_user_has_permission_for(
            self.request.user, self.listed_for
        ).select_related("page").annotate(_contact=delivery_columns.CONTACT)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["resend_listed_url"] = self.resend_listed_url()
        return context

    def resend_listed_url(self):
        """Where "Resend all failed in this list" posts, when the list is filtered to failed ones.

        Rendered inside the results, which Wagtail's filter panel refreshes: it follows the filters.
        With an invalid filter Wagtail lists everything: no button for a list nobody asked for.
        """
        if self.request.GET.get("status") != Status.FAILED or not self.filters.is_valid():
            return None
        query = self.request.GET.copy()
        query.pop("_w_filter_fragment", None)
        return reverse(f"{NAME}:resend_listed") + "?" + query.urlencode()


class ResendListedView(DeliveryIndexView):
    """POST: send again the failed deliveries of the list as filtered and searched.

    The list is the index view's own queryset, so the scope is exactly what the user saw.
    An invalid filter (a form page the user may not see, a bad status or date) resends nothing.
    """

    http_method_names = ["post"]
    permission_required = "resend"
    any_permission_required = None
    listed_for = "resend"

    def post(self, request, *args, **kwargs):
        back = reverse(self.index_url_name) + "?" + request.GET.urlencode()
        if not self.filters.is_valid():
            messages.error(request, _("Nothing was sent again: the list's filters are not valid."))
            return redirect(back)
        resent = resend_feedback.start(self.get_queryset().filter(status=Status.FAILED))
        resend_feedback.report(request, resent)
        return redirect(back)


class DeliveryInspectView(InspectView):
    template_name = "wagtail_salesmanago/delivery_inspect.html"
    page_title = _("SALESmanago delivery")

    def get_object(self, queryset=None):
        visible = self.permission_policy.instances_user_has_permission_for(self.request.user, "view")
        return get_object_or_404(visible.select_related("page"), pk=self.pk)

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        record = self.object
        self.fields = [
            name for name in self.fields
            # The form had no event: no empty rows for it.
            if (record.event_status or not name.startswith("event_"))
            and APPLIES.get(name, lambda record: True)(record)
        ]

    def get_page_subtitle(self):
        return delivery_columns.title(self.object)

    def get_field_label(self, field_name, field):
        if field_name == "email" and self.object.mode == ExportRecord.Mode.UPDATE:
            return _("E-mail answer (used only if SALESmanago does not know the contact ID)")
        return super().get_field_label(field_name, field)

    def get_field_display_value(self, field_name, field):
        value = getattr(self.object, field_name)
        if field_name in ("status", "event_status"):
            return badges.record_tag(self.object, event=field_name == "event_status")
        if field_name == "page":
            return value.get_admin_display_title()
        if field_name in MESSAGES:
            # One note per line (notes pile up over a delivery's attempts).
            return linebreaksbr(display.or_dash(stored_messages.shown(self.object, field_name)))
        if field is not None and field.get_internal_type() == "DateTimeField":
            return display.admin_datetime(value)
        if not value and value != 0:
            return display.EMPTY
        return super().get_field_display_value(field_name, field)

    @cached_property
    def can_resend(self):
        return self.object.status != Status.SKIPPED and self.permission_policy.user_has_permission(
            self.request.user, "resend")

    @cached_property
    def header_buttons(self):
        back = reverse(f"{NAME}:inspect", args=[self.object.pk])
        buttons = [HeaderButton(_("Form submissions"), url=submissions_url(self.object),
                                icon_name="form")]
        if self.can_resend:
            buttons.append(HeaderButton(_("Resend"), url=resend_url(self.object, back),
                                        icon_name="resubmit"))
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["attempts"] = self.object.attempt_log.all()
        context["payload"] = json.dumps(self.object.payload, indent=2, ensure_ascii=False)
        context["event_payload"] = json.dumps(
            self.object.event_payload, indent=2, ensure_ascii=False
        )
        return context


class DeliveryViewSet(ModelViewSet):
    model = ExportRecord
    name = NAME
    url_prefix = "salesmanago/deliveries"
    # Records going out: not the settings' mail icon, so staff tell the two entries apart.
    icon = "upload"
    # The page itself is titled "SALESmanago deliveries"; the sidebar cuts longer labels.
    menu_label = _("SALESmanago")
    add_to_admin_menu = True
    menu_order = 900
    inspect_view_enabled = True
    inspect_view_fields = [
        "page", "status", "mode", "email", "contact_id", "salesmanago_contact_id",
        "attempts", "last_error", "notes", "created_at", "sent_at", "next_attempt_at",
        "event_status", "event_id", "event_attempts", "event_error", "event_sent_at",
    ]
    list_display = ["status"]  # the index view's ``columns`` replace it
    filterset_class = delivery_columns.DeliveryFilterSet
    search_fields = ["email", "contact_id"]
    search_backend_name = None  # plain database filtering, no search index needed
    permission_policy = delivery_permission_policy
    index_view_class = DeliveryIndexView
    index_template_name = "wagtail_salesmanago/deliveries_index.html"
    inspect_view_class = DeliveryInspectView
    copy_view_enabled = False
    form_fields = []  # never created or edited by hand: the permission policy allows neither

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("resend/", self.resend_listed_view, name="resend_listed"),
        ]

    @property
    def resend_listed_view(self):
        return self.construct_view(ResendListedView, **self.get_index_view_kwargs())
