"""The API secret goes into nothing but the `sha` signature."""

import json
import sys
import uuid

import pytest
import requests
from django.core.signals import got_request_exception
from django.db import OperationalError
from django.db.models.sql.compiler import SQLUpdateCompiler
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from tests.helpers import answer, connection_url, make_form_page, settings_url
from wagtail_salesmanago.api import client as client_module
from wagtail_salesmanago.models import ExportRecord, SalesmanagoSettings
from wagtail_salesmanago.sandbox import Sandbox

CLEANSED = SafeExceptionReporterFilter.cleansed_substitute
# Made at run time: error reports quote this file's source lines.
TYPED_SECRET = f"typed-{uuid.uuid4().hex}"


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


# --- The stored secret signs only for the endpoint and client ID it was stored with ----------

SECRET_AGAIN = ("You changed the endpoint or the client ID: type the API secret again. The stored "
                "secret only signs for the endpoint and client ID it was saved with.")
SECRET_FIXED = ("The API secret is set in the server configuration, so change the endpoint and the "
                "client ID there too.")


@pytest.fixture
def elsewhere():
    """Another server: whatever reaches it was sent to a host the secret was not stored for."""
    with Sandbox() as running:
        yield running


def typed_form(sm, **changes):
    """The settings form as typed: the sandbox's credentials, the detail prefix, ``changes``."""
    return {**sm.credentials(), "detail_prefix": "ankieta.", **changes}


@pytest.mark.django_db
def test_connection_test_with_a_new_endpoint_or_client_id_needs_the_secret_typed(
        admin, sm, site, elsewhere):
    for changes in ({"endpoint": elsewhere.url}, {"client_id": "another-client"},
                    {"endpoint": elsewhere.url, "client_id": elsewhere.client_id}):
        data = admin.post(connection_url(site), typed_form(sm, api_secret="", **changes)).json()
        assert data == {"ok": False, "message": SECRET_AGAIN, "users": []}
    assert elsewhere.requests() == [] and sm.requests() == []

    # The same server, written differently, is the same endpoint.
    same = sm.url.replace("http://", "HTTP://") + "/"
    data = admin.post(connection_url(site), typed_form(sm, api_secret="", endpoint=same)).json()
    assert data["ok"]
    # With the secret typed, the test goes to the new server.
    assert admin.post(connection_url(site), typed_form(sm, endpoint=elsewhere.url)).json()["ok"]
    assert len(elsewhere.requests()) == 1


@pytest.mark.django_db
def test_saving_a_new_endpoint_or_client_id_needs_the_secret_typed(
        admin, sm, site, elsewhere, client, on_commit):
    for changes in ({"endpoint": elsewhere.url}, {"client_id": "another-client"}):
        response = admin.post(settings_url(site), typed_form(sm, api_secret="", **changes))
        assert response.context["form"].errors == {"api_secret": [SECRET_AGAIN]}
    assert SalesmanagoSettings.objects.values("endpoint", "client_id").get() == {
        "endpoint": sm.url, "client_id": sm.client_id}
    with on_commit():
        answer(client, make_form_page(), {"Twój e-mail": "jan@example.com"})
    assert elsewhere.requests() == [] and len(sm.requests()) == 1

    # Other fields change with an empty secret; a new endpoint saves with the secret typed.
    same = sm.url + "/"
    assert admin.post(settings_url(site), typed_form(
        sm, api_secret="", endpoint=same, owner_email="new@example.com")).status_code == 302
    assert admin.post(settings_url(site), typed_form(sm, endpoint=elsewhere.url)).status_code == 302
    assert SalesmanagoSettings.objects.get().endpoint == elsewhere.url


@pytest.mark.django_db
def test_the_form_says_the_secret_must_be_typed_again(admin, sm, site):
    html = admin.get(settings_url(site)).content.decode()
    assert ("A secret is stored. Leave this empty to keep it, or type a new one. Type it again "
            "whenever you change the endpoint or the client ID.") in html
    assert "An empty secret means the stored one, which is only used with the stored endpoint" in html


