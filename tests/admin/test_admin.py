"""What site owners and editors see in Wagtail's admin."""

import re

import pytest
from django.urls import reverse
from wagtail.models import Site

from tests.helpers import make_form_page
from wagtail_salesmanago.models import SalesmanagoSettings

SECRET = "very-secret-value-42"


@pytest.fixture
def settings_url(db):
    site = Site.objects.get(is_default_site=True)
    return reverse(
        "wagtailsettings:edit",
        args=["wagtail_salesmanago", "salesmanagosettings", site.pk],
    )


def form_data(**overrides):
    data = {
        "endpoint": "app3.salesmanago.pl",
        "client_id": "client-1",
        "api_secret": "",
        "owner_email": "owner@firma.pl",
        "detail_prefix": "ankieta.",
    }
    data.update(overrides)
    return data


def stored():
    return SalesmanagoSettings.objects.get()


@pytest.mark.django_db
def test_settings_page_has_the_fields_and_never_shows_the_secret(admin, settings_url):
    SalesmanagoSettings.objects.create(
        site=Site.objects.get(), endpoint="app3.salesmanago.pl", client_id="c", api_secret=SECRET
    )
    html = admin.get(settings_url).content.decode()

    for name in ("endpoint", "client_id", "api_secret", "owner_email", "detail_prefix"):
        assert f'name="{name}"' in html
    assert re.search(r'<input type="password" name="api_secret"[^>]*>', html)
    assert SECRET not in html
    assert "A secret is stored. Leave this empty to keep it" in html


@pytest.mark.django_db
def test_saving_with_an_empty_secret_keeps_the_stored_one(admin, settings_url):
    response = admin.post(settings_url, form_data(api_secret=SECRET))
    assert response.status_code == 302
    assert stored().api_secret == SECRET

    # (A new endpoint or client ID needs it typed again: tests/delivery/test_secret.py.)
    response = admin.post(settings_url, form_data(owner_email="crm@firma.pl"))
    assert response.status_code == 302
    assert (stored().owner_email, stored().api_secret) == ("crm@firma.pl", SECRET)

    admin.post(settings_url, form_data(api_secret="new-secret"))
    assert stored().api_secret == "new-secret"


@pytest.mark.django_db
def test_settings_defaults(admin, settings_url):
    html = admin.get(settings_url).content.decode()
    assert 'value="ankieta."' in html
    assert "From the same API page in SALESmanago. It is never shown again." in html


@pytest.mark.django_db
def test_editor_sees_the_salesmanago_panel(admin):
    page = make_form_page()
    html = admin.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()

    assert "Send form results to the contact&#x27;s SALESmanago profile" in html
    assert 'name="salesmanago_enabled"' in html
    assert 'name="salesmanago_tag"' in html
    assert "A comma separates several tags." in html


@pytest.mark.django_db
def test_settings_repr_hides_the_secret():
    settings = SalesmanagoSettings(endpoint="e", api_secret=SECRET)
    assert SECRET not in repr(settings)
