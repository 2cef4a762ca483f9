from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from wagtail.contrib.forms.models import AbstractFormSubmission

from .delivery import outbox
from .models.rules import SalesmanagoRule, page_saving
from .records import ExportRecord, SalesmanagoSettings


def delete_export_records(sender, instance, **kwargs):
    """A deleted submission takes its export records (and the answers in them) along."""
    if isinstance(instance, AbstractFormSubmission):
        ExportRecord.objects.filter(
            submission_type=ContentType.objects.get_for_model(instance),
            submission_id=str(instance.pk),
        ).delete()


def lift_hold_on_new_credentials(sender, instance, **kwargs):
    """Saved credentials that differ from the rejected ones lift the site's hold."""
    if instance.site_id:
        outbox.credentials_saved(instance.site, instance)


def copy_rules_to_page(sender, instance, origin=None, **kwargs):
    """A rule saved or deleted on its own (not by its page's save, nor with its page) updates
    the page's copy, once the change is committed (at once outside a transaction)."""
    if page_saving.get() or (origin is not None and not isinstance(
            origin, (SalesmanagoRule, QuerySet))):
        return  # the page is saving its own copy, or going away with its rules
    transaction.on_commit(partial(SalesmanagoRule.write_page_copy, instance.page_id))


def register_signal_handlers():
    post_delete.connect(delete_export_records, dispatch_uid="wagtail_salesmanago_delete_records")
    post_save.connect(lift_hold_on_new_credentials, sender=SalesmanagoSettings,
                      dispatch_uid="wagtail_salesmanago_lift_hold")
    for signal in (post_save, post_delete):
        signal.connect(copy_rules_to_page, sender=SalesmanagoRule,
                       dispatch_uid=f"wagtail_salesmanago_rules_{signal is post_save}")
