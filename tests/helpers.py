"""Test helpers: build form pages, and answer them the way a browser does."""

from html.parser import HTMLParser
from urllib.parse import urlencode

from wagtail.models import Page

from tests.testapp.models import FormField, SurveyPage

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
