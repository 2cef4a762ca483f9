"""The deliveries list's columns and filters."""

from django import forms
from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_filters import ChoiceFilter, DateFromToRangeFilter, ModelChoiceFilter
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column
from wagtail.contrib.forms.utils import get_forms_for_user
from wagtail.models import Site

from .. import stored_messages
from ..delivery.alerts import deliveries_url
from ..records import ExportRecord
from ..records.sites import of_site, site_of
from . import badges, display

EVENT_MARKERS = {
    ExportRecord.EventStatus.FAILED: _("Event failed"),
    ExportRecord.EventStatus.HELD: _("Event on hold"),
}

#: The contact a record is filed under (``ExportRecord.contact``), for sorting in the database.
CONTACT = Case(
    When(mode=ExportRecord.Mode.UPDATE, then=F("contact_id")),
    default=Coalesce(NullIf(F("email"), Value("")), F("contact_id")),
    output_field=CharField(),
)


def name_known_contacts(records, visible):
    """Give each update of ``records`` (a page of the list) ``_known_email``: its contact's e-mail,
    where an answer sent by e-mail told us that contact's ID. One query, among the ``visible``
    records only (the user's forms: never an e-mail another form collected). An e-mail typed into
    an update's form is only an answer, not the contact's address."""
    ids = {record.contact_id for record in records
           if record.mode == ExportRecord.Mode.UPDATE and record.contact_id}
    known = {}
    if ids:
        rows = visible.filter(
            mode=ExportRecord.Mode.UPSERT, salesmanago_contact_id__in=ids,
        ).exclude(email="").order_by("created_at", "pk").values_list("salesmanago_contact_id", "email")
        known = dict(rows)  # the newest e-mail of each contact wins
    for record in records:
        if record.mode == ExportRecord.Mode.UPDATE:
            record._known_email = known.get(record.contact_id)
    return records


#: The longest message the list shows (a last error; a skipped delivery's reason under its
#: status); the detail shows it whole.
ERROR_SHOWN = 90
REASON_SHOWN = 50
#: How much of a contact ID the list shows (its first groups: enough to tell contacts apart at a
#: glance), and of an e-mail (up to 254 characters); the link's title and the detail have it whole.
ID_SHOWN = 14
EMAIL_SHOWN = 40


def title(record):
    """A delivery's title: its form and its contact (a record without either says so)."""
    return _("%(form)s: %(contact)s") % {
        "form": record.page.get_admin_display_title() if record.page_id else display.EMPTY,
        "contact": record.contact or _("no contact"),
    }


def form_pages(request):
    return get_forms_for_user(request.user) if request else ExportRecord.objects.none()


def sites_with_forms(request):
    """The sites (as choices: their ID, their name) with a form page the user may see; another
    site is none of their business. A page is its site's as Wagtail reads it (``site_of``)."""
    with_forms = {site_of(url_path)
                  for url_path in form_pages(request).values_list("url_path", flat=True)}
    return [(str(site.pk), str(site)) for site in Site.objects.filter(pk__in=with_forms)]


class SiteFilter(ChoiceFilter):
    """The deliveries of one site's form pages."""

    def filter(self, qs, site_id):
        if not site_id:
            return qs
        return qs.filter(of_site(int(site_id)))


