"""The report's chart: stacked bars per day, laid out here and drawn by the template as inline SVG
(no script: it shows without JavaScript and under a strict Content Security Policy).

Each status has its status tag's colours and a pattern of its own, so that no series is told
apart by colour alone; each segment's outline is its tag's text colour, at 6.5:1 or more
against the white page (WCAG asks 3:1 of a graphic)."""

import math
from dataclasses import dataclass

from django.utils.translation import gettext as _

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 24, 12, 28
#: How much of a day's width its bar takes (the rest is the gap between bars).
BAR = 0.7
#: At most this many day labels under the bars: every day of a week, every 4th of a month.
DAY_LABELS = 8
#: The least height of a segment that counts anything: 2 failures among 5,000 sent still show.
MIN_SEGMENT = 2

#: ``status: (ink, paper, marks)``: the outline and pattern colour, the background, and the
#: pattern's lines in a 6×6 tile (none: the whole segment in ink).
PATTERNS = {
    "sent": ("#155b34", "#155b34", ""),
    "pending": ("#3b3b3b", "#f1f1f1", "M3,0V6"),
    "retrying": ("#6e4200", "#fff1d1", "M0,6L6,0M-1,1L1,-1M5,7L7,5"),
    "throttled": ("#00566b", "#e0f3f7", "M0,0L6,6M-1,5L1,7M5,-1L7,1"),
    "held": ("#4b2a84", "#efe7fb", "M0,3H6"),
    "failed": ("#a21f1f", "#fde8e8", "M0,0L6,6M6,0L0,6"),
    "skipped": ("#4d4d4d", "#ffffff", "M2,2H4V4H2Z"),
    "quarantined": ("#8a1554", "#fbe7f1", "M0,4L2,2L4,4L6,2"),
}


@dataclass
class Segment:
    status: str
    x: float
    y: float
    width: float
    height: float
    title: str
    url: str

    @property
    def ink(self):
        return PATTERNS[self.status][0]


@dataclass
class Chart:
    segments: list
    y_ticks: list  # (y, label)
    x_labels: list  # (x, label)
    legend: list  # (status, label, total, ink)
    patterns: list  # (status, ink, paper, marks)
    empty: bool
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    bottom: int = HEIGHT - BOTTOM


def nice_ceiling(number):
    """The smallest of 1, 2, 5, 10, 20, 50... at least ``number`` (a scale's top)."""
    magnitude = 10 ** math.floor(math.log10(max(number, 1)))
    return next(step * magnitude for step in (1, 2, 5, 10) if step * magnitude >= number)


def stacked_bars(days, series, labels, link):
    """The chart of ``days`` (``DayFigures``, oldest first): per day a bar of its answers, one
    segment per status of ``series`` (bottom up) that has any, each a ``link(status, day)``."""
    top = nice_ceiling(max(day.answers for day in days))
    plot_height = HEIGHT - TOP - BOTTOM
    band = (WIDTH - LEFT - RIGHT) / len(days)
    bar = band * BAR
    segments = []
    for index, day in enumerate(days):
        x, y = LEFT + index * band + (band - bar) / 2, HEIGHT - BOTTOM
        for status in series:
            count = day.counts[status]
            if not count:
                continue
            height = max(plot_height * count / top, MIN_SEGMENT)
            y -= height
            segments.append(Segment(
                status, round(x, 1), round(y, 1), round(bar, 1), round(height, 1),
                _("%(day)s, %(status)s: %(count)d") % {
                    "day": day.day.isoformat(), "status": labels[status], "count": count},
                link(status, day.day)))
    step = math.ceil(len(days) / DAY_LABELS)
    shown = [index for index in range(len(days)) if (len(days) - 1 - index) % step == 0]
    return Chart(
        segments=segments,
        # 0, the top, and the middle where it is a whole number (no "2" on a scale of 5).
        y_ticks=[(round(HEIGHT - BOTTOM - plot_height * value / top, 1), value)
                 for value in sorted({0, top, top // 2 if top % 2 == 0 else 0})],
        x_labels=[(round(LEFT + (index + 0.5) * band, 1), days[index].day.strftime("%m-%d"))
                  for index in shown],
        legend=[(status, labels[status], sum(day.counts[status] for day in days),
                 PATTERNS[status][0]) for status in series],
        patterns=[(status, *PATTERNS[status]) for status in series],
        empty=not any(day.answers for day in days),
    )
