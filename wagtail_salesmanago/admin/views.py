"""The admin's "SALESmanago deliveries": a read-only list and detail, with Resend."""

import datetime
import json
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.template.defaultfilters import linebreaksbr
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.paginator import WagtailPaginator
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
    "next_attempt_at": lambda record: record.status in ExportRecord.OPEN_STATUSES,
    "sent_at": lambda record: record.sent_at is not None,
    "salesmanago_contact_id": lambda record: bool(record.salesmanago_contact_id),
    "event_sent_at": lambda record: record.event_sent_at is not None,
    "redacted_at": lambda record: record.redacted_at is not None,
    "consents": lambda record: bool(consents_given(record)),
    "opt_in_state": lambda record: bool(record.opt_in_state),
    "opt_in_changed_at": lambda record: record.opt_in_changed_at is not None,
}


def consents_given(record):
    """The consents the record's answer gave, as it stores them (none once redacted)."""
    given = (record.payload or {}).get("consentDetails")
    return [c for c in given if isinstance(c, dict)] if isinstance(given, list) else []


def resend_url(record, back):
    """The bulk Resend's confirmation for this one delivery, returning to ``back``."""
    opts = ExportRecord._meta
    url = reverse("wagtail_bulk_action", args=[opts.app_label, opts.model_name, "resend"])
    return f"{url}?{urlencode({'id': record.pk, 'next': back})}"


class DeliveryPaginator(WagtailPaginator):
    """Wagtail's paginator, its footer count in the language's plural forms ("6 eksportów do
    SALESmanago", where Wagtail writes the plural name after any count but 1)."""

    @cached_property
    def items_count_label(self):
        return ngettext("%(count)s SALESmanago delivery", "%(count)s SALESmanago deliveries",
                        self.count) % {"count": self.count}


class DeliveryIndexView(IndexView):
    #: The permission-policy action whose deliveries are listed.
    listed_for = "view"
    paginator_class = DeliveryPaginator
    results_template_name = "wagtail_salesmanago/deliveries_results.html"

    @cached_property
    def columns(self):
        return delivery_columns.list_columns()

    def get_base_queryset(self):
        return self.permission_policy.instances_user_has_permission_for(
            self.request.user, self.listed_for
        ).select_related("page").annotate(_contact=delivery_columns.CONTACT)

    def get_table(self, object_list):
        visible = self.permission_policy.instances_user_has_permission_for(self.request.user, "view")
        return super().get_table(delivery_columns.name_known_contacts(list(object_list), visible))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["resend_listed_url"] = self.resend_listed_url()
        return context

    def resend_listed_url(self):
        """Where "Resend all failed in this list" asks first, when the list is filtered to failed ones.

        Rendered inside the results, which Wagtail's filter panel refreshes: it follows the filters.
        With an invalid filter Wagtail lists everything: no button for a list nobody asked for.
        """
        if self.request.GET.get("status") != Status.FAILED or not self.filters.is_valid():
            return None
        query = self.request.GET.copy()
        query.pop("_w_filter_fragment", None)
        return reverse(f"{NAME}:resend_listed") + "?" + query.urlencode()


class ResendListedView(DeliveryIndexView):
    """Send again the failed deliveries of the list as filtered and searched: GET asks first (as
    Wagtail's bulk actions do), POST sends.

    The list is the index view's own queryset, so the scope is exactly what the user saw.
    An invalid filter (a form page the user may not see, a bad status or date) resends nothing.
    """

    http_method_names = ["get", "post"]
    permission_required = "resend"
    any_permission_required = None
    listed_for = "resend"
    confirm_template_name = "wagtail_salesmanago/resend_listed_confirm.html"

    def listed_failed(self):
        # As ``outbox.resend`` picks them: one record per answer, none whose answer is in play.
        return self.get_queryset().filter(status=Status.FAILED).with_a_contact_to_send().resendable()

    def back_url(self):
        query = self.request.GET.copy()
        query.pop("_w_filter_fragment", None)
        return reverse(self.index_url_name) + "?" + query.urlencode()

    def refused(self):
        """Where an invalid filter leads, with nothing sent."""
        if self.filters.is_valid():
            return None
        messages.error(self.request, _("Nothing was sent again: the list's filters are not valid."))
        return redirect(self.back_url())

    def get(self, request, *args, **kwargs):
        return self.refused() or TemplateResponse(request, self.confirm_template_name, {
            "count": self.listed_failed().count(),
            "action_url": request.get_full_path(),
            "back_url": self.back_url(),
        })

    def post(self, request, *args, **kwargs):
        refused = self.refused()
        if refused:
            return refused
        resent = resend_feedback.start(self.listed_failed())
        resend_feedback.report(request, resent)
        return redirect(self.back_url())