class FormFilterSet(WagtailFilterSet):
    """Which form pages: one site's (where the user sees forms of several), one form."""

    site = SiteFilter(label=_("Site"), choices=[], empty_label=_("Any"))
    page = ModelChoiceFilter(label=_("Form page"), queryset=form_pages, empty_label=_("Any"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sites = sites_with_forms(self.request)
        if len(sites) < 2:
            del self.filters["site"]
        else:
            self.filters["site"].extra["choices"] = sites


class DeliveryFilterSet(FormFilterSet):
    status = ChoiceFilter(label=_("Status"), choices=[
                              (value, capfirst(label)) for value, label in ExportRecord.Status.choices],
                          empty_label=_("Any"), widget=forms.RadioSelect)
    created_at = DateFromToRangeFilter(label=_("Created"), widget=DateRangePickerWidget)
    # An answer that failed and was exported again has two deliveries; the report and the
    # dashboard count its newest, and their links show the same.
    newest = ChoiceFilter(label=_("An answer exported again"), method="newest_only",
                          choices=[("on", _("its newest delivery only"))],
                          empty_label=_("all its deliveries"), widget=forms.RadioSelect)

    class Meta:
        model = ExportRecord
        fields = ["status", "site", "page", "created_at", "newest"]

    def newest_only(self, queryset, name, value):
        return queryset.current() if value else queryset


def log_url(status=None, first=None, last=None, page=None, site=None):
    """The deliveries list filtered to a status, the answers of days ``first`` to ``last``, a
    form page and a site (its ID), as far as given: each answer's newest delivery, as the report
    counts them."""
    return deliveries_url(status=status, created_at_from=first and first.isoformat(),
                          created_at_to=last and last.isoformat(), page=page, site=site,
                          newest="on")


class CheckboxColumn(BulkActionsCheckboxColumn):
    """Wagtail's bulk-action checkbox, labelled with the row's delivery for screen readers."""

    cell_template_name = "wagtail_salesmanago/includes/checkbox_cell.html"

    def __init__(self):
        super().__init__("bulk_actions", obj_type="delivery")

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["row_title"] = title(instance)
        return context


class StatusColumn(Column):
    """The contact's status tag; a failed or held event is marked next to it."""

    def __init__(self):
        super().__init__("status", label=_("Status"), sort_key="status", classname="salesmanago-status-cell")

    def get_value(self, instance):
        tag = badges.record_tag(instance)
        marker = EVENT_MARKERS.get(instance.event_status)
        if marker:
            tag = format_html("{} {}", tag, badges.status_tag(instance.event_status, marker))
        if instance.status in ExportRecord.NOT_SENT_ON_PURPOSE and instance.last_error:
            # Why it was skipped or quarantined is no error: it goes with the status, not under
            # "Last error".
            tag = format_html('{}<div class="salesmanago-reason">{}</div>', tag, display.shortened(
                stored_messages.shown(instance, "last_error"), REASON_SHOWN))
        return tag


class ContactColumn(Column):
    """The contact, linking to the delivery: its e-mail where known, else its ID (in full in the
    link's title); a plain link that wraps only between words."""

    def __init__(self):
        super().__init__("contact", label=_("Contact"), sort_key="_contact")

    def get_value(self, instance):
        shown = instance.contact
        if instance.mode == ExportRecord.Mode.UPDATE:
            known = getattr(instance, "_known_email", None)
            shown = display.shortened(known, EMAIL_SHOWN) if known else display.shortened(shown, ID_SHOWN)
        elif shown:
            shown = display.shortened(shown, EMAIL_SHOWN)
        return format_html(
            '<a href="{}" id="delivery_{}_title" class="salesmanago-contact w-whitespace-nowrap"'
            ' title="{}">{}</a>',
            reverse("wagtail_salesmanago_deliveries:inspect", args=[instance.pk]),
            instance.pk,
            instance.contact_id or instance.email,
            shown or _("no contact"),
        )


class FormColumn(Column):
    """The form page, linking to the deliveries of that form."""

    def __init__(self):
        super().__init__("page", label=_("Form page"), sort_key="page__title")

    def get_value(self, instance):
        return format_html('<a href="{}">{}</a>', deliveries_url(page=instance.page_id),
                           instance.page.get_admin_display_title())


class LastErrorColumn(Column):
    """The last error in the reader's language, cut at a word (the detail shows it whole); "—"
    when there is none. A skipped or quarantined delivery had no error: its reason is under its
    status."""

    def __init__(self):
        super().__init__("last_error", label=_("Last error"), classname="salesmanago-last-error")

    def get_value(self, instance):
        if instance.status in ExportRecord.NOT_SENT_ON_PURPOSE:
            return display.EMPTY
        return display.or_dash(display.shortened(stored_messages.shown(instance, "last_error"),
                                                 ERROR_SHOWN))


class ModeColumn(Column):
    """How the contact is found, in a word or two: "by e-mail" or "by ID"; "—" when neither."""

    SHORT = {
        ExportRecord.Mode.UPSERT: _("by e-mail"),
        ExportRecord.Mode.UPDATE: _("by contact ID"),
    }

    def __init__(self):
        super().__init__("mode", label=_("Mode"), sort_key="mode")

    def get_value(self, instance):
        return display.nowrap(self.SHORT.get(instance.mode, display.EMPTY))


class DateTimeColumn(Column):
    """A moment as the detail and the attempts write it (see ``display.admin_datetime``)."""

    def get_value(self, instance):
        return display.nowrap(display.admin_datetime(super().get_value(instance)))


def list_columns():
    return [
        CheckboxColumn(),
        StatusColumn(),
        ContactColumn(),
        FormColumn(),
        ModeColumn(),
        Column("attempts", label=_("Attempts"), sort_key="attempts"),
        LastErrorColumn(),
        DateTimeColumn("created_at", label=_("Created"), sort_key="created_at"),
    ]
