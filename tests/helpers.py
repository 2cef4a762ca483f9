"""Test helpers: build form pages, answer them the way a browser does, and read what reached
SALESmanago. Plain functions and constants shared by the test modules (the fixtures are in
conftest.py); test modules import from here, never from one another."""

import copy
import html
import io
import itertools
import os
import re
import shutil
from contextlib import contextmanager
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
import responses
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.urls import reverse
from wagtail.models import Page

from tests.testapp.models import FormField, SurveyPage
from wagtail_salesmanago.api.client import SalesmanagoClient
from wagtail_salesmanago.models import ExportRecord

QUESTIONS = [
    ("Twój e-mail", "email", ""),
    ("Jak oceniasz naszą obsługę?", "radio", "Bardzo dobrze\nDobrze\nŹle"),
    ("Co było ważne?", "checkboxes", "Cena\nJakość\nCzas"),
    ("Komentarz", "multiline", ""),
]


def errors(caplog):
    """The ERROR lines logged so far, as ``(logger name, message)``."""
    return [(r.name, r.getMessage()) for r in caplog.records if r.levelname == "ERROR"]


def raising(error):
    """A stand-in for any function: it raises ``error`` (a database gone, a disk full)."""
    def broken(*args, **kwargs):
        raise error
    return broken


# The database as a seam: a trigger makes it refuse some writes, or undo them at once, whichever
# code makes them (SQLite's and PostgreSQL's own syntax; a test's rollback drops it too).

@contextmanager
def database_refuses(model, operation, message, *, when="", lost=False):
    """While inside, the database refuses each ``operation`` ("INSERT" or "UPDATE") of ``model``'s
    rows (those for which ``when`` holds: SQL on ``NEW`` and ``OLD`` that both databases take).

    It refuses them with an ``IntegrityError`` saying ``message`` (a value the database will not
    take), or with ``lost=True`` an ``OperationalError``, as a lock held too long or a lost
    connection gives (the package retries those). On PostgreSQL the refusal spoils the
    transaction it happens in, as it would there: a test whose code writes outside a savepoint
    after it needs ``transaction=True``."""
    text = quoted(message)
    # SQLite's RAISE() gives a constraint error only: an error of a function in the trigger's
    # body (malformed JSON) is SQLite's OperationalError.
    sqlite = f"SELECT json({text})" if lost else f"SELECT RAISE(ABORT, {text})"
    code = "53100" if lost else "23000"  # disk_full, integrity_constraint_violation
    postgresql = f"RAISE EXCEPTION USING MESSAGE = {text}, ERRCODE = '{code}'; RETURN NEW;"
    with trigger(model, f"BEFORE {operation}", sqlite, postgresql, when):
        yield


@contextmanager
def database_deletes_new_rows(model):
    """While inside, each new row of ``model`` is deleted the moment it is stored, as another
    process that deletes it at once would (the code that stored it still holds it)."""
    table = connection.ops.quote_name(model._meta.db_table)
    delete = f"DELETE FROM {table} WHERE id = NEW.id"
    with trigger(model, "AFTER INSERT", delete, f"{delete}; RETURN NULL;"):
        yield


def quoted(text):
    return "'" + text.replace("'", "''") + "'"


@contextmanager
def trigger(model, event, sqlite_body, postgresql_body, when=""):
    table = connection.ops.quote_name(model._meta.db_table)
    name = f"test_{model._meta.db_table}_{event.lower().replace(' ', '_')}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
                           f"$$ BEGIN {postgresql_body} END $$")
            cursor.execute(f"CREATE TRIGGER {name} {event} ON {table} FOR EACH ROW "
                           f"{f'WHEN ({when}) ' if when else ''}EXECUTE FUNCTION {name}()")
        else:
            cursor.execute(f"CREATE TRIGGER {name} {event} ON {table} FOR EACH ROW "
                           f"{f'WHEN {when} ' if when else ''}BEGIN {sqlite_body}; END")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}"
                               + (f" ON {table}" if connection.vendor == "postgresql" else ""))
                if connection.vendor == "postgresql":
                    cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        except DatabaseError:  # a transaction the refusal spoilt: its rollback drops the trigger
            pass


