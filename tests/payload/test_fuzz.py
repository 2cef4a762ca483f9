"""Hostile visitors and odd editors, fuzzed: whatever the labels, answers and ``smclientid``,
every valid submission is stored with one export record, and SALESmanago gets only bounded values
under valid detail names.

Each example builds a form page from questions of any Wagtail field type, answers it through the
Django test client as a browser would (GET, then POST what the form carries, maybe tampered with),
delivers to the sandbox, and rolls its data back. ``HYPOTHESIS_PROFILE=ci`` (set by ``.ci/run``)
runs many more examples.
"""

import datetime
import os
import unicodedata
import uuid
import zoneinfo
from urllib.parse import urlencode

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.models import Page

from tests.helpers import read_form
from tests.testapp.models import FormField, SurveyPage
from wagtail_salesmanago.api.client import SalesmanagoClient
from wagtail_salesmanago.models import ExportRecord

EXAMPLES = {"default": 30, "ci": 500}[os.environ.get("HYPOTHESIS_PROFILE", "default")]
PREFIX = "ankieta."
FIELD_TYPES = [
    "singleline", "multiline", "email", "number", "url", "checkbox", "checkboxes", "dropdown",
    "multiselect", "radio", "date", "datetime", "hidden",
]
WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")  # tests/settings.py TIME_ZONE

# Pieces hostile or unlucky input is made of: bidi controls, zero-width characters, emoji (with
# joiners and variation selectors), right-to-left scripts, combining marks, letters unidecode
# cannot write, control characters, line separators.
ODD = [
    "\u202e", "\u202c", "\u200f", "\u200b", "\u200d", "\ufeff", "\u00ad", "\u2028", "\x85", "\xa0",
    "\x01", "\x1b", "\x1f", "\x7f", "\t", "\r\n", "😀", "👨‍👩‍👧", "❤️", "🇵🇱", "שלום", "مرحبا",
    "ـ", "北京", "𠀀", "e\u0301", "Z̷̢a̶l̴g̵o", "ł", "Ż", ",", "'", '"', "<b>", "&amp;", " ",
]
# Anything Unicode has but NUL (which neither Django's text fields nor PostgreSQL accept)
# and lone surrogates (which cannot be encoded, so no browser sends them).
CHARACTERS = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")


def odd_text(max_pieces=12, min_pieces=0):
    return st.lists(
        st.one_of(st.sampled_from(ODD), st.text(CHARACTERS, min_size=1, max_size=8)),
        min_size=min_pieces, max_size=max_pieces,
    ).map("".join)


def repeated(pieces, limit):
    """Up to ``limit`` characters made by repeating a piece: long ones as likely as short ones,
    and cheap to generate."""
    return st.builds(lambda piece, count: (piece * count)[:limit], pieces, st.integers(1, limit))


def text_answer(limit):
    return st.one_of(odd_text(), repeated(odd_text(4, min_pieces=1), limit))


LABELS = st.one_of(
    st.sampled_from(["Ocena", "Ocena", "E-mail", "   ", "😀", "\u200b", "?"]),
    odd_text(),
    repeated(odd_text(4, min_pieces=1), 255),
)

ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"


def ascii_text(alphabet, limit):
    return repeated(st.text(alphabet, min_size=1, max_size=8), limit)


DOMAIN_LABEL = st.builds(
    lambda first, rest: (first + rest)[:63].rstrip("-"),
    st.sampled_from(ALNUM), ascii_text(ALNUM + "-", 62),
)
DOMAIN = st.builds(
    lambda labels, tld: ".".join(labels + [tld]),
    st.lists(DOMAIN_LABEL, min_size=1, max_size=4), st.sampled_from(["pl", "com", "xn--p1ai"]),
)


def shorten(domain, room):
    """``domain`` without its first labels while it is longer than ``room``."""
    while len(domain) > room and "." in domain:
        domain = domain.split(".", 1)[1]
    return domain


MAX_EMAIL = 320  # the longest address Django accepts; the record stores it whole
EMAILS = st.builds(
    lambda local, domain: f"{local}@{shorten(domain, MAX_EMAIL - len(local) - 1)}",
    ascii_text(ALNUM.upper() + ALNUM + "!#$%&'*+/=?^_`{|}~-", 64),
    DOMAIN,
)

NUMBERS = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.integers().map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from([
        "1e1000000000", "-1E-999999999", "9.99e999999999999999999", "0E-99999999", "-0",
        "1" * 1000, "0." + "0" * 500 + "1", "12345678901234567890.123456789",
    ]),
)

URLS = st.builds(
    lambda domain, path: f"https://{shorten(domain, 253)}/{path}"[:2000],
    DOMAIN, text_answer(2000).map(lambda text: "".join(c for c in text if not c.isspace())),
)


def valid_datetime(moment):
    """A wall-clock time that exists once in Warsaw (Django refuses DST gaps and repeats)."""
    first, second = moment.replace(tzinfo=WARSAW), moment.replace(tzinfo=WARSAW, fold=1)
    round_trip = first.astimezone(datetime.timezone.utc).astimezone(WARSAW).replace(tzinfo=None)
    return first.utcoffset() == second.utcoffset() and round_trip == moment


DATETIMES = st.datetimes(
    datetime.datetime(1900, 1, 1), datetime.datetime(2100, 1, 1)
).map(lambda moment: moment.replace(microsecond=0)).filter(valid_datetime)

