from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete
from wagtail.contrib.forms.models import AbstractFormSubmission

from .models import ExportRecord


def delete_export_records(sender, instance, **kwargs):
    """A deleted submission takes its export records (and the answers in them) along."""
    if isinstance(instance, AbstractFormSubmission):
        ExportRecord.objects.filter(
            submission_type=ContentType.objects.get_for_model(instance),
            submission_id=str(instance.pk),
        ).delete()


def register_signal_handlers():
    post_delete.connect(delete_export_records, dispatch_uid="wagtail_salesmanago_delete_records")
