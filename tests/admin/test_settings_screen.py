"""Site owners: test connection, validation, credentials from the server configuration."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.demo_process import free_port
from tests.helpers import (
    URL_SHAPE,
    answer,
    answers,
    connection_url,
    leave_out,
    make_form_page,
    settings_form,
    settings_url,
    typed,
)
import wagtail_salesmanago
from wagtail_salesmanago.delivery.account import account_for_site
from wagtail_salesmanago.models import ExportRecord, SalesmanagoSettings


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, faults, ok, message",
    [
        ({}, {}, True, "Connected to SALESmanago. The account's users: owner@example.com."),
        ({"api_secret": "wrong"}, {}, False,
         "SALESmanago rejected the client ID or the API secret (it said: Not authenticated)."),
        ({"client_id": "nope"}, {}, False, "SALESmanago does not know this client ID."),
        ({"owner_email": "ghost@example.com"}, {}, False,
         "ghost@example.com is not a user of this SALESmanago account. Its users: owner@example.com."),
        ({"endpoint": "http://no-such-host.invalid"}, {}, False,
         "The endpoint host no-such-host.invalid does not resolve. Check the endpoint."),
        ({}, {"status": 502}, False, "answered with an error: SALESmanago had a server error."),
    ],
)
def test_connection_outcomes_in_words(admin, sm, site, changes, faults, ok, message):
    sm.misbehave(**faults)
    data = admin.post(connection_url(site), typed(sm, **changes)).json()
    assert data["ok"] is ok
    assert message in data["message"]
    if ok:
        assert data["users"] == ["owner@example.com"]  # what fills the owner <datalist>
        assert sm.requests()[-1]["body"]["owner"] == "owner@example.com"


@pytest.mark.django_db
def test_connection_refused_and_timeout(admin, sm, site, settings):
    port = free_port()
    data = admin.post(connection_url(site), typed(sm, endpoint=f"http://127.0.0.1:{port}")).json()
    assert data["message"] == f"Nothing answers at http://127.0.0.1:{port}. Check the endpoint."
    settings.WAGTAIL_SALESMANAGO_TIMEOUT = (0.5, 0.3)
    sm.misbehave(latency=1)
    data = admin.post(connection_url(site), typed(sm)).json()
    assert data["message"] == f"SALESmanago at {sm.url} did not answer in time."


@pytest.mark.django_db
def test_connection_uses_the_stored_secret_when_none_is_typed(admin, sm, site):
    data = admin.post(connection_url(site), typed(sm, api_secret="")).json()
    assert data["ok"] is True
    SalesmanagoSettings.objects.update(api_secret="")
    data = admin.post(connection_url(site), typed(sm, api_secret="")).json()
    assert data == {"ok": False, "message": "Fill in API secret first.", "users": []}


@pytest.mark.django_db
def test_connection_test_needs_permission_and_a_post(client, django_user_model, sm, site):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("editor", "e@example.com", "pw")
    client.force_login(user)
    assert client.post(connection_url(site), typed(sm)).status_code == 302  # to the admin login
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    response = client.post(connection_url(site), typed(sm))
    assert (response.status_code, response["Location"]) == (302, "/admin/")  # permission denied
    assert sm.requests() == []
    admin = django_user_model.objects.create_superuser("admin", "a@example.com", "pw")
    client.force_login(admin)
    assert client.get(connection_url(site)).status_code == 405


@pytest.mark.django_db
def test_the_settings_screen_offers_the_test(admin, sm, site):
    html = admin.get(settings_url(site)).content.decode()
    assert "Test connection" in html
    assert 'data-controller="salesmanago-connection-test"' in html
    assert f'data-salesmanago-connection-test-url-value="{connection_url(site)}"' in html
    assert 'data-action="salesmanago-connection-test#test"' in html
    assert '<script src="/static/wagtail_salesmanago/js/connection-test.js"></script>' in html
    assert '<datalist id="salesmanago-owners"' in html


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)|\son[a-z]+\s*=|javascript:",
                           re.I)


def test_no_template_of_ours_runs_inline_script():
    """A strict Content Security Policy (``script-src 'self'``) blocks inline scripts and handlers."""
    templates = list((Path(wagtail_salesmanago.__file__).parent / "templates").rglob("*.html"))
    assert templates
    for template in templates:
        assert not INLINE_SCRIPT.search(template.read_text(encoding="utf-8")), template


@pytest.mark.django_db
def test_the_connection_test_panel_renders_no_inline_script(admin, sm, site):
    html = admin.get(settings_url(site)).content.decode()
    panel = html[html.index('data-controller="salesmanago-connection-test"'):]
    panel = panel[:panel.index("</datalist>")]
    assert not INLINE_SCRIPT.search(panel)
    assert not [line for line in html.splitlines() if INLINE_SCRIPT.search(line)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"endpoint": "app3 salesmanago"}, "endpoint",
         "Remove the spaces and invisible characters from the endpoint."),
        ({"endpoint": "app3.salesmanago.pl/x"}, "endpoint", leave_out("/x")),
        ({"endpoint": "ftp://app3.salesmanago.pl"}, "endpoint", URL_SHAPE),
        ({"endpoint": "https://app3.salesmanago.pl/api"}, "endpoint", leave_out("/api")),
        ({"endpoint": "https://app3.salesmanago.pl#"}, "endpoint", leave_out("#")),
        ({"endpoint": "https://app3.salesmanago.pl?"}, "endpoint", leave_out("?")),
        ({"endpoint": "https://user:pw@app3.salesmanago.pl"}, "endpoint",
         "Leave the user name and password out of the endpoint."),
        ({"endpoint": "https://app3.salesmanago.pl:99999"}, "endpoint",
         "Enter a port number from 1 to 65535."),
        ({"endpoint": "http://127.0.0.1:8765"}, "endpoint",
         "Use https://. Plain http:// is allowed only with DEBUG or WAGTAIL_SALESMANAGO_ALLOW_HTTP"),
        ({"endpoint": "https://app3.salesmanago.pl:8443"}, "endpoint",
         "Use the standard https port. Other ports are allowed only with DEBUG"),
        ({"owner_email": "not-an-email"}, "owner_email", "Enter a valid email address."),
        ({"detail_prefix": "ankieta pytanie "}, "detail_prefix",
         "Use only letters, digits, dots, hyphens and underscores"),
        ({"digest_to": "ops@example.com; it@example.com, admins, x"}, "digest_to",
         "Not an e-mail address: ops@example.com; it@example.com, x. Separate addresses with "
         "commas; ADMINS stands for the site's ADMINS."),
    ],
)
def test_validation_messages(admin, site, settings, changes, field, message):
    settings.WAGTAIL_SALESMANAGO_ALLOW_HTTP = False
    response = admin.post(settings_url(site), settings_form(**changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])


@pytest.mark.django_db
def test_digest_addresses_are_saved_one_way(admin, site, sm, settings):
    settings.ADMINS = [("Ops", "ops@example.com")]
    response = admin.post(settings_url(site), settings_form(digest_to="ADMINS"))
    settings.ADMINS = []
    response = admin.post(settings_url(site), settings_form(digest_to="ADMINS"))
    assert response.context["form"].errors["digest_to"] == [
        "ADMINS is empty in the server's settings: add an address."]
    settings.ADMINS = [("Ops", "ops@example.com")]
    admin.post(settings_url(site), settings_form(digest_to=" ops@example.com ,admins,, it@example.com "))
    stored = SalesmanagoSettings.objects.get(site=site)
    assert stored.digest_to == "ops@example.com, ADMINS, it@example.com"
    assert stored.digest_recipients([("Ops", "ops@example.com"), ("Boss", "boss@example.com")]) == [
        "ops@example.com", "boss@example.com", "it@example.com"]


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ["app3.salesmanago.pl", "https://www.salesmanago.com",
                                      "https://www.salesmanago.com:443/"])
def test_valid_endpoints(admin, site, settings, endpoint):
    settings.WAGTAIL_SALESMANAGO_ALLOW_HTTP = False
    assert admin.post(settings_url(site), settings_form(endpoint=endpoint)).status_code == 302


@pytest.mark.django_db
def test_http_and_other_ports_are_fine_with_the_explicit_setting(admin, site, settings):
    settings.WAGTAIL_SALESMANAGO_ALLOW_HTTP = False
    assert admin.post(settings_url(site), settings_form(endpoint="http://127.0.0.1:8765")).status_code == 200
    settings.WAGTAIL_SALESMANAGO_ALLOW_HTTP = True
    assert admin.post(settings_url(site), settings_form(endpoint="http://127.0.0.1:8765")).status_code == 302
    assert admin.post(settings_url(site), settings_form(endpoint="localhost:8765")).status_code == 302


@pytest.mark.django_db
def test_tag_length_is_checked_on_the_page(admin, sm):
    page = make_form_page()
    page.salesmanago_tag = "x" * 256
    with pytest.raises(Exception, match="at most 255 characters"):
        page.full_clean()


@pytest.mark.django_db
def test_server_configuration_wins_and_shows_read_only(admin, sm, site, settings, client, on_commit):
    SalesmanagoSettings.objects.update(client_id="db-client", api_secret="db-secret",
                                       owner_email="db-owner@example.com")
    settings.WAGTAIL_SALESMANAGO = {
        "default": {"client_id": "wrong", "owner_email": "owner@example.com"},
        site.hostname: {"client_id": sm.client_id, "api_secret": sm.api_secret},
    }
    account = account_for_site(site)
    assert (account.client_id, account.api_secret, account.owner_email, account.endpoint) == (
        sm.client_id, sm.api_secret, "owner@example.com", sm.url)
    assert account.from_config == {"client_id", "api_secret", "owner_email"}

    html = admin.get(settings_url(site)).content.decode()
    assert html.count("Set in the server configuration.") == 3
    assert sm.api_secret not in html and "db-secret" not in html
    assert 'name="client_id"' in html and "disabled" in html.split('name="client_id"')[1][:200]

    with on_commit():
        answer(client, make_form_page(), {"Twój e-mail": "cfg@example.com"})
    assert ExportRecord.objects.get().status == "sent"
    assert sm.requests()[0]["body"]["clientId"] == sm.client_id


@pytest.mark.django_db
def test_a_site_set_up_only_in_the_server_configuration_exports_its_first_answer(
        sm, site, settings, client, on_commit):
    SalesmanagoSettings.objects.all().delete()  # nobody has opened the site's settings yet
    settings.WAGTAIL_SALESMANAGO = {site.hostname: {
        "endpoint": sm.url, "client_id": sm.client_id, "api_secret": sm.api_secret,
        "owner_email": sm.owner,
    }}
    with on_commit():
        answer(client, make_form_page(), {"Twój e-mail": "first@example.com"})

    assert ExportRecord.objects.get().status == "sent"
    assert [r["body"]["contact"]["email"] for r in sm.requests()] == ["first@example.com"]


@pytest.mark.django_db
def test_missing_setting_error_names_both_ways(sm, site):
    SalesmanagoSettings.objects.update(owner_email="")
    with pytest.raises(Exception) as error:
        account_for_site(site).get_client()
    assert "Settings > SALESmanago" in str(error.value)
    assert "WAGTAIL_SALESMANAGO" in str(error.value)


@pytest.mark.django_db
def test_system_checks(sm, site, settings, capsys):
    from django.core.checks import run_checks

    settings.WAGTAIL_SALESMANAGO_ALLOW_HTTP = False
    settings.WAGTAIL_SALESMANAGO = {"default": {"endpont": "x", "endpoint": "http://sm.example"}}
    messages = {m.id: m.msg for m in run_checks()}
    assert messages["wagtail_salesmanago.E003"] == (
        "WAGTAIL_SALESMANAGO['default'] has unknown keys: endpont.")
    assert messages["wagtail_salesmanago.E004"].startswith(
        "WAGTAIL_SALESMANAGO['default']['endpoint'] is not used: Use https://.")

    settings.WAGTAIL_SALESMANAGO = {}
    SalesmanagoSettings.objects.update(client_id="")
    make_form_page()
    messages = {m.id: m.msg for m in run_checks(tags=["database"], databases=["default"])}
    assert messages["wagtail_salesmanago.W001"] == (
        "1 form page(s) of site localhost [default] export to SALESmanago, but the site has no "
        "client_id; their answers cannot be sent.")
    assert messages["wagtail_salesmanago.W002"].startswith(
        "Settings > SALESmanago of site localhost [default]: the endpoint is not used: Use https://.")

    settings.DEBUG = True
    SalesmanagoSettings.objects.update(client_id="c")
    assert not [m for m in run_checks(tags=["database"], databases=["default"])
                if m.id.startswith("wagtail_salesmanago")]
    call_command("check")  # the static checks pass on a clean configuration


@pytest.mark.django_db
def test_polish_settings_screen_preview_and_connection_test(admin, sm, site, settings):
    settings.LANGUAGE_CODE = "pl"
    html = admin.get(settings_url(site)).content.decode()
    assert "Sprawdź połączenie" in html
    assert "Sekret jest zapisany. Zostaw to pole puste, aby go zachować" in html
    assert "Wpisz go ponownie przy każdej zmianie endpointu lub client ID." in html
    data = admin.post(connection_url(site), typed(sm, owner_email="ghost@example.com")).json()
    assert data["message"] == ("ghost@example.com nie jest użytkownikiem tego konta SALESmanago. "
                               "Użytkownicy konta: owner@example.com.")
    data = admin.post(connection_url(site), typed(sm, api_secret="", client_id="inny")).json()
    assert data["message"].startswith("Zmieniono endpoint lub client ID: wpisz ponownie API secret.")
    response = admin.post(settings_url(site), settings_form(detail_prefix="zła nazwa"))
    assert "Używaj tylko liter, cyfr, kropek" in " ".join(response.context["form"].errors["detail_prefix"])

    page = make_form_page(questions=[("Uwagi", "multiline", "")])
    html = admin.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert "Co trafi do SALESmanago" in html
    assert "Ten formularz nie ma pytania typu e-mail" in html
    assert "Kontakty otrzymają tagi:" in html


@pytest.mark.django_db
def test_a_blank_client_id_or_endpoint_is_blank_in_the_connection_test(admin, sm, site):
    for name in ("client_id", "endpoint"):
        data = admin.post(connection_url(site), typed(sm, detail_prefix="x.", **{name: ""})).json()
        assert data["ok"] is False and data["message"].startswith("Fill in ")
    assert sm.requests() == []


@pytest.mark.django_db
@pytest.mark.parametrize("changes", [
    {"endpoint": "app3.salesmanago.pl/x"}, {"endpoint": "https://app3.salesmanago.pl/api"},
    {"owner_email": "not-an-email"}, {"detail_prefix": "ankieta pytanie "},
])
def test_connection_test_checks_the_form_as_save_does(admin, sm, site, changes):
    (field,) = changes
    saved = admin.post(settings_url(site), settings_form(**changes)).context["form"].errors[field]
    data = admin.post(connection_url(site), typed(sm, **{"detail_prefix": "x.", **changes})).json()
    assert data == {"ok": False, "message": " ".join(saved), "users": []}
    assert sm.requests() == []


@pytest.mark.django_db
def test_save_warns_without_blocking_when_salesmanago_cannot_be_reached(admin, sm, site):
    response = admin.post(settings_url(site), {**typed(sm), "detail_prefix": "x."}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    port = free_port()
    response = admin.post(settings_url(site), {**typed(sm, endpoint=f"http://127.0.0.1:{port}"),
                                               "detail_prefix": "x."}, follow=True)
    assert SalesmanagoSettings.objects.get().endpoint == f"http://127.0.0.1:{port}"
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert warnings == [f"Saved, but the connection test failed: Nothing answers at "
                        f"http://127.0.0.1:{port}. Check the endpoint."]


@pytest.mark.django_db
def test_the_connection_test_answers_in_wagtails_message_styles(admin, sm, site):
    html = admin.get(settings_url(site)).content.decode()
    panel = html[html.index('data-controller="salesmanago-connection-test"'):]
    for kind, icon in [("success", "success"), ("error", "warning")]:
        template = re.search(rf'data-type="{kind}">\s*<li class="{kind}">\s*<svg class="icon icon-{icon} '
                             rf'messages-icon"', panel)
        assert template, kind


@pytest.mark.django_db
def test_a_secret_left_out_of_the_post_is_never_sent_to_a_new_endpoint(admin, sm, site):
    port = free_port()
    data = admin.post(connection_url(site), {"endpoint": f"http://127.0.0.1:{port}"}).json()
    assert data["ok"] is False
    assert data["message"].startswith("You changed the endpoint or the client ID: type the API secret")


@pytest.mark.django_db
@pytest.mark.parametrize("page", [
    "<!DOCTYPE html><html><body><h1>Internal Server Error</h1></body></html>",
    "\n  <html><title>500</title></html>",
])
def test_an_endpoint_that_answers_an_error_page_is_the_first_suspect(admin, site, api, page):
    """A server that is not SALESmanago's API (a site's own web server, say) answers a web page
    (issue 25 item 11): the endpoint is named first, an outage second."""
    answers(api, "user/listByClient", page, status=500)
    stored = SalesmanagoSettings.objects.get()
    data = admin.post(connection_url(site), {
        "endpoint": stored.endpoint, "client_id": stored.client_id, "api_secret": "",
        "owner_email": stored.owner_email, "detail_prefix": "ankieta."}).json()

    assert data == {"ok": False, "users": [], "message": (
        "The server at https://app3.salesmanago.pl answered with an error page (HTTP 500), not as "
        "SALESmanago's API answers: check the endpoint (SALESmanago: Settings > Integration > "
        "API). If it is right, SALESmanago may be down for now.")}


@pytest.mark.django_db
def test_a_throttled_connection_test_says_to_try_later(admin, site, sm):
    sm.misbehave(status=429, retry_after="30")
    stored = SalesmanagoSettings.objects.get()
    data = admin.post(connection_url(site), {
        "endpoint": stored.endpoint, "client_id": stored.client_id, "api_secret": "",
        "owner_email": stored.owner_email, "detail_prefix": "ankieta."}).json()
    assert data == {"ok": False, "users": [], "message": (
        f"SALESmanago at {sm.url} asked for fewer calls for now (HTTP 429), so the credentials "
        "could not be checked: try again in a while. Deliveries meanwhile wait and go by "
        "themselves.")}
