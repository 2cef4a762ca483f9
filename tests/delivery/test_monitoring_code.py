"""SALESmanago's monitoring code (sm.js) on a site's pages: ``{% salesmanago_monitoring_code %}``
renders it when the site's settings ask for it, as SALESmanago's WordPress plugin does
(MonitCodeModel: ``_smid``, ``_smclt``, ``{endpoint}/static/sm.js``, the pop-ups), from a
static file (no inline script), waiting for the visitor's consent by default."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from wagtail.models import Site

from wagtail_salesmanago.models import SalesmanagoSettings

SCRIPT = "/static/wagtail_salesmanago/js/monitoring.js"


def rendered(**context):
    request = RequestFactory().get("/")
    return Template("{% load salesmanago %}{% salesmanago_monitoring_code %}").render(
        Context({"request": request, **context}))


def configure(**values):
    SalesmanagoSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"endpoint": "app3.salesmanago.pl", "client_id": "abc123xyz",
                  "api_secret": "secret", "owner_email": "o@example.com", **values})


@pytest.mark.django_db
def test_off_by_default_renders_nothing():
    configure()
    assert rendered() == ""


@pytest.mark.django_db
def test_on_it_waits_for_consent_and_names_the_account():
    configure(monitoring_code=True)
    assert rendered() == (
        f'<script src="{SCRIPT}" async data-client-id="abc123xyz" '
        'data-endpoint="https://app3.salesmanago.pl" data-wait-for-consent></script>')
    assert "secret" not in rendered()


@pytest.mark.django_db
def test_cookie_lifetime_pop_ups_no_wait_and_the_pages_csp_nonce():
    configure(monitoring_code=True, monitoring_cookie_days=30, monitoring_popups=True,
              monitoring_waits_for_consent=False)
    assert rendered(csp_nonce="n0nce") == (
        f'<script src="{SCRIPT}" async data-client-id="abc123xyz" '
        'data-endpoint="https://app3.salesmanago.pl" data-cookie-days="30" data-popups '
        'nonce="n0nce"></script>')


@pytest.mark.django_db
@pytest.mark.parametrize("values", [
    {"client_id": ""},  # no account to track for
    {"endpoint": "https://app3.salesmanago.pl/api?x=1"},  # an endpoint the checks refuse
])
def test_nothing_without_a_usable_account(values):
    configure(monitoring_code=True, **values)
    assert rendered() == ""


@pytest.mark.django_db
def test_the_server_configuration_names_the_account_and_values_are_escaped(settings):
    configure(monitoring_code=True)
    settings.WAGTAIL_SALESMANAGO = {"default": {"client_id": 'x"><script>alert(1)</script>',
                                                "endpoint": "app2.salesmanago.pl"}}
    assert rendered() == (
        f'<script src="{SCRIPT}" async '
        'data-client-id="x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" '
        'data-endpoint="https://app2.salesmanago.pl" data-wait-for-consent></script>')


def test_no_request_renders_nothing():
    assert Template("{% load salesmanago %}{% salesmanago_monitoring_code %}").render(
        Context({})) == ""
