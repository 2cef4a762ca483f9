"""Who sees SALESmanago deliveries: whoever may see that form page's submissions."""

from django.db.models import F
from wagtail.contrib.forms.utils import get_forms_for_user
from wagtail.permission_policies.base import BasePermissionPolicy

#: What staff can do with deliveries. Records are made by submissions, never by hand.
ACTIONS = ("view", "resend")


class DeliveryPermissionPolicy(BasePermissionPolicy):
    """Follows Wagtail's ``filter_form_submissions_for_user`` hook, through ``get_forms_for_user``."""

    def __init__(self):
        # Named, not imported: the form page mixin's panels use this policy while models load.
        super().__init__("wagtail_salesmanago.ExportRecord")

    def user_has_permission(self, user, action):
        return action in ACTIONS and user.is_active and get_forms_for_user(user).exists()

    def user_has_permission_for_page(self, user, action, page):
        """Whether the user may ``action`` the deliveries of this form page."""
        return (
            action in ACTIONS
            and user.is_active
            and get_forms_for_user(user).filter(pk=page.pk).exists()
        )

    def instances_user_has_permission_for(self, user, action):
        if action not in ACTIONS or not user.is_active:
            return self.model.objects.none()
        # The forms as a condition the database does not search by (``page_id + 0``): the log's
        # order and the report's period, both on ``created_at``, narrow a long history far more
        # than "one of the forms" does (SQLite without statistics took the page index and read
        # every record: P5's report query 2.65 s -> 1.98 s at 1,000,000).
        return self.model.objects.alias(form=F("page_id") + 0).filter(
            form__in=get_forms_for_user(user).values("pk"))

    def instances_user_has_any_permission_for(self, user, actions):
        return self.instances_user_has_permission_for(user, "view")

    def user_has_permission_for_instance(self, user, action, instance):
        return self.instances_user_has_permission_for(user, action).filter(pk=instance.pk).exists()

    def users_with_any_permission(self, actions):
        raise NotImplementedError("Depends on page permissions and hooks; ask per user.")


#: The one instance, shared by the viewset, the bulk action, the dashboard and the page panel.
delivery_permission_policy = DeliveryPermissionPolicy()


def may_export_past_answers(user, page):
    """Whether the user may send a form's past answers to SALESmanago: one who may resend its
    deliveries and edit the page (whose SALESmanago settings the export follows)."""
    return (delivery_permission_policy.user_has_permission_for_page(user, "resend", page)
            and page.permissions_for_user(user).can_edit())


def holds_seen_by(holds, user):
    """The ``holds`` (a ``DeliveryHold`` queryset) of sites where ``user`` may view deliveries:
    another site's hold (its host, owner, SALESmanago's answer) is none of their business."""
    return holds.on_sites_of(delivery_permission_policy.instances_user_has_permission_for(user, "view"))
