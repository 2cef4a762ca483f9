"""The admin's "SALESmanago deliveries": a read-only list and detail, with Resend."""

import json

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_filters import ChoiceFilter, DateFromToRangeFilter, ModelChoiceFilter
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.views.generic.models import IndexView, InspectView
from wagtail.admin.widgets import HeaderButton
from wagtail.contrib.forms.utils import get_forms_for_user

from . import outbox
from .models import ExportRecord
from .permissions import delivery_permission_policy

NAME = "wagtail_salesmanago_deliveries"
STATUS_CLASSES = {
    "sent": "w-status--primary",
    "pending": "w-status--label",
    "retrying": "w-status--label",
    "failed": "w-status--warning",
    "skipped": "",
    "held": "w-status--warning",
}

EVENT_MARKERS = {
    ExportRecord.EventStatus.FAILED: _("event failed"),
    ExportRecord.EventStatus.HELD: _("event on hold"),
}


def form_pages(request):
    return get_forms_for_user(request.user) if request else ExportRecord.objects.none()


class DeliveryFilterSet(WagtailFilterSet):
    status = ChoiceFilter(label=_("status"), choices=ExportRecord.Status.choices)
    page = ModelChoiceFilter(label=_("form page"), queryset=form_pages)
    created_at = DateFromToRangeFilter(label=_("created"), widget=DateRangePickerWidget)

    class Meta:
        model = ExportRecord
        fields = ["status", "page", "created_at"]


class StatusColumn(Column):
    """The contact's status; a failed or held event is marked next to it."""

    def get_value(self, instance):
        status = format_html(
            '<span class="w-status {}">{}</span>',
            STATUS_CLASSES[instance.status],
            instance.get_status_display(),
        )
        marker = EVENT_MARKERS.get(instance.event_status)
        if marker:
            status += format_html(' <span class="w-status w-status--warning">{}</span>', marker)
        return status


class DeliveryIndexView(IndexView):
    #: The permission-policy action whose deliveries are listed.
    listed_for = "view"

    @cached_property
    def columns(self):
        return [BulkActionsCheckboxColumn("bulk_actions", obj_type="delivery"), *super().columns]

    def get_base_queryset(self):
        return self.permission_policy.instances_user_has_permission_for(
            self.request.user, self.listed_for
        ).select_related("page")

    @property
    def header_buttons(self):
        buttons = super().header_buttons
        # With an invalid filter Wagtail lists everything: no button for a list nobody asked for.
        if self.request.GET.get("status") == "failed" and self.filters.is_valid():
            buttons.append(
                HeaderButton(
                    _("Resend all failed in this list"),
                    url="#",
                    icon_name="resubmit",
                    attrs={
                        "data-controller": "w-action",
                        "data-action": "w-action#post",
                        "data-w-action-url-value": reverse(f"{NAME}:resend_listed")
                        + "?" + self.request.GET.urlencode(),
                    },
                )
            )
        return buttons


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
        records = self.get_queryset().filter(status=ExportRecord.Status.FAILED)
        report(request, outbox.resend(records))
        return redirect(back)


class DeliveryInspectView(InspectView):
    template_name = "wagtail_salesmanago/delivery_inspect.html"

    def get_object(self, queryset=None):
        visible = self.permission_policy.instances_user_has_permission_for(self.request.user, "view")
        return get_object_or_404(visible, pk=self.pk)

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not self.object.event_status:  # the form had no event: no empty rows for it
            self.fields = [name for name in self.fields if not name.startswith("event_")]

    def get_field_label(self, field_name, field):
        if field_name == "email" and self.object.mode == ExportRecord.Mode.UPDATE:
            return _("E-mail answer (used only if SALESmanago does not know the contact ID)")
        return super().get_field_label(field_name, field)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["attempts"] = self.object.attempt_log.all()
        context["payload"] = json.dumps(self.object.payload, indent=2, ensure_ascii=False)
        context["event_payload"] = json.dumps(
            self.object.event_payload, indent=2, ensure_ascii=False
        )
        context["resend_url"] = reverse(f"{NAME}:resend", args=[self.object.pk])
        context["can_resend"] = self.object.status != ExportRecord.Status.SKIPPED
        return context


class DeliveryViewSet(ModelViewSet):
    model = ExportRecord
    name = NAME
    url_prefix = "salesmanago/deliveries"
    icon = "mail"
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
    list_display = [
        StatusColumn("status", label=_("Status")),
        "page",
        TitleColumn(
            "contact",
            label=_("Contact"),
            url_name=f"{NAME}:inspect",
            get_title_id=lambda record: f"delivery_{record.pk}_title",
        ),
        "mode",
        "attempts",
        "last_error",
        "created_at",
    ]
    filterset_class = DeliveryFilterSet
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
            path("resend/<int:pk>/", require_POST(self.resend_one), name="resend"),
            path("resend/", self.resend_listed_view, name="resend_listed"),
        ]

    def visible(self, request):
        return self.permission_policy.instances_user_has_permission_for(request.user, "resend")

    def resend_one(self, request, pk):
        record = get_object_or_404(self.visible(request), pk=pk)
        count = outbox.resend(ExportRecord.objects.filter(pk=record.pk))
        report(request, count)
        return redirect(f"{NAME}:inspect", record.pk)

    @property
    def resend_listed_view(self):
        return self.construct_view(ResendListedView, **self.get_index_view_kwargs())


def report(request, count):
    messages.success(
        request,
        ngettext("%(count)d delivery will be sent again.", "%(count)d deliveries will be sent again.",
                 count) % {"count": count},
    )

