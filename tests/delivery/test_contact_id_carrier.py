"""The hidden field carrying ``?smclientid=``: invisible in the usual form templates, and never a
reason to refuse a visitor's answers."""

from html.parser import HTMLParser

import pytest

from tests.helpers import answer, make_form_page, read_form, seed_contact, submissions_of
from tests.testapp.models import SurveyPage
from wagtail_salesmanago.models import ExportRecord

ANSWERS = {"Twój e-mail": "jan@example.com", "Komentarz": "Dziękuję"}

# One test template per way sites render a form (tests/testapp/templates/testapp/patterns/).
PATTERNS = [
    "form",                   # {{ form }}
    "as_div",                 # {{ form.as_div }}
    "as_p",                   # {{ form.as_p }}
    "as_table",               # <table>{{ form.as_table }}</table>
    "as_ul",                  # <ul>{{ form.as_ul }}</ul>
    "label_tag_loop",         # {% for field in form %}{{ field.label_tag }}{{ field }}, like bakerydemo
    "label_loop",             # {% for field in form %}<label ...>{{ field.label }}</label>{{ field }}
    "visible_hidden_fields",  # form.visible_fields with labels, then form.hidden_fields
]


class PageText(HTMLParser):
    """What a visitor reads on a page (text, not attributes), and each label's text by its ``for``."""

    def __init__(self):
        super().__init__()
        self.text, self.labels, self._label = [], {}, None

    def handle_starttag(self, tag, attrs):
        if tag == "label":
            self._label = dict(attrs).get("for", "")
            self.labels.setdefault(self._label, "")

    def handle_endtag(self, tag):
        if tag == "label":
            self._label = None

    def handle_data(self, data):
        self.text.append(data)
        if self._label is not None:
            self.labels[self._label] += data.strip()


def page_text(html):
    parser = PageText()
    parser.feed(html)
    return " ".join(parser.text), parser.labels


@pytest.mark.django_db
@pytest.mark.parametrize("with_id", [True, False], ids=["with-smclientid", "without"])
@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_carrier_is_invisible_in_every_usual_template(
    client, sm, on_commit, monkeypatch, pattern, with_id
):
    monkeypatch.setattr(SurveyPage, "template", f"testapp/patterns/{pattern}.html")
    monkeypatch.setattr(
        SurveyPage, "landing_page_template", "testapp/survey_page_landing.html", raising=False
    )
    contact_id = seed_contact(sm) if with_id else None
    page = make_form_page()
    url = page.url + (f"?smclientid={contact_id}" if with_id else "")

    html = client.get(url).content.decode()

    text, labels = page_text(html)
    assert "smclientid" not in text.lower()
    assert labels.get("id_smclientid", "") == ""  # no label, or (label_loop) an empty one
    assert "Komentarz" in text and "Twój e-mail" in text
    assert read_form(html).values["smclientid"] == (contact_id or "")

    with on_commit():
        response = answer(client, page, ANSWERS, path=url)
    assert b"Thank you" in response.content
    record = ExportRecord.objects.get()
    assert (record.status, record.contact_id) == ("sent", contact_id or "")
    assert record.mode == ("update" if with_id else "upsert")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw, quoted",
    [
        ("\x00", r"'\x00'"),
        ("f6c5487b-369d-4107-958c-2912c1bc3f80\x00", r"'f6c5487b-369d-4107-958c-2912c1bc3f80\x00'"),
        ("\x01\x1b[31m\x7f", r"'\x01\x1b[31m\x7f'"),
        ("\u202eevil\u200b", r"'\u202eevil\u200b'"),
        ("<script>alert(1)</script>", "'<script>alert(1)</script>'"),
        ("ą" * 5000, f"'{'ą' * 64}' (the first 64 of 5000 characters)"),
    ],
    ids=["nul", "uuid-nul", "controls", "bidi", "markup", "long"],
)
def test_an_invalid_smclientid_is_ignored_and_noted_never_a_form_error(
    client, sm, on_commit, raw, quoted
):
    page = make_form_page()
    with on_commit():
        response = answer(client, page, ANSWERS, smclientid=raw)

    assert response.status_code == 200
    assert b"Thank you" in response.content
    assert len(submissions_of(page)) == 1
    record = ExportRecord.objects.get()
    assert (record.status, record.mode, record.contact_id) == ("sent", "upsert", "")
    assert record.notes == f"Ignored smclientid {quoted}: not a contact ID (UUID)."
    assert [c["email"] for c in sm.contacts()] == ["jan@example.com"]


