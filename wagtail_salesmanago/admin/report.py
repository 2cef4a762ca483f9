"""Reports > SALESmanago delivery report: are the forms reaching SALESmanago, and since when not? A
period's answers per day (a chart and a table) and per form (with its last success), each
figure a link to the deliveries it counts; as CSV and XLSX too."""

from django import forms
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from django_filters import ChoiceFilter
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView
from wagtail.models import Site

from ..records import ExportRecord
from ..records.report import SERIES, SERIES_LABELS, Period, figures
from ..records.sites import site_of
from . import display, report_chart
from .delivery_columns import FormFilterSet, form_pages, log_url
from .permissions import delivery_permission_policy

PERIODS = (7, 30, 90)
#: The shares' short headings (the page explains them; the downloads' headings say it whole).
WITHIN_MINUTE = _("≤ 1 min")
WITHIN_HOUR = _("≤ 1 h")
DEFAULT_PERIOD = 30



def period_choices():
    """The periods, named in the reader's language (so, when the form is made)."""
    return [(str(days), ngettext("%(count)d day", "%(count)d days", days) % {"count": days})
            for days in PERIODS]


class ReportFilterSet(FormFilterSet):
    days = ChoiceFilter(label=_("Period"), choices=period_choices, empty_label=None,
                        widget=forms.RadioSelect, method="in_period")

    class Meta:
        model = ExportRecord
        fields = ["days", "site", "page"]

    def in_period(self, queryset, name, value):
        return queryset  # the view reads the period: it shapes the report, not only its rows


def percent(share):
    return display.EMPTY if share is None else f"{share:g}%"


class DayColumn(Column):
    def get_value(self, instance):
        return display.nowrap(instance.day.isoformat())


class CountColumn(Column):
    """How many of a day's answers are in one status: a link to them in the deliveries list."""

    def __init__(self, status, link):
        super().__init__(status, label=SERIES_LABELS[status], classname="salesmanago-count")
        self.status, self.link = status, link

    def get_value(self, instance):
        count = instance.counts[self.status]
        if not count:
            return "0"
        return format_html('<a href="{}">{}</a>', self.link(self.status, instance.day, instance.day),
                           count)


class ShareColumn(Column):
    def get_value(self, instance):
        return percent(getattr(instance, self.name))


#: The report's name, in the Reports menu and as its title.
TITLE = pgettext_lazy("report", "SALESmanago delivery report")


class DeliveryReportView(ReportView):
    page_title = TITLE
    header_icon = "upload"
    index_url_name = "wagtail_salesmanago_report"
    index_results_url_name = "wagtail_salesmanago_report_results"
    results_template_name = "wagtail_salesmanago/report_results.html"
    filterset_class = ReportFilterSet
    permission_policy = delivery_permission_policy
    permission_required = "view"
    paginate_by = None  # 90 days at most: one page
    export_filename = "salesmanago-deliveries"
    list_export = ["day", *SERIES, "answers", "share_within_minute", "share_within_hour"]
    export_headings = {
        "day": _("Day"), **SERIES_LABELS, "answers": _("Answers"),
        "share_within_minute": _("Sent within 1 minute (%)"),
        "share_within_hour": _("Sent within 1 hour (%)"),
    }

    def get_filterset_kwargs(self):
        kwargs = super().get_filterset_kwargs()
        data = QueryDict(mutable=True)
        data.update(kwargs["data"] or {})
        if data.get("days") not in [str(days) for days in PERIODS]:
            data["days"] = str(DEFAULT_PERIOD)  # a period always: none given or an unknown one
        kwargs["data"] = data
        return kwargs

    @cached_property
    def period(self):
        return Period.ending_today(int(self.filters.data["days"]))

    def link(self, status, first, last, page=None):
        """The deliveries list with the answers a figure counts: ``status``, created from day
        ``first`` to ``last``, of ``page`` or the form and site the report is filtered to."""
        chosen = self.filters.form.cleaned_data if self.filters.is_valid() else {}
        page = page or (chosen["page"].pk if chosen.get("page") else None)
        return log_url(status=status, first=first, last=last, page=page,
                       site=chosen.get("site") or None)

    def get_queryset(self):
        return self.permission_policy.instances_user_has_permission_for(self.request.user, "view")

    def get_filtered_queryset(self):
        records = self.filter_queryset(self.get_queryset())
        self.days, self.forms = figures(records, self.period, form_pages(self.request))
        return list(reversed(self.days))  # the newest day first, as Wagtail lists

    @cached_property
    def columns(self):
        return [
            DayColumn("day", label=_("Day")),
            *[CountColumn(status, self.link) for status in SERIES],
            Column("answers", label=_("Answers"), classname="salesmanago-count"),
            ShareColumn("share_within_minute", label=WITHIN_MINUTE),
            ShareColumn("share_within_hour", label=WITHIN_HOUR),
        ]

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["chart"] = report_chart.stacked_bars(
            self.days, SERIES, SERIES_LABELS, link=lambda status, day: self.link(status, day, day))
        first, last = self.period.first, self.period.last
        sites = Site.objects.in_bulk()
        context["forms"] = [
            {"title": form.page.get_admin_display_title(),
             "site": sites.get(site_of(form.page.url_path)),
             "counts": [(form.counts[status], self.link(status, first, last, form.page.pk))
                        for status in SERIES],
             "last_sent": display.admin_datetime(form.last_sent),
             "share_within_minute": percent(form.share_within_minute),
             "share_within_hour": percent(form.share_within_hour)}
            for form in self.forms
        ]
        # A site column where the forms shown are of several sites.
        context["several_sites"] = len({form["site"] for form in context["forms"]}) > 1
        context["series"] = [(status, SERIES_LABELS[status]) for status in SERIES]
        context["period"] = self.period
        context["within"] = (WITHIN_MINUTE, WITHIN_HOUR)
        return context
