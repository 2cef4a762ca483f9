from django_tasks import task


@task()
def deliver_export(record_id, resend=False):
    """Send export record ``record_id`` to SALESmanago (primitive arguments: any backend works)."""
    from .outbox import send

    send(record_id, resend=resend)


@task()
def check_hold(site_id):
    """Check once whether a held site's credentials work again; if so its deliveries resume."""
    from .outbox import check_site

    check_site(site_id)