@pytest.mark.django_db
def test_an_smclientid_posted_without_the_get_is_ignored_too(client, sm, on_commit):
    page = make_form_page()
    form = read_form(client.get(page.url).content.decode())
    names = {field.label: field.clean_name for field in page.get_form_fields()}
    data = {**form.values, names["Twój e-mail"]: "jan@example.com", "smclientid": "\x00" * 100_000}
    with on_commit():
        response = client.post(form.action, data)

    assert b"Thank you" in response.content
    record = ExportRecord.objects.get()
    assert (record.status, record.mode) == ("sent", "upsert")
    assert len(record.notes) < 400


CARRIER_WARNING = ("This page's template renders the form's fields one by one and leaves out the "
                   "hidden smclientid field")
DROPPED = ("The visitor came from a SALESmanago mailing link (with smclientid in the page's "
           "address), but the form's template does not send the hidden smclientid field, so the "
           "link's contact ID was lost. Render it in the form: {% load salesmanago %}"
           "{% salesmanago_contact_id form %}")


def from_a_mailing_link(client, page, contact_id):
    """GET the page from a mailing link, then POST the answers as a browser does (with the
    link's address as ``Referer``)."""
    url = f"{page.url}?smclientid={contact_id}"
    form = read_form(client.get(url).content.decode())
    names = {field.label: field.clean_name for field in page.get_form_fields()}
    answers = {names[label]: value for label, value in ANSWERS.items()}
    return client.post(form.action, {**form.values, **answers},
                       HTTP_REFERER=f"http://testserver{url}")


def rendered_with(monkeypatch, pattern):
    """A form page whose form template is ``patterns/<pattern>.html``."""
    monkeypatch.setattr(SurveyPage, "template", f"testapp/patterns/{pattern}.html")
    monkeypatch.setattr(
        SurveyPage, "landing_page_template", "testapp/survey_page_landing.html", raising=False)
    return make_form_page()


def preview_text(client, page, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("boss", "b@example.com", "pw"))
    html = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    return " ".join(html.split())


@pytest.mark.django_db
def test_a_template_that_drops_the_carrier_is_noted_and_warned_in_the_preview(
        client, sm, on_commit, monkeypatch, django_user_model):
    contact_id = seed_contact(sm)
    page = rendered_with(monkeypatch, "by_name")
    with on_commit():
        response = from_a_mailing_link(client, page, contact_id)

    assert b"Thank you" in response.content
    record = ExportRecord.objects.get()
    assert (record.status, record.mode, record.contact_id) == ("sent", "upsert", "")
    assert record.notes == DROPPED
    assert CARRIER_WARNING in preview_text(client, page, django_user_model)


@pytest.mark.django_db
def test_the_contact_id_tag_carries_the_link_in_a_template_of_single_fields(
        client, sm, on_commit, monkeypatch, django_user_model):
    contact_id = seed_contact(sm)
    page = rendered_with(monkeypatch, "by_name_with_tag")
    with on_commit():
        from_a_mailing_link(client, page, contact_id)

    record = ExportRecord.objects.get()
    assert (record.status, record.mode, record.contact_id, record.notes) == (
        "sent", "update", contact_id, "")
    assert CARRIER_WARNING not in preview_text(client, page, django_user_model)


@pytest.mark.django_db
def test_an_answer_without_a_link_notes_nothing_whatever_the_template(
        client, sm, on_commit, monkeypatch):
    page = rendered_with(monkeypatch, "by_name")
    with on_commit():
        answer(client, page, ANSWERS)

    assert ExportRecord.objects.get().notes == ""