def make_form_page(
    model=SurveyPage, questions=QUESTIONS, *, enabled=True, tag="badanie satysfakcji", **kwargs
):
    """A published form page under the site root with the given (label, type, choices) questions."""
    root = Page.objects.get(depth=2)
    page = model(
        title=kwargs.pop("title", "Badanie satysfakcji"),
        salesmanago_enabled=enabled,
        salesmanago_tag=tag,
        **kwargs,
    )
    root.add_child(instance=page)
    for order, (label, field_type, choices) in enumerate(questions):
        FormField.objects.create(
            page=page, sort_order=order, label=label, field_type=field_type,
            choices=choices, required=False,
        )
    return page


class FormReader(HTMLParser):
    """The first form on a page: its action and the values its inputs would submit as they are."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.values = {}
        self.in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action, self.in_form = attrs.get("action", ""), True
        elif self.in_form and tag == "input" and attrs.get("name"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            if attrs.get("type") != "submit":
                self.values[attrs["name"]] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False


def read_form(html):
    reader = FormReader()
    reader.feed(html)
    return reader


def answer(client, page, answers, *, smclientid=None, path=None):
    """GET the page (with ``?smclientid=``), keep what the form carries, POST the answers to its action.

    ``answers`` maps question labels to what the visitor enters.
    """
    names = {field.label: field.clean_name for field in page.get_form_fields()}
    answers = {names[label]: value for label, value in answers.items()}
    url = path or page.url
    if smclientid is not None:
        url += "?" + urlencode({"smclientid": smclientid})
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    form = read_form(response.content.decode())
    return client.post(form.action, {**form.values, **answers})


def submissions_of(page):
    model = page.get_submission_class()
    return list(model.objects.filter(page=page))


def contact_sends(sandbox):
    """Each contact sent to the sandbox, alone (``contact/upsert``) or in a batch
    (``contact/batchupsert``), oldest first: its ``body`` (the upsert item), ``status``, ``time``
    and whether SALESmanago ``accepted`` it (a batch accepts the e-mails in its ``contactIds``)."""
    sends = []
    for request in sandbox.requests():
        body, answer_ = request["body"] or {}, request["answer"] if isinstance(request["answer"], dict) else {}
        if request["path"] == "/api/contact/upsert":
            items, accepted = [body], lambda item: answer_.get("success") is True
        elif request["path"] == "/api/contact/batchupsert":
            stored = {email.lower() for email in (answer_.get("contactIds") or {})}
            items = body.get("upsertDetails") or []
            accepted = lambda item, stored=stored: item["contact"]["email"].lower() in stored  # noqa: E731
        else:
            continue
        sends += [{"body": item, "status": request["status"], "time": request["time"],
                   "accepted": accepted(item)} for item in items]
    return sends


# Answers, their records, and cron's command.

def backlog(client, on_commit, count, page=None, name="person"):
    """``count`` due records (``{name}0@example.com`` and on): one answered through the form,
    the rest copies of it (fast)."""
    page = page or make_form_page()
    submit_emails(client, page, on_commit, f"{name}0@example.com")
    first = ExportRecord.objects.filter(page=page).get()
    copies = []
    for number in range(1, count):
        record = copy.copy(first)
        record.pk, record.email = None, f"{name}{number}@example.com"
        record.submission_id = f"{first.submission_id}-{number}"  # one record per answer
        record.payload = {**first.payload, "contact": {**first.payload["contact"],
                                                        "email": record.email}}
        copies.append(record)
    ExportRecord.objects.bulk_create(copies)
    return page


def submit_emails(client, page, on_commit, *emails):
    """One answer of ``page`` per e-mail, its on-commit callbacks (the enqueue) run."""
    with on_commit():
        for email in emails:
            assert answer(client, page, {"Twój e-mail": email}).status_code == 200


def submit_answers(client, page, on_commit, answers, **kwargs):
    """One answer of ``page`` (labels to values, as ``answer`` takes); the newest record."""
    with on_commit():
        response = answer(client, page, answers, **kwargs)
    assert response.status_code == 200
    return ExportRecord.objects.latest("pk")


def submitted_record(client, page, on_commit, email="jan@example.com"):
    """One answer of ``page`` with ``email``; its record, the only one."""
    with on_commit():
        assert answer(client, page, {"Twój e-mail": email}).status_code == 200
    return ExportRecord.objects.get()


def run_retry(*args):
    """Cron's ``salesmanago_retry``; what it printed."""
    out = io.StringIO()
    call_command("salesmanago_retry", *args, stdout=out)
    return out.getvalue()