class DeliveryInspectView(InspectView):
    template_name = "wagtail_salesmanago/delivery_inspect.html"
    # One short word, so that the contact beside it and Resend fit the header at 1024 px; the
    # breadcrumb before it says where the delivery is listed.
    page_title = _("Delivery")

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

    #: The longest contact the header shows (the detail below has it whole): with the title and
    #: Resend it fits the header at 1024 px, in both languages.
    SUBTITLE_CHARS = 24

    def get_page_subtitle(self):
        # The contact alone: the form is the detail's first line.
        return display.shortened(self.object.contact or _("no contact"), self.SUBTITLE_CHARS)

    def get_field_label(self, field_name, field):
        if field_name == "email" and self.object.mode == ExportRecord.Mode.UPDATE:
            return _("E-mail answer (used only if SALESmanago does not know the contact ID)")
        if field_name == "last_error" and self.object.status == Status.SKIPPED:
            return _("Why it was skipped")
        if field_name == "last_error" and self.object.status == Status.QUARANTINED:
            return _("Why it is quarantined")
        if field_name == "consents":
            return _("Consents given")
        return super().get_field_label(field_name, field)

    def get_consents_display_value(self):
        """Each consent the answer gave, with its proof: when, and from which IP address."""
        lines = []
        for consent in consents_given(self.object):
            moment = consent.get("agreementDate")
            try:
                when = display.admin_datetime(datetime.datetime.fromtimestamp(
                    moment / 1000, tz=datetime.timezone.utc))
            except (TypeError, OverflowError, OSError, ValueError):  # no time, or none that can be
                when = ""
            lines.append(_("%(name)s: given %(time)s from %(ip)s") % {
                "name": consent.get("consentName", ""), "time": when or display.EMPTY,
                "ip": consent.get("ip") or display.EMPTY})
        return linebreaksbr("\n".join(lines))

    def get_field_display_value(self, field_name, field):
        if field_name == "consents":
            return self.get_consents_display_value()
        value = getattr(self.object, field_name)
        if field_name in ("status", "event_status"):
            return badges.record_tag(self.object, event=field_name == "event_status")
        if field_name == "page":
            # The form's submissions are one click away here, not a third header button.
            return format_html('{} <a class="salesmanago-submissions" href="{}">{}</a>',
                               value.get_admin_display_title(), submissions_url(self.object),
                               _("(its form submissions)"))
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
        # Nothing to send again for a sent delivery (the list's bulk Resend still can, on purpose)
        # or one skipped with no contact to send (one the form's rules stopped can go anyway).
        nothing = (self.object.status == Status.SKIPPED and not self.object.kept_back) or (
            self.object.redacted_at is not None)  # its answers are gone
        return self.object.status != Status.SENT and not nothing and (
            self.permission_policy.user_has_permission(
            self.request.user, "resend"))

    @cached_property
    def header_buttons(self):
        back = reverse(f"{NAME}:inspect", args=[self.object.pk])
        buttons = []
        if self.can_resend:
            # A quarantined one, or one the rules stopped, was never sent: staff who checked it
            # send it anyway.
            label = _("Send anyway") if self.object.kept_back else _("Resend")
            buttons.append(HeaderButton(label, url=resend_url(self.object, back),
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
    # The page itself is titled "SALESmanago deliveries"; the sidebar cuts labels longer than
    # about 150 px, and Settings has its own "SALESmanago": this one says it is the log.
    menu_label = _("SALESmanago log")
    add_to_admin_menu = True
    menu_order = 900
    inspect_view_enabled = True
    inspect_view_fields = [
        "page", "status", "mode", "email", "contact_id", "salesmanago_contact_id",
        "attempts", "last_error", "notes", "created_at", "sent_at", "next_attempt_at",
        "redacted_at", "consents", "opt_in_state", "opt_in_changed_at", "event_status", "event_id", "event_attempts", "event_error", "event_sent_at",
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
