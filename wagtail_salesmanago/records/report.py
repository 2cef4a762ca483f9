"""The delivery report's figures: a period's answers per day and per form, by status, from one
grouped query (``ExportRecordQuerySet.daily_counts``). Read by the admin's report and the daily
digest."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import pgettext_lazy

from .export_record import ExportRecord

#: The statuses the report counts, in the order the chart stacks them (bottom up): what went
#: through first, what needs staff last.
SERIES = (
    ExportRecord.Status.SENT,
    ExportRecord.Status.PENDING,
    ExportRecord.Status.RETRYING,
    ExportRecord.Status.THROTTLED,
    ExportRecord.Status.HELD,
    ExportRecord.Status.FAILED,
    ExportRecord.Status.SKIPPED,
    ExportRecord.Status.QUARANTINED,
)


#: Each status as a heading over counted answers (in Polish a plural: "Wysłane: 3", where a
#: single delivery's tag says "wysłany").
SERIES_LABELS = {
    ExportRecord.Status.SENT: pgettext_lazy("answers counted", "Sent"),
    ExportRecord.Status.PENDING: pgettext_lazy("answers counted", "Pending"),
    ExportRecord.Status.RETRYING: pgettext_lazy("answers counted", "Retrying"),
    ExportRecord.Status.THROTTLED: pgettext_lazy("answers counted", "Throttled"),
    ExportRecord.Status.HELD: pgettext_lazy("answers counted", "On hold"),
    ExportRecord.Status.FAILED: pgettext_lazy("answers counted", "Failed"),
    ExportRecord.Status.SKIPPED: pgettext_lazy("answers counted", "Skipped"),
    ExportRecord.Status.QUARANTINED: pgettext_lazy("answers counted", "Quarantined"),
}


@dataclass(frozen=True)
class Period:
    """``days`` whole days in the current time zone, the last of them ``last``."""

    days: int
    last: datetime.date

    @classmethod
    def ending_today(cls, days):
        return cls(days, timezone.localdate())

    @property
    def first(self):
        return self.last - datetime.timedelta(days=self.days - 1)

    @property
    def dates(self):
        return [self.first + datetime.timedelta(days=n) for n in range(self.days)]

    @property
    def start(self):
        """The period's first moment (midnight of its first day, in the current time zone)."""
        return timezone.make_aware(datetime.datetime.combine(self.first, datetime.time.min))

    @property
    def end(self):
        """The moment after the period (midnight after its last day)."""
        return timezone.make_aware(
            datetime.datetime.combine(self.last + datetime.timedelta(days=1), datetime.time.min))


@dataclass
class Figures:
    """How many answers are in each status now; how many were sent within a minute and an hour."""

    counts: dict = field(default_factory=lambda: dict.fromkeys(SERIES, 0))
    within_minute: int = 0
    within_hour: int = 0

    def add(self, row):
        for status in SERIES:
            self.counts[status] += row[status]
        self.within_minute += row["within_minute"]
        self.within_hour += row["within_hour"]

    def __getattr__(self, name):
        # ``figures.sent``...: the spreadsheet export and the templates read a status by name.
        if name in SERIES:
            return self.counts[name]
        raise AttributeError(name)

    @property
    def answers(self):
        return sum(self.counts.values())

    @property
    def to_send(self):
        """The answers there was something to send for (a skipped one had nothing; a quarantined
        one is kept back on purpose)."""
        return self.answers - sum(self.counts[status]
                                  for status in ExportRecord.NOT_SENT_ON_PURPOSE)

    def share(self, count):
        """``count`` as a percentage of the answers to send, one decimal; ``None`` if none."""
        return round(100 * count / self.to_send, 1) if self.to_send else None

    @property
    def share_within_minute(self):
        return self.share(self.within_minute)

    @property
    def share_within_hour(self):
        return self.share(self.within_hour)


@dataclass
class DayFigures(Figures):
    day: datetime.date = None


@dataclass
class FormFigures(Figures):
    page: object = None
    last_sent: datetime.datetime = None


def figures(records, period, pages):
    """``records``' figures over ``period``: one ``DayFigures`` per day (oldest first, a day
    without answers too) and one ``FormFigures`` per form page of ``pages`` (a queryset) that
    had answers in the period, with its last success ever (a delivery resent today, of an
    answer from before, too). Two grouped queries."""
    days = {day: DayFigures(day=day) for day in period.dates}
    forms = {}
    for row in records.daily_counts(since=period.start, until=period.end):
        days[row["day"]].add(row)
        forms.setdefault(row["page"], FormFigures()).add(row)
    if forms:
        for page, last in records.filter(page__in=list(forms)).last_sent_by_page().items():
            forms[page].last_sent = last
    for page in pages.filter(pk__in=list(forms)):
        forms[page.pk].page = page
    by_form = sorted((f for f in forms.values() if f.page is not None),
                     key=lambda f: (f.page.title.lower(), f.page.pk))
    return list(days.values()), by_form
