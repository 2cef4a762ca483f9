from django_tasks import task


@task()
def deliver_export(record_id):
    """Send export record ``record_id`` to SALESmanago (primitive argument: any backend works)."""
    from .delivery import send_export

    send_export(record_id)
