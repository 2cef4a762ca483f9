"""The report's chart laid out: a scale with round numbers, bars in proportion, labels that fit."""

import datetime

import pytest

from wagtail_salesmanago.admin import report_chart
from wagtail_salesmanago.records.report import SERIES, DayFigures

LABELS = {status: status.capitalize() for status in SERIES}


@pytest.mark.parametrize("number, top", [(0, 1), (1, 1), (2, 2), (3, 5), (5, 5), (6, 10), (11, 20),
                                         (21, 50), (51, 100), (999, 1000), (1001, 2000)])
def test_the_scale_ends_at_a_round_number(number, top):
    assert report_chart.nice_ceiling(number) == top


def days(*counts):
    first = datetime.date(2026, 12, 1)
    made = []
    for index, by_status in enumerate(counts):
        day = DayFigures(day=first + datetime.timedelta(days=index))
        day.counts.update(by_status)
        made.append(day)
    return made


def chart(*counts):
    return report_chart.stacked_bars(days(*counts), SERIES, LABELS,
                                     link=lambda status, day: f"/log/{status}/{day}")


def test_each_status_of_a_day_is_a_segment_in_proportion_bottom_up():
    drawn = chart({"sent": 6, "failed": 2}, {}, {"retrying": 10})
    plot = report_chart.HEIGHT - report_chart.TOP - report_chart.BOTTOM  # the scale: 0 to 10
    bottom = report_chart.HEIGHT - report_chart.BOTTOM
    assert [(s.status, s.height, s.y, s.title, s.url) for s in drawn.segments] == [
        ("sent", round(plot * 0.6, 1), round(bottom - plot * 0.6, 1), "2026-12-01, Sent: 6",
         "/log/sent/2026-12-01"),
        ("failed", round(plot * 0.2, 1), round(bottom - plot * 0.8, 1), "2026-12-01, Failed: 2",
         "/log/failed/2026-12-01"),
        ("retrying", float(plot), float(report_chart.TOP), "2026-12-03, Retrying: 10",
         "/log/retrying/2026-12-03"),
    ]
    assert [value for y, value in drawn.y_ticks] == [0, 5, 10]
    assert [(status, total) for status, label, total, ink in drawn.legend] == [
        ("sent", 6), ("pending", 0), ("retrying", 10), ("throttled", 0), ("held", 0), ("failed", 2), ("skipped", 0),
        ("quarantined", 0)]
    assert not drawn.empty


@pytest.mark.parametrize("top, ticks", [(1, [0, 1]), (2, [0, 1, 2]), (5, [0, 5]), (20, [0, 10, 20])])
def test_the_scale_is_marked_at_whole_numbers(top, ticks):
    assert [value for y, value in chart({"sent": top}).y_ticks] == ticks


@pytest.mark.parametrize("count, shown", [(7, 7), (30, 8), (90, 8)])
def test_at_most_8_day_labels_the_last_day_always_among_them(count, shown):
    drawn = chart(*[{"sent": 1}] * count)
    assert len(drawn.x_labels) == shown
    last_x, last_label = drawn.x_labels[-1]
    assert last_label == (datetime.date(2026, 12, 1) + datetime.timedelta(days=count - 1)).strftime("%m-%d")
    assert last_x + 20 <= report_chart.WIDTH  # "12-31" in 14 px fits left of the edge


def test_a_period_without_answers_is_empty():
    assert chart({}, {}).empty
    assert chart({}, {}).segments == []


def test_a_few_failures_among_thousands_sent_still_show():
    drawn = chart({"sent": 5000, "failed": 2})
    assert {s.status: s.height for s in drawn.segments}["failed"] == report_chart.MIN_SEGMENT
