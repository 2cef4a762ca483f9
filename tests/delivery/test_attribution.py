"""Campaign attribution (issue 26 item 3): the landing address's utm_* parameters, the other site
that sent the visitor and the landing page reach the contact's details and the form's event.

Over real HTTP against the sandbox; the visitor is Django's test client, which keeps cookies as a
browser does.
"""

import random
import time
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.core import signing
from django.db import connection
from django.http import (
    HttpResponse,
    HttpResponseNotFound,
    HttpResponseRedirect,
    JsonResponse,
)
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from tests.helpers import contact_bodies, make_form_page, read_form
from wagtail_salesmanago.delivery import first_touch
from wagtail_salesmanago.models import ExportRecord, SalesmanagoSettings
from wagtail_salesmanago.payload import attribution

CAMPAIGN = "?utm_source=newsletter&utm_medium=email&utm_campaign=wiosna+2026&utm_term=buty&utm_content=baner"
MIDDLEWARE = "wagtail_salesmanago.middleware.CampaignAttributionMiddleware"


def visit(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response


def answer_form(client, page, email="jan@example.com", url=None, **headers):
    """The visitor opens the form (at ``url``) and answers it; the record made."""
    response = visit(client, url or page.url, **headers)
    form = read_form(response.content.decode())
    email_field = next(f.clean_name for f in page.get_form_fields() if f.field_type == "email")
    assert client.post(form.action, {**form.values, email_field: email}).status_code == 200
    return ExportRecord.objects.latest("pk")


def varied(seed, length, alphabet=None):
    """Text that hardly compresses: ``length`` characters picked at random (the same ones each
    run), Chinese characters unless ``alphabet`` says which."""
    pick = random.Random(seed)
    if alphabet:
        return "".join(pick.choice(alphabet) for _ in range(length))
    return "".join(chr(pick.randrange(0x4E00, 0x9FA0)) for _ in range(length))


def details_of_event(sandbox):
    [event] = [r["body"]["contactEvent"] for r in sandbox.requests()
               if r["path"] == "/api/v2/contact/addContactExtEvent"]
    return {k: v for k, v in event.items() if k.startswith("detail")}


def survey(**kwargs):
    return make_form_page(questions=[("E-mail", "email", "")], tag="",
                          salesmanago_event_type="SURVEY", **kwargs)


def settings_of_site(**values):
    SalesmanagoSettings.objects.filter(site=Site.objects.get(is_default_site=True)).update(**values)


@pytest.mark.django_db
def test_a_visitor_landing_on_the_form_from_a_campaign_brings_it_to_the_contact_and_the_event(
        client, sm, on_commit):
    page = survey()
    with on_commit():
        answer_form(client, page, url=page.url + CAMPAIGN,
                    HTTP_REFERER="https://mail.example.net/inbox?u=jan%40example.com")

    [body] = contact_bodies(sm)
    landing = "http://testserver/badanie-satysfakcji/"
    assert body["properties"] == {
        "ankieta.E-mail": "jan@example.com",
        "ankieta.utm_source": "newsletter", "ankieta.utm_medium": "email",
        "ankieta.utm_campaign": "wiosna 2026", "ankieta.utm_term": "buty",
        "ankieta.utm_content": "baner", "ankieta.referrer": "https://mail.example.net/inbox",
        "ankieta.landing_page": landing,
    }
    assert details_of_event(sm) == {
        "detail1": "http://localhost/badanie-satysfakcji/", "detail2": "newsletter",
        "detail3": "email", "detail4": "wiosna 2026", "detail5": "buty", "detail6": "baner",
        "detail7": "https://mail.example.net/inbox", "detail8": landing,
    }


@pytest.mark.django_db
def test_the_first_touch_is_kept_while_the_visitor_moves_between_pages(
        client, sm, on_commit, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]
    other = make_form_page(questions=[("Pytanie", "singleline", "")], enabled=False,
                           title="Promocja", slug="promocja")
    page = survey()
    visit(client, other.url + "?utm_source=google&utm_medium=cpc",
          HTTP_REFERER="https://www.google.com/")
    visit(client, page.url + "?utm_source=facebook")  # a later touch does not replace the first
    with on_commit():
        answer_form(client, page)

    [body] = contact_bodies(sm)
    assert {k: v for k, v in body["properties"].items() if k != "ankieta.E-mail"} == {
        "ankieta.utm_source": "google", "ankieta.utm_medium": "cpc",
        "ankieta.referrer": "https://www.google.com/",
        "ankieta.landing_page": "http://testserver/promocja/",
    }


@pytest.mark.django_db
def test_the_sites_own_prefix_names_the_details(client, sm, on_commit):
    settings_of_site(attribution_prefix="kampania.")
    page = survey()
    with on_commit():
        answer_form(client, page, url=page.url + "?utm_source=x")

    [body] = contact_bodies(sm)
    assert body["properties"] == {
        "ankieta.E-mail": "jan@example.com", "kampania.utm_source": "x",
        "kampania.landing_page": "http://testserver/badanie-satysfakcji/"}


@pytest.mark.django_db
def test_a_site_that_sends_no_attribution_sets_no_cookie_and_sends_none(client, sm, on_commit):
    settings_of_site(send_attribution=False)
    page = survey()
    response = visit(client, page.url + CAMPAIGN)
    assert first_touch.COOKIE not in response.cookies
    with on_commit():
        answer_form(client, page, url=page.url + CAMPAIGN)

    [body] = contact_bodies(sm)
    assert body["properties"] == {"ankieta.E-mail": "jan@example.com"}
    [event] = [r["body"]["contactEvent"] for r in sm.requests() if "Event" in r["path"]]
    assert "detail2" not in event


@pytest.mark.django_db
def test_a_visit_without_campaign_data_sets_no_cookie_and_reads_no_settings(
        client, sm, settings, rf, django_assert_num_queries):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]
    page = survey()
    with django_assert_num_queries(0):
        response = HttpResponse()
        first_touch.remember(rf.get("/", HTTP_REFERER="http://testserver/other/"), response)
    assert first_touch.COOKIE not in response.cookies
    response = visit(client, page.url + "?q=1", HTTP_REFERER="http://testserver/other/")
    assert first_touch.COOKIE not in response.cookies


