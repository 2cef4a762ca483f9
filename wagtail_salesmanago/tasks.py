from django_tasks import task


@task()
def deliver_export(record_id, resend=False):
    """Send export record ``record_id`` to SALESmanago (primitive arguments: any backend works)."""
    from .outbox import send

    send(record_id, resend=resend)