def emails_in(sandbox):
    return sorted(c["email"] for c in sandbox.contacts())


def statuses():
    return sorted(ExportRecord.objects.values_list("status", flat=True))


def past(page, count, start=0, email=True, **values):
    """``count`` stored answers of ``page`` that were never exported (given before export was
    switched on)."""
    names = {field.label: field.clean_name for field in page.get_form_fields()}
    model = page.get_submission_class()
    answers = []
    for number in range(start, start + count):
        data = {names["Komentarz"]: f"Odpowiedź {number}"} if "Komentarz" in names else {}
        if email:
            data[names.get("Twój e-mail") or names["E-mail"]] = f"past{number}@example.com"
        data.update({names[label]: value for label, value in values.items()})
        answers.append(model(page=page, form_data=data))
    return model.objects.bulk_create(answers)


# What the sandbox received.

AUTH = ("clientId", "apiKey", "requestTime", "sha")
BATCH = "/api/contact/batchupsert"


def api_bodies(sandbox):
    """The bodies SALESmanago received, without the auth fields."""
    return [{k: v for k, v in r["body"].items() if k not in AUTH} for r in sandbox.requests()]


def contact_bodies(sandbox, path="/api/contact/upsert"):
    """The bodies of the calls to ``path``, without the auth fields."""
    return [
        {k: v for k, v in r["body"].items() if k not in AUTH}
        for r in sandbox.requests() if r["path"] == path
    ]


def batch_calls(sandbox):
    """The batch calls (``contact/batchupsert``) the sandbox received."""
    return [r for r in sandbox.requests() if r["path"] == BATCH]


def seed_contact(sandbox, email="known@example.com"):
    """A contact that exists in the sandbox before the visitor comes (as from a mailing)."""
    client = SalesmanagoClient(sandbox.url, sandbox.client_id, sandbox.api_secret)
    contact_id = client.upsert({"owner": sandbox.owner, "contact": {"email": email}})["contactId"]
    sandbox.state.requests.clear()
    return contact_id


# Lead forms.

def lead_page(questions, **kwargs):
    """A form page whose questions are (label, field type, target, consent name)."""
    page = make_form_page(questions=[(q[0], q[1], "") for q in questions], tag="", **kwargs)
    for field, question in zip(page.form_fields.order_by("sort_order"), questions):
        field.salesmanago_target = question[2]
        field.salesmanago_consent_name = question[3] if len(question) > 3 else ""
        field.save()
    return page


NEWSLETTER = [
    ("E-mail", "email", "detail"),
    ("Zgoda na newsletter", "checkbox", "consent", "NEWSLETTER"),
]
#: The page editor's POST for a form page without export rules (the rules' inline formset).
NO_RULES = {
    "salesmanago_rules_mode": "all",
    "salesmanago_rules-TOTAL_FORMS": "0", "salesmanago_rules-INITIAL_FORMS": "0",
    "salesmanago_rules-MIN_NUM_FORMS": "0", "salesmanago_rules-MAX_NUM_FORMS": "1000",
}
DOUBLE_OPT_IN = {
    "salesmanago_double_opt_in": True,
    "salesmanago_double_opt_in_email_id": "a1b2c3",
    "salesmanago_double_opt_in_language": "PL",
}


# SALESmanago mocked with ``responses`` (the ``api`` fixture), for answers the sandbox never gives.

URL = "https://app3.salesmanago.pl/api/"
OWNER = "crm@firma.pl"
CONTACT_ID = "21c252a6-6de0-436b-bae8-9d0142363266"
OK = {"success": True, "message": [], "contactId": CONTACT_ID, "externalId": None}
USERS = {"success": True, "message": [], "users": ["anna@firma.pl", OWNER]}
NOT_AUTHENTICATED = {"success": False, "message": ["Not authenticated"]}


def answers(api, path, *bodies, status=200):
    """From now on, ``path`` answers ``bodies`` in turn (JSON, or text when a string; an
    exception is raised by the request, as a transport that breaks would)."""
    api.remove(responses.POST, URL + path)
    for body in bodies:
        if isinstance(body, (str, Exception)):
            api.add(responses.POST, URL + path, body=body, status=status)
        else:
            api.add(responses.POST, URL + path, json=body, status=status)


# The settings screen.