@pytest.mark.django_db
def test_10000_character_campaign_values_fit_the_cookie_and_are_cut_to_255_in_the_details(
        client, sm, on_commit):
    page = survey()
    huge = "?" + "&".join(f"utm_{k}=" + "ż" * 10_000 for k in ("source", "medium", "campaign",
                                                                 "term", "content"))
    response = visit(client, page.url + huge)
    assert len(response.cookies[first_touch.COOKIE].value) <= first_touch.MAX_COOKIE_LENGTH
    assert response.cookies[first_touch.COOKIE]["httponly"] is True
    assert response.cookies[first_touch.COOKIE]["samesite"] == "Lax"
    assert response.cookies[first_touch.COOKIE]["max-age"] == ""  # the browser session only
    with on_commit():
        answer_form(client, page)

    [body] = contact_bodies(sm)
    sent = {k: v for k, v in body["properties"].items() if "utm_" in k}
    # They compress well: the cookie keeps all 255 characters of each.
    assert sent == {f"ankieta.{key}": "ż" * 255 for key in attribution.UTM_KEYS}


@pytest.mark.django_db
def test_campaign_values_too_varied_to_compress_are_halved_until_the_cookie_fits(
        client, sm, on_commit):
    page = survey()
    campaign = {key: varied(seed, 300) for seed, key in enumerate(attribution.UTM_KEYS)}
    response = visit(client, page.url + "?" + urlencode(campaign))
    assert len(response.cookies[first_touch.COOKIE].value) <= first_touch.MAX_COOKIE_LENGTH
    with on_commit():
        answer_form(client, page)

    # Cut to 255 characters, the cookie was still too long: each value keeps its first 127.
    landing = "http://testserver/badanie-satysfakcji/"
    [body] = contact_bodies(sm)
    assert body["properties"] == {
        "ankieta.E-mail": "jan@example.com", "ankieta.landing_page": landing,
        **{f"ankieta.{key}": value[:127] for key, value in campaign.items()}}
    assert details_of_event(sm) == {
        "detail1": "http://localhost/badanie-satysfakcji/", "detail8": landing,
        **{f"detail{n}": campaign[key][:127] for n, key in enumerate(attribution.UTM_KEYS, 2)}}


@pytest.mark.django_db
def test_a_first_touch_that_fills_the_cookie_to_exactly_3000_characters_is_kept_whole(
        client, sm, on_commit, rf):
    page = survey()

    def cookie_length(query):
        response = HttpResponse()
        first_touch.remember(rf.get(page.url, query), response)
        return len(response.cookies[first_touch.COOKIE].value)

    # Chinese campaign names, which hardly compress, and a utm_term of digits growing one at a
    # time: the cookie grows by a character or less each time, until the values are cut.
    full = None
    for campaign_length in (230, 210, 190):  # shorter if the cookie stepped over 3,000
        query = {"utm_source": varied(1, 255), "utm_medium": varied(2, 255),
                 "utm_campaign": varied(3, campaign_length)}
        lengths = []
        for digits in range(256):
            query["utm_term"] = varied(4, digits, "0123456789")
            lengths.append(cookie_length(query))
            if lengths[-1] == first_touch.MAX_COOKIE_LENGTH or lengths[-1] < lengths[0]:
                break
        if lengths[-1] == first_touch.MAX_COOKIE_LENGTH:
            full = query
            break
    assert full, "no landing filled the cookie to exactly 3,000 characters"

    response = visit(client, page.url + "?" + urlencode(full))
    assert len(response.cookies[first_touch.COOKIE].value) == first_touch.MAX_COOKIE_LENGTH
    with on_commit():
        answer_form(client, page)
    [body] = contact_bodies(sm)
    assert {k: v for k, v in body["properties"].items() if "utm_" in k} == {
        f"ankieta.{key}": value for key, value in full.items()}