@pytest.mark.django_db
def test_a_configured_secret_stays_with_its_endpoint(admin, sm, site, elsewhere, settings):
    settings.WAGTAIL_SALESMANAGO = {"default": {"api_secret": sm.api_secret}}
    SalesmanagoSettings.objects.update(api_secret="")
    for secret in ("", sm.api_secret):  # a typed secret does not replace the configured one
        data = admin.post(connection_url(site), typed_form(sm, api_secret=secret,
                                                           endpoint=elsewhere.url)).json()
        assert data == {"ok": False, "message": SECRET_FIXED, "users": []}
    response = admin.post(settings_url(site), typed_form(sm, endpoint=elsewhere.url))
    assert response.context["form"].errors == {"endpoint": [SECRET_FIXED]}
    response = admin.post(settings_url(site), typed_form(sm, client_id="another-client"))
    assert response.context["form"].errors == {"client_id": [SECRET_FIXED]}
    response = admin.post(settings_url(site), typed_form(sm, endpoint=elsewhere.url, client_id="x"))
    assert response.context["form"].errors == {"endpoint": [SECRET_FIXED], "client_id": [SECRET_FIXED]}
    assert elsewhere.requests() == []
    assert admin.post(connection_url(site), typed_form(sm, api_secret="")).json()["ok"] is True


# --- Error reports (DEBUG pages, error mails) never show the secret -------------------------

@pytest.fixture
def error_report(admin):
    """The error report Django would show or mail for the next request that fails."""
    reports = []

    def capture(sender, request, **kwargs):
        reporter = ExceptionReporter(request, *sys.exc_info())
        reports.append(reporter.get_traceback_html() + reporter.get_traceback_text())

    got_request_exception.connect(capture)
    yield reports
    got_request_exception.disconnect(capture)


@pytest.mark.django_db
def test_a_failed_settings_save_reports_no_secret(admin, sm, site, monkeypatch, error_report):
    update = SQLUpdateCompiler.execute_sql

    def database_fails(compiler, *args, **kwargs):
        if compiler.query.model is SalesmanagoSettings:
            raise OperationalError("database is locked")
        return update(compiler, *args, **kwargs)

    monkeypatch.setattr(SQLUpdateCompiler, "execute_sql", database_fails)
    with pytest.raises(OperationalError):
        admin.post(settings_url(site), typed_form(sm, api_secret=TYPED_SECRET))
    [report] = error_report
    assert "database is locked" in report
    assert TYPED_SECRET not in report
    assert CLEANSED in report


@pytest.mark.django_db
@pytest.mark.parametrize("secret", ["", TYPED_SECRET], ids=["stored", "typed"])  # stable ids: the secret is random
@pytest.mark.parametrize("failure", ["sending", "signing"])
def test_a_failed_connection_test_reports_no_secret_nor_signature(
        admin, sm, site, monkeypatch, error_report, secret, failure):
    sent = []

    def send(session, request, **kwargs):
        sent.append(json.loads(request.body))
        raise RuntimeError("the certificate store is broken")

    class BrokenHash:
        @staticmethod
        def sha1(data):
            raise RuntimeError("the certificate store is broken")

    if failure == "sending":
        monkeypatch.setattr(requests.Session, "send", send)
    else:
        # internal seam: a failure inside the signing frame itself; no input makes SHA-1 raise
        # (and hashlib.sha1 patched for the whole process would break the request before it).
        monkeypatch.setattr(client_module, "hashlib", BrokenHash)
    with pytest.raises(RuntimeError):
        admin.post(connection_url(site), typed_form(sm, api_secret=secret))
    [report] = error_report
    assert "the certificate store is broken" in report
    assert sm.api_secret not in report and TYPED_SECRET not in report
    for body in sent:
        assert body["sha"] not in report and body["apiKey"] not in report
    assert CLEANSED in report