ANSWERS = {
    "singleline": text_answer(255),
    "multiline": text_answer(100_000),
    "hidden": text_answer(100_000),
    "email": EMAILS,
    "number": NUMBERS,
    "url": URLS,
    "date": st.dates().map(datetime.date.isoformat),
    "datetime": DATETIMES.map(lambda moment: moment.isoformat(" ")),
}
CHOICE_TYPES = {"checkboxes", "dropdown", "multiselect", "radio"}

QUESTIONS = st.builds(
    lambda email_first, questions: [("email", "E-mail", [""])] * email_first + questions,
    st.booleans(),
    st.lists(
        st.tuples(st.sampled_from(FIELD_TYPES), LABELS, st.lists(odd_text(6), min_size=1, max_size=6)),
        min_size=1, max_size=10,
    ),
)

POSTED_SMCLIENTIDS = st.one_of(
    st.just("seeded"),  # the sandbox's known contact
    st.uuids().map(str),  # a contact SALESmanago does not know
    st.uuids().map(lambda value: value.hex.upper()),
    text_answer(4000),
    st.sampled_from(["\x00", "\x00" * 50, "f6c5487b-369d-4107-958c-2912c1bc3f80\x00", "%00"]),
)
SMCLIENTIDS = st.one_of(st.none(), POSTED_SMCLIENTIDS)


def valid_detail_name(name):
    """What every detail name must be: the prefix, then something visible with a letter or digit,
    no whitespace, no control, format or combining characters, letters in ASCII, 255 at most."""
    rest = name[len(PREFIX):]
    return (
        name.startswith(PREFIX) and len(name) <= 255
        and any(char.isalnum() for char in rest)
        and not any(char.isspace() for char in name)
        and all(unicodedata.category(char)[0] not in "CM" for char in name)
        and all(char.isascii() or not char.isalpha() for char in name)
    )


def build_page(questions):
    page = SurveyPage(title="Fuzz", slug="fuzz", salesmanago_enabled=True, salesmanago_tag="fuzz")
    Page.objects.get(depth=2).add_child(instance=page)
    for order, (field_type, label, choices) in enumerate(questions):
        # clean_name is Wagtail's to derive; fixed here so Wagtail's own limits stay out of play.
        FormField.objects.create(
            page=page, sort_order=order, label=label[:255], field_type=field_type,
            choices="\n".join(choices) + "\n", required=False, clean_name=f"q{order}",
        )
    return page


def draw_answers(data, page, form_class):
    """What the visitor posts: for each question maybe an answer, valid for its field."""
    posted = {}
    for field in page.get_form_fields():
        if not data.draw(st.booleans(), label=f"answer {field.clean_name}?"):
            continue
        if field.field_type == "checkbox":
            posted[field.clean_name] = "on"
        elif field.field_type in CHOICE_TYPES:
            values = [value for value, _ in form_class.base_fields[field.clean_name].choices]
            chosen = data.draw(st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True))
            multiple = field.field_type in ("checkboxes", "multiselect")
            posted[field.clean_name] = chosen if multiple else chosen[0]
        else:
            posted[field.clean_name] = data.draw(ANSWERS[field.field_type], label=field.clean_name)
    return posted


@pytest.fixture
def seeded_contact(sm):
    client = SalesmanagoClient(sm.url, sm.client_id, sm.api_secret)
    return client.upsert({"owner": sm.owner, "contact": {"email": "known@example.com"}})["contactId"]


@pytest.mark.django_db
# The fixtures are shared by all examples on purpose: each example rolls its own data back.
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(questions=QUESTIONS, smclientid=SMCLIENTIDS, tamper=st.booleans(), data=st.data())
def test_no_input_breaks_a_form_or_its_export(
    client, sm, seeded_contact, django_capture_on_commit_callbacks, questions, smclientid, tamper, data
):
    if smclientid == "seeded":
        smclientid = seeded_contact
    with transaction.atomic():
        page = build_page(questions)
        query = "" if smclientid is None else "?" + urlencode({"smclientid": smclientid})
        url = page.url + query
        response = client.get(url)
        assert response.status_code == 200
        form = read_form(response.content.decode())
        posted = {**form.values, **draw_answers(data, page, page.get_form_class())}
        if tamper:  # a hand-made POST, not what the page rendered
            posted["smclientid"] = data.draw(POSTED_SMCLIENTIDS, label="posted smclientid")
            if posted["smclientid"] == "seeded":
                posted["smclientid"] = seeded_contact
        already_sent = len(sm.requests())

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(form.action, posted)

        assert response.status_code == 200
        assert "form_submission" in response.context, response.context["form"].errors
        [submission] = page.get_submission_class().objects.filter(page=page)
        [record] = ExportRecord.objects.filter(page=page)
        assert record.submission_id == str(submission.pk)
        check_payload(record.payload)
        assert len(record.notes) < 1000 and "\x00" not in record.notes
        assert record.status in ("sent", "skipped", "failed"), (record.status, record.last_error)
        for request in sm.requests()[already_sent:]:
            check_payload(request["body"])
        transaction.set_rollback(True)


def check_payload(body):
    properties = body.get("properties", {})
    assert all(valid_detail_name(name) for name in properties), list(properties)
    assert all(isinstance(v, str) and 0 < len(v) <= 255 for v in properties.values())
    assert all(0 < len(tag) <= 255 for tag in body.get("tags", []))
    assert len((body.get("contact") or {}).get("email", "")) <= 320
    if body.get("contactId"):
        assert str(uuid.UUID(body["contactId"])) == body["contactId"]
