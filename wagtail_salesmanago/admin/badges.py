"""Status tags for deliveries, the same in the list, the detail, the editor panel and the dashboard.

Wagtail's ``w-status--label`` tag, coloured by the package's admin stylesheet
(static/wagtail_salesmanago/css/admin.css): each status its own colour at WCAG AA contrast.
"""

from django.template.loader import render_to_string
from django.utils.text import capfirst

TEMPLATE = "wagtail_salesmanago/includes/status_tag.html"



def status_tag(status, label):
    """HTML of the tag for a status (an ``ExportRecord.Status`` or ``EventStatus`` value)."""
    return render_to_string(TEMPLATE, {"status": status, "label": capfirst(label)})


def record_tag(record, event=False):
    """The record's contact status tag, or its event's with ``event=True``."""
    if event:
        return status_tag(record.event_status, record.get_event_status_display())
    return status_tag(record.status, record.get_status_display())


def status_classes(status):
    """The tag's CSS classes for a status (``salesmanago-status--<status>`` names it for tests)."""
    return f"w-status--label salesmanago-status salesmanago-status--{status}"

