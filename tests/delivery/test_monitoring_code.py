"""SALESmanago's monitoring code (sm.js) on a site's pages: ``{% salesmanago_monitoring_code %}``
renders it when the site's settings ask for it, as SALESmanago's WordPress plugin does
(MonitCodeModel: ``_smid``, ``_smclt``, ``{endpoint}/static/sm.js``, the pop-ups), from a
static file (no inline script), waiting for the visitor's consent by default."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
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
def test_the_server_configuration_names_the_account(settings):
    configure(monitoring_code=True)
    settings.WAGTAIL_SALESMANAGO = {"default": {"client_id": "fromconfig1",
                                                "endpoint": "app2.salesmanago.pl"}}
    assert rendered() == (
        f'<script src="{SCRIPT}" async data-client-id="fromconfig1" '
        'data-endpoint="https://app2.salesmanago.pl" data-wait-for-consent></script>')


@pytest.mark.django_db
@pytest.mark.parametrize("values", [
    {"client_id": 'x"><script>alert(1)</script>'},  # no client ID SALESmanago hands out
    {"client_id": "x onerror=alert(1)"},
    {"endpoint": "http://app3.salesmanago.pl:8080"},  # plain http without DEBUG: refused
])
def test_values_no_account_could_have_are_never_put_on_a_page(values, settings):
    settings.WAGTAIL_SALESMANAGO_ALLOW_HTTP = False
    settings.DEBUG = False
    configure(monitoring_code=True, **values)
    page = Template("{% load salesmanago %}{% autoescape off %}{% salesmanago_monitoring_code %}"
                    "{% endautoescape %}").render(Context({"request": RequestFactory().get("/")}))
    assert page == ""


@pytest.mark.django_db
def test_an_editors_preview_is_nobodys_visit():
    configure(monitoring_code=True)
    request = RequestFactory().get("/")
    request.is_preview = True
    assert Template("{% load salesmanago %}{% salesmanago_monitoring_code %}").render(
        Context({"request": request})) == ""


@pytest.mark.django_db
def test_a_page_view_writes_nothing():
    SalesmanagoSettings.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        assert rendered() == ""
    assert not SalesmanagoSettings.objects.exists()
    assert all(q["sql"].startswith("SELECT") for q in queries.captured_queries)


@pytest.mark.django_db
def test_a_lazy_nonce_is_made_so_that_the_header_names_it_too():
    made = []

    class LazyNonce:  # as Django 6's and django-csp's: false until made
        def __bool__(self):
            return bool(made)

        def __str__(self):
            made.append("abc")
            return "abc"

    configure(monitoring_code=True)
    assert rendered(csp_nonce=LazyNonce()).endswith(' data-wait-for-consent nonce="abc"></script>')
    assert made


@pytest.mark.django_db
@pytest.mark.parametrize("days, error", [(0, "Ensure this value is greater than or equal to 1."),
                                         (3651, "Ensure this value is less than or equal to 3650.")])
def test_the_cookie_lifetime_is_days_a_person_would_mean(admin, site, days, error):
    from tests.helpers import settings_form, settings_url
    response = admin.post(settings_url(site), settings_form(monitoring_code="on",
                                                            monitoring_cookie_days=str(days)))
    assert response.context["form"].errors["monitoring_cookie_days"] == [error]


def test_no_request_renders_nothing():
    assert Template("{% load salesmanago %}{% salesmanago_monitoring_code %}").render(
        Context({})) == ""