@pytest.mark.django_db
@pytest.mark.parametrize("https, session_cookie_secure, secure", [
    (False, False, []), (True, False, ["Secure"]), (False, True, ["Secure"])])
def test_the_cookie_lasts_the_browser_session_is_hidden_from_scripts_and_other_sites_and_secure(
        client, sm, settings, https, session_cookie_secure, secure):
    settings.SESSION_COOKIE_SECURE = session_cookie_secure
    page = survey()
    response = client.get(page.url + "?utm_source=x", secure=https)
    header = response.cookies[first_touch.COOKIE].output(header="").strip()
    assert header.split("; ")[1:] == ["HttpOnly", "Path=/", "SameSite=Lax", *secure]


@pytest.mark.django_db
def test_only_a_response_that_sets_the_cookie_varies_on_cookies_and_is_private(sm, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]
    plain = visit(Client(), "/")
    landing = visit(Client(), "/?utm_source=x")
    assert (plain.get("Vary"), plain.get("Cache-Control")) == (None, None)
    assert (landing["Vary"], landing["Cache-Control"]) == ("Cookie", "private")


@pytest.mark.django_db
def test_a_site_set_up_in_the_server_configuration_keeps_the_first_touch_and_stores_no_settings(
        client, sm, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]
    settings.WAGTAIL_SALESMANAGO = {"default": sm.credentials()}
    SalesmanagoSettings.objects.all().delete()
    response = visit(client, "/?utm_source=x")
    assert response.cookies[first_touch.COOKIE].value
    assert not SalesmanagoSettings.objects.exists()


@pytest.mark.django_db
def test_a_landing_on_a_host_no_site_serves_keeps_nothing_and_logs_no_error(sm, rf, all_logs):
    Site.objects.update(is_default_site=False)
    response = HttpResponse()
    first_touch.remember(rf.get("/?utm_source=x", HTTP_HOST="elsewhere.example"), response)
    assert first_touch.COOKIE not in response.cookies
    assert [r.getMessage() for r in all_logs.records if r.levelname == "ERROR"] == []


def cookie_signed(days_ago, value, salt=first_touch.SALT):
    """A cookie as this site (``salt``) signed it ``days_ago`` (a browser that restores its
    session keeps it that long)."""
    class Then(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time() - days_ago * 24 * 3600))

    return Then(salt=salt).sign_object(value, compress=True)


@pytest.mark.django_db
@pytest.mark.parametrize("cookie, kept", [
    (cookie_signed(29, {"utm_source": "newsletter"}), {"ankieta.utm_source": "newsletter"}),
    (cookie_signed(0, {"utm_source": "forged"}, salt="other"), {}),  # not signed by this site
    (cookie_signed(31, {"utm_source": "newsletter"}), {}),  # more than 30 days old
    (cookie_signed(0, ["newsletter"]), {}),  # no first touch in it
], ids=["29 days old", "another site's", "31 days old", "no first touch"])
def test_only_a_cookie_this_site_signed_in_the_last_30_days_counts(
        client, sm, on_commit, all_logs, cookie, kept):
    page = survey()
    client.cookies[first_touch.COOKIE] = cookie
    with on_commit():
        answer_form(client, page)

    [body] = contact_bodies(sm)
    assert body["properties"] == {"ankieta.E-mail": "jan@example.com", **kept}
    assert [r.getMessage() for r in all_logs.records if r.levelname == "ERROR"] == []


@pytest.mark.django_db
def test_an_answer_posted_from_another_sites_form_counts_that_site_and_sets_no_cookie(
        client, sm, on_commit):
    page = survey()
    form = read_form(visit(client, page.url).content.decode())
    with on_commit():
        response = Client().post(page.url + "?utm_source=partner", {
            **form.values, "e_mail": "jan@example.com"},
            HTTP_REFERER="https://partner.example/konkurs/?u=1")
    assert response.status_code == 200 and first_touch.COOKIE not in response.cookies

    [body] = contact_bodies(sm)
    assert body["properties"] == {
        "ankieta.E-mail": "jan@example.com", "ankieta.utm_source": "partner",
        "ankieta.referrer": "https://partner.example/konkurs/",
        "ankieta.landing_page": "http://testserver/badanie-satysfakcji/"}


