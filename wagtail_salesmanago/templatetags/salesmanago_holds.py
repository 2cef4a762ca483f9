"""``{% salesmanago_holds %}``: the sites whose deliveries wait, for the admin's notices."""

from django import template

from ..admin.permissions import holds_seen_by
from ..records import DeliveryHold

register = template.Library()


@register.simple_tag
def salesmanago_holds(user):
    """The delivery holds ``user`` may see, each with ``waiting``: how many records wait in it."""
    return list(holds_seen_by(DeliveryHold.objects.with_waiting(), user))


@register.simple_tag
def salesmanago_site_holds(site):
    """The delivery hold of ``site``, as a list (empty when it has none)."""
    return list(DeliveryHold.objects.with_waiting().filter(site=site)) if site else []


@register.inclusion_tag("wagtail_salesmanago/hold_notice.html", takes_context=True)
def salesmanago_hold_notice(context, hold):
    """What was rejected, since when, and what to do (with "Check now", back to this screen)."""
    request = context.get("request")
    return {"hold": hold, "back": request.get_full_path() if request else ""}
