"""The API secret goes into nothing but the `sha` signature."""

import json

import pytest

from tests.helpers import answer, make_form_page
from wagtail_salesmanago.models import ExportRecord


@pytest.mark.django_db
@pytest.mark.parametrize("faults", [{}, {"auth_fail": True}, {"status": 500}])
def test_secret_is_not_in_records_requests_or_errors(client, sm, on_commit, all_logs, faults):
    sm.misbehave(**faults)
    with on_commit():
        answer(client, make_form_page(), {"Twój e-mail": "jan@example.com"})

    record = ExportRecord.objects.values().get()
    assert sm.api_secret not in json.dumps(record, default=str)
    assert not {"apiKey", "sha", "clientId", "requestTime"} & set(record["payload"])
    assert sm.api_secret not in json.dumps(sm.requests())
    assert sm.api_secret not in all_logs.text
