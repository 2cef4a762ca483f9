"""Steps of the multi-process tests, run as their own processes against a shared database.

    DB_FILE=... TASKS_BACKEND=db python -m tests.scenario setup '<sandbox credentials JSON>'
    ... python -m tests.scenario submit 100
    ... python -m tests.scenario set-secret '<secret>'
    ... python -m tests.scenario enqueue 2
"""

import json
import os
import sys

import django


def setup(credentials):
    from wagtail.models import Site

    from tests.helpers import make_form_page
    from wagtail_salesmanago.models import SalesmanagoSettings

    SalesmanagoSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True), defaults=json.loads(credentials)
    )
    print(make_form_page().pk)


def submit(count, start=0):
    from django.test import Client

    from tests.helpers import answer
    from tests.testapp.models import SurveyPage

    page, client = SurveyPage.objects.get(), Client()
    for number in range(int(start), int(start) + int(count)):
        response = answer(client, page, {"Twój e-mail": f"visitor{number}@example.com",
                                         "Komentarz": f"Odpowiedź nr {number}"})
        assert response.status_code == 200, response.status_code
    print(count)


def set_secret(secret):
    """Save a new API secret, as the settings screen does."""
    from wagtail_salesmanago.models import SalesmanagoSettings

    stored = SalesmanagoSettings.objects.get()
    stored.api_secret = secret
    stored.save()
    print("saved")


def enqueue(copies):
    """Enqueue each open record's delivery ``copies`` times in a row, for workers to race for it."""
    from wagtail_salesmanago.models import ExportRecord
    from wagtail_salesmanago.delivery.tasks import deliver_export

    open_records = ExportRecord.objects.filter(status__in=ExportRecord.OPEN_STATUSES)
    ids = list(open_records.order_by("pk").values_list("pk", flat=True))
    for record_id in ids:
        for _ in range(int(copies)):
            deliver_export.enqueue(record_id)
    print(len(ids))


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    django.setup()
    command, *args = sys.argv[1:]
    {"setup": setup, "submit": submit, "set-secret": set_secret, "enqueue": enqueue}[command](*args)