URL_SHAPE = "Enter a URL like https://app3.salesmanago.pl, without a path, “?” or “#”."


def leave_out(part):
    """What the endpoint's checks say of a path, query or fragment after the server."""
    return f"Leave “{part}” out: the endpoint is the server only, like app3.salesmanago.pl."


def settings_url(site):
    return reverse("wagtailsettings:edit", args=["wagtail_salesmanago", "salesmanagosettings", site.pk])


def connection_url(site):
    return reverse("wagtail_salesmanago_test_connection", args=[site.pk])


def typed(sandbox, **changes):
    return {**sandbox.credentials(), **changes}


# Real Chromium (Debian's, driven by Playwright) against `make demo`: tests/e2e/test_browser*.py.

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Each browser test module's ``pytestmark``.
BROWSER_TEST_MARKS = [
    pytest.mark.slow,
    pytest.mark.own_database,
    pytest.mark.skipif(
        not CHROMIUM and not os.environ.get("REQUIRE_BROWSER"),
        reason="Chromium is not installed (CI installs it and sets REQUIRE_BROWSER=1)",
    ),
]


def log_in(browser, demo, page=None):
    page = page or browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{demo.site_url}/admin/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", demo.find(r"password: (\S+)\)"))
    page.click("button[type=submit]")
    page.wait_for_url(f"{demo.site_url}/admin/")
    return page


def answer_survey(page, url, email=""):
    """Answer the demo's survey at ``url`` (``None``: the one ``page`` shows)."""
    if url is not None:
        page.goto(url)
    if email:
        page.fill("input[type=email]", email)
    page.check("input[type=radio][value=Dobrze]")
    page.check("input[type=checkbox][value=Infolinia]")
    page.fill("textarea", "Szybko i miło, dziękuję!")
    page.click("input[type=submit]")
    page.wait_for_selector("text=Twoje odpowiedzi trafiły do nas")


def set_language(page, demo, language):
    page.goto(f"{demo.site_url}/admin/account/")
    page.fill("input[name='name_email-first_name']", "Ada")
    page.fill("input[name='name_email-last_name']", "Staff")
    page.select_option("select[name='locale-preferred_language']", language)
    page.locator("form:has(select[name='locale-preferred_language']) button[type=submit]").last.click()
    page.wait_for_selector(".messages .success")


_answer_numbers = itertools.count(1)


def dated_record(page, created_at, status="pending", *, answer=None, **fields):
    """An export record of ``page`` made at ``created_at`` (as the report and the digest read
    records), of answer number ``answer`` (another answer's each time by default)."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.contrib.forms.models import FormSubmission

    made = ExportRecord.objects.create(
        page=page, submission_type=ContentType.objects.get_for_model(FormSubmission),
        submission_id=str(answer if answer is not None else next(_answer_numbers)),
        status=status, **fields)
    ExportRecord.objects.filter(pk=made.pk).update(created_at=created_at)
    return made


# The admin's forms and pages.

def settings_form(**changes):
    """What Settings > SALESmanago posts: valid values, with ``changes``."""
    return {"endpoint": "app3.salesmanago.pl", "client_id": "c", "api_secret": "s",
            "owner_email": "owner@firma.pl", "detail_prefix": "ankieta.", **changes}


def text(html):
    """The words of ``html``, its tags removed and its spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def preview(admin, page):
    """The SALESmanago preview table of ``page``'s editor."""
    html = admin.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    return html.split('class="salesmanago-preview"', 1)[1].split("</table>", 1)[0]


def publish(admin, page, fields, **values):
    """POST the page editor with ``fields`` as the form builder's rows (dicts of values)."""
    data = {
        "title": page.title, "slug": page.slug, "action-publish": "publish",
        "to_address": "", "from_address": "", "subject": "", "salesmanago_enabled": "on",
        "form_fields-TOTAL_FORMS": str(len(fields)), "form_fields-INITIAL_FORMS": "0",
        "form_fields-MIN_NUM_FORMS": "0", "form_fields-MAX_NUM_FORMS": "1000",
        **NO_RULES,
        **values,
    }
    for number, field in enumerate(fields):
        data.update({f"form_fields-{number}-{k}": v for k, v in field.items()})
        data[f"form_fields-{number}-ORDER"] = str(number + 1)
    return admin.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)


def errors_of(response):
    """What ``response`` says, as words."""
    return html.unescape(text(response.content.decode()))
