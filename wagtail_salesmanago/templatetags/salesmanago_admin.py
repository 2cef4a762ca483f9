"""Tags for the deliveries admin's templates (the list, the detail, the editor panel, the dashboard).

``{% salesmanago_status_tag record %}`` renders a delivery's status tag (see ``badges``);
``{{ moment|salesmanago_datetime }}`` writes a date as the rest of the deliveries admin does
(``|salesmanago_nowrap`` keeps it on one line);
``{{ attempt|salesmanago_message:"message" }}`` a stored message in the reader's language.
"""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .. import stored_messages
from ..admin import badges, display
from ..records import ExportRecord

register = template.Library()


@register.simple_tag
def salesmanago_status_tag(record, event=False):
    """The record's contact status tag, or its event's with ``event=True``."""
    return mark_safe(badges.record_tag(record, event=event))


@register.simple_tag
def salesmanago_status_classes(status):
    return badges.status_classes(status)


@register.filter
def salesmanago_datetime(value):
    return display.admin_datetime(value)


@register.filter
def salesmanago_nowrap(value):
    return display.nowrap(value)


@register.filter
def salesmanago_message(obj, name):
    """Stored message ``name`` of ``obj`` (an attempt's ``message``, a hold's...) in the reader's
    language, or "—" when there is none (see ``stored_messages.shown``)."""
    return display.or_dash(stored_messages.shown(obj, name))


@register.filter
def salesmanago_attempt_mode(attempt):
    """An attempt's mode in the reader's language (attempts store the raw ``ExportRecord.Mode``,
    or ``event`` for the event's step)."""
    if attempt.mode == "event":
        return _("event")
    if attempt.mode not in ExportRecord.Mode.values:
        return attempt.mode
    return ExportRecord.Mode(attempt.mode).label if attempt.mode else display.EMPTY
