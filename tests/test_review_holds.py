"""Hostile-review repro (issue 9 §2.9, §2.12): one visitor's answer holds a whole site for ever."""

import json
from datetime import timedelta

import pytest
import responses
from django.utils import timezone
from wagtail.models import Site

from tests.helpers import answer, make_form_page
from tests.test_bookkeeping import URL, queued  # noqa: F401 (fixture)
from tests.test_retries import run_retry, submit
from wagtail_salesmanago.models import DeliveryHold, ExportRecord, SalesmanagoSettings

WAF_PAGE = "<html><body>403 Forbidden: request blocked by the web application firewall</body></html>"
POISON = "<script>alert(1)</script>"  # an answer a WAF rule blocks


@pytest.mark.django_db
def test_one_answer_that_a_firewall_blocks_does_not_hold_the_others_for_ever(
    client, on_commit, queued  # noqa: F811
):
    SalesmanagoSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"endpoint": "app3.salesmanago.pl", "client_id": "c", "api_secret": "s",
                  "owner_email": "crm@firma.pl"},
    )

    def firewall(request):
        if "<script>" in request.body.decode():
            return 403, {"Content-Type": "text/html"}, WAF_PAGE
        return 200, {}, json.dumps({"success": True, "message": []})

    page = make_form_page()
    with on_commit():  # the first in the queue
        answer(client, page, {"Twój e-mail": "poison@example.com", "Komentarz": POISON})
    submit(client, page, on_commit, "a@example.com", "b@example.com")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add_callback(responses.POST, URL + "contact/upsert", firewall)
        api.add(responses.POST, URL + "user/listByClient",
                json={"success": True, "message": [], "users": ["crm@firma.pl"]})
        for _ in range(4):  # two hours of cron: each time the check is due, it passes
            run_retry()
            DeliveryHold.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))

    statuses = dict(ExportRecord.objects.values_list("email", "status"))
    # The credentials work (every check passes); only the one answer is blocked. Actually the
    # blocked answer goes first after every release and puts the whole site back on hold, so
    # nobody's answers reach SALESmanago, for as long as it stays in the queue.
    assert statuses["a@example.com"] == statuses["b@example.com"] == ExportRecord.Status.SENT