def preview(request):
    request.is_preview = True  # as Wagtail marks the request of an editor's preview
    return request


@pytest.mark.django_db
@pytest.mark.parametrize("request_of, response, kept", [
    (lambda rf: rf.get("/?utm_source=x"), HttpResponse, True),
    (lambda rf: rf.post("/?utm_source=x"), HttpResponse, False),
    (lambda rf: preview(rf.get("/?utm_source=x")), HttpResponse, False),
    (lambda rf: rf.get("/?utm_source=x"), HttpResponseNotFound, False),
    (lambda rf: rf.get("/?utm_source=x"), lambda: HttpResponseRedirect("/"), False),
    (lambda rf: rf.get("/?utm_source=x"), lambda: JsonResponse({}), False),
], ids=["web page", "answer", "preview", "not found", "redirect", "not a web page"])
def test_only_a_web_page_a_visitor_opens_keeps_the_first_touch(sm, rf, request_of, response, kept):
    response = response()
    first_touch.remember(request_of(rf), response)
    assert (first_touch.COOKIE in response.cookies) is kept


@pytest.mark.django_db
def test_a_question_named_like_an_attribution_detail_keeps_its_answer(client, sm, on_commit):
    page = make_form_page(questions=[("E-mail", "email", ""), ("utm_source", "singleline", "")],
                          tag="")
    visit(client, page.url + "?utm_source=google")
    with on_commit():
        response = visit(client, page.url)
        form = read_form(response.content.decode())
        client.post(form.action, {**form.values, "e_mail": "jan@example.com",
                                  "utm_source": "z ulotki"})

    [body] = contact_bodies(sm)
    assert body["properties"]["ankieta.utm_source"] == "z ulotki"


@pytest.mark.django_db
def test_a_cache_never_hands_one_visitors_cookie_to_the_next(client, sm, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "attribution"}}
    settings.MIDDLEWARE = ["django.middleware.cache.UpdateCacheMiddleware", *settings.MIDDLEWARE,
                           MIDDLEWARE, "django.middleware.cache.FetchFromCacheMiddleware"]
    other = make_form_page(questions=[("Pytanie", "singleline", "")], enabled=False,
                           title="Promocja", slug="promocja")
    first = visit(client, other.url, HTTP_REFERER="https://private.example/users/anna/")
    assert first.cookies[first_touch.COOKIE].value
    assert "Cookie" in first["Vary"] and "private" in first["Cache-Control"]

    second = visit(Client(), other.url)
    assert first_touch.COOKIE not in second.cookies


@pytest.mark.django_db
def test_the_middleware_leaves_everything_but_wagtails_pages_alone(admin, sm, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]
    response = admin.get("/admin/?utm_source=x", HTTP_REFERER="https://mail.example.net/")
    assert response.status_code == 200 and first_touch.COOKIE not in response.cookies


@pytest.mark.django_db
def test_a_cookie_that_cannot_be_read_is_replaced(client, sm):
    page = survey()
    client.cookies[first_touch.COOKIE] = "garbage"
    response = visit(client, page.url + "?utm_source=x")
    assert first_touch.read(SimpleNamespace(COOKIES={
        first_touch.COOKIE: response.cookies[first_touch.COOKIE].value})) == {
        "utm_source": "x", "landing_page": "http://testserver/badanie-satysfakcji/"}


@pytest.mark.django_db
def test_attribution_that_fails_never_fails_the_visitor_and_the_answer_is_stored(
        client, sm, on_commit, monkeypatch, caplog):
    page = survey()

    def broken(*args, **kwargs):
        raise RuntimeError("no such column: send_attribution")

    # internal seam: reading the cookie fails (a migration not run: no public seam fails it).
    monkeypatch.setattr(first_touch, "read", broken)
    # internal seam: reading the site's settings fails likewise.
    monkeypatch.setattr(first_touch, "sends_attribution", broken)
    with on_commit():
        record = answer_form(client, page, url=page.url + CAMPAIGN)
    record.refresh_from_db()
    assert record.status == "sent"
    [body] = contact_bodies(sm)
    assert body["properties"] == {"ankieta.E-mail": "jan@example.com"}
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [
        "Could not keep the visitor's campaign attribution.",  # the landing
        "Could not read the visitor's campaign attribution.",  # the answer
    ]


@pytest.mark.django_db
def test_a_landing_reads_the_sites_settings_once_even_with_the_middleware_too(
        client, sm, settings, django_assert_num_queries):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]
    settings_of_site(send_attribution=False)
    page = survey()
    visit(client, page.url)
    with CaptureQueriesContext(connection) as plain:
        visit(Client(), page.url)
    with CaptureQueriesContext(connection) as landing:
        response = visit(Client(), page.url + "?utm_source=x")
    assert len(landing) == len(plain) + 1 and first_touch.COOKIE not in response.cookies
