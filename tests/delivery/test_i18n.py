"""Translated form pages (Wagtail's internationalisation): every translation fills the same details."""

import html as html_module
import re

import pytest
from django.urls import reverse
from wagtail.models import Locale, Site

from tests.helpers import answer, make_form_page
from tests.testapp.models import FormField

ENGLISH = [
    ("Your e-mail", "email", ""),
    ("How do you rate our service?", "radio", "Very good\nGood\nBad"),
    ("Comment", "multiline", ""),
]
POLISH_LABELS = ["Twój e-mail", "Jak oceniasz naszą obsługę?", "Komentarz"]
ENGLISH_DETAILS = sorted(
    ["ankieta.Your-e-mail", "ankieta.How-do-you-rate-our-service?", "ankieta.Comment"])


@pytest.fixture
def i18n(settings):
    """A site with Wagtail's internationalisation: English (the default) and Polish, under /en/ and /pl/."""
    settings.WAGTAIL_I18N_ENABLED = True
    settings.LANGUAGES = settings.WAGTAIL_CONTENT_LANGUAGES = [("en", "English"), ("pl", "Polish")]
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[:1], "django.middleware.locale.LocaleMiddleware", *settings.MIDDLEWARE[1:]
    ]
    settings.ROOT_URLCONF = "tests.urls_i18n"
    Site.clear_site_root_paths_cache()
    yield
    Site.clear_site_root_paths_cache()  # it outlives the test's database rows


def translate(page, labels, extra=()):
    """The page's Polish translation, published, its questions relabelled as a translator would."""
    polish = page.copy_for_translation(
        Locale.objects.get_or_create(language_code="pl")[0], copy_parents=True
    )
    for field, label in zip(polish.form_fields.all(), labels):
        field.label = label
        field.save()
    for order, (label, field_type) in enumerate(extra, start=len(labels)):
        FormField.objects.create(page=polish, sort_order=order, label=label, field_type=field_type,
                                 required=False)
    polish.save_revision().publish()
    polish.refresh_from_db()
    Site.clear_site_root_paths_cache()
    return polish


def sent_details(sandbox):
    """The detail names of each request SALESmanago got (sorted: jsonb keeps no key order)."""
    return [sorted(r["body"]["properties"]) for r in sandbox.requests()]


@pytest.mark.django_db
def test_each_translation_fills_the_default_locales_details(i18n, client, sm, on_commit):
    english = make_form_page(questions=ENGLISH, title="Survey")
    polish = translate(english, POLISH_LABELS)
    assert (english.url, polish.url) == ("/en/survey/", "/pl/survey/")

    with on_commit():
        answer(client, english, {"Your e-mail": "anna@example.com",
                                 "How do you rate our service?": "Good", "Comment": "Fine"})
        answer(client, polish, {"Twój e-mail": "jan@example.com",
                                "Jak oceniasz naszą obsługę?": "Good", "Komentarz": "Dobrze"})

    assert sent_details(sm) == [ENGLISH_DETAILS, ENGLISH_DETAILS]
    by_email = {contact["email"]: contact["properties"] for contact in sm.contacts()}
    assert by_email["jan@example.com"] == {
        "ankieta.Your-e-mail": "jan@example.com",
        "ankieta.How-do-you-rate-our-service?": "Good",
        "ankieta.Comment": "Dobrze",
    }


@pytest.mark.django_db
def test_questions_a_translation_adds_or_changes_keep_their_own_labels(i18n, client, sm, on_commit):
    english = make_form_page(questions=ENGLISH, title="Survey")
    polish = translate(english, POLISH_LABELS, extra=[("Skąd o nas wiesz?", "singleline")])
    FormField.objects.filter(page=polish, label="Komentarz").update(field_type="singleline")

    with on_commit():
        answer(client, polish, {"Twój e-mail": "jan@example.com", "Komentarz": "Dobrze",
                                "Skąd o nas wiesz?": "Z radia"})

    [contact] = sm.contacts()
    assert contact["properties"] == {
        "ankieta.Your-e-mail": "jan@example.com",
        "ankieta.Komentarz": "Dobrze",  # a different type than "Comment": not the same question
        "ankieta.Skad-o-nas-wiesz?": "Z radia",  # no counterpart in English
    }


@pytest.mark.django_db
def test_the_preview_says_which_locale_names_the_details(i18n, admin, sm):
    english = make_form_page(questions=ENGLISH, title="Survey")
    polish = translate(english, POLISH_LABELS, extra=[("Skąd o nas wiesz?", "singleline")])

    html = admin.get(reverse("wagtailadmin_pages:edit", args=[polish.pk])).content.decode()
    assert ("Details are named from this page&#x27;s version in the default language (English), "
            "so all its translations fill the same details.") in html
    assert ("1 question has no question of the same type at its place in that version, so its "
            "own label names it: “Skąd o nas wiesz?”.") in html
    for name in [*ENGLISH_DETAILS, "ankieta.Skad-o-nas-wiesz?"]:
        assert f'<code class="w-whitespace-nowrap">{name}</code>' in html
    # The Question column reads as this translation's editors wrote it.
    questions = re.findall(r'<tr>\s*<td><bdi>([^<]*)</bdi></td>\s*<td><code class="w-whitespace-nowrap">', html)
    assert [html_module.unescape(q.strip()) for q in questions] == [*POLISH_LABELS, "Skąd o nas wiesz?"]

    html = admin.get(reverse("wagtailadmin_pages:edit", args=[english.pk])).content.decode()
    assert ("This is the page&#x27;s version in the default language (English): its labels name "
            "the details") in html


@pytest.mark.django_db
def test_a_page_without_a_default_locale_version_uses_its_own_labels(i18n, admin, client, sm, on_commit):
    english = make_form_page(questions=ENGLISH, title="Survey")
    polish = translate(english, POLISH_LABELS)
    english.delete()

    with on_commit():
        answer(client, polish, {"Twój e-mail": "jan@example.com"})
    assert sent_details(sm) == [["ankieta.Twoj-e-mail"]]
    html = admin.get(reverse("wagtailadmin_pages:edit", args=[polish.pk])).content.decode()
    assert "This page has no version in the default language (English), so its own labels" in html


@pytest.mark.django_db
def test_the_preview_in_polish(i18n, admin, sm, settings):
    english = make_form_page(questions=ENGLISH, title="Survey")
    polish = translate(english, POLISH_LABELS)
    admin.cookies["django_language"] = "pl"
    settings.WAGTAILADMIN_PERMITTED_LANGUAGES = [("en", "English"), ("pl", "Polski")]
    html = admin.get(reverse("wagtailadmin_pages:edit", args=[polish.pk]),
                     HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert ("Nazwy pól dodatkowych pochodzą z wersji tej strony w języku domyślnym (English), "
            "więc wszystkie jej tłumaczenia wypełniają te same pola.") in html


@pytest.mark.django_db
def test_naming_costs_no_query_without_i18n_and_at_most_two_with_it(
    settings, django_assert_num_queries, sm
):
    english = make_form_page(questions=ENGLISH, title="Survey")
    polish = translate(english, POLISH_LABELS)
    with django_assert_num_queries(1):  # the form's own fields, as without translations
        assert [q.label for q in polish.get_salesmanago_questions()] == POLISH_LABELS

    settings.WAGTAIL_I18N_ENABLED = True
    settings.LANGUAGES = settings.WAGTAIL_CONTENT_LANGUAGES = [("en", "English"), ("pl", "Polish")]
    with django_assert_num_queries(2):  # + its default-locale page (here: itself)
        english.get_salesmanago_questions()
    with django_assert_num_queries(3):  # + the default-locale page and its fields
        assert [q.label for q in polish.get_salesmanago_questions()] == [l for l, _, _ in ENGLISH]
    assert [f.label for f in polish.get_form_fields()] == POLISH_LABELS  # the page is untouched


@pytest.mark.django_db
def test_a_new_page_gets_no_naming_note(i18n, admin, sm):
    parent = make_form_page(questions=ENGLISH, title="Survey").get_parent()
    html = admin.get(reverse("wagtailadmin_pages:add", args=["testapp", "surveypage", parent.pk]))
    html = html.content.decode()
    assert "What SALESmanago will get" in html
    assert "salesmanago-naming" not in html


@pytest.mark.django_db
def test_each_translation_sends_its_own_double_opt_in_email_and_language(
        i18n, client, sm, on_commit):
    english = make_form_page(
        questions=[("Your e-mail", "email", ""), ("Newsletter", "checkbox", "")], title="Join",
        salesmanago_double_opt_in=True, salesmanago_double_opt_in_email_id="confirm-en",
        salesmanago_double_opt_in_language="EN")
    consent = english.form_fields.get(label="Newsletter")
    consent.salesmanago_target, consent.salesmanago_consent_name = "consent", "NEWSLETTER"
    consent.save()
    polish = translate(english, ["Twój e-mail", "Newsletter"])
    polish.salesmanago_double_opt_in_email_id = "potwierdzenie-pl"
    polish.salesmanago_double_opt_in_language = "PL"
    polish.save_revision().publish()

    with on_commit():
        answer(client, english, {"Your e-mail": "anna@example.com", "Newsletter": "on"})
        answer(client, polish, {"Twój e-mail": "jan@example.com", "Newsletter": "on"})

    sent = [(r["body"]["contact"]["email"], r["body"]["doubleOptInEmailId"],
             r["body"]["doubleOptInLanguage"], r["body"]["lang"]) for r in sm.requests()]
    assert sent == [("anna@example.com", "confirm-en", "EN", "EN"),
                    ("jan@example.com", "potwierdzenie-pl", "PL", "PL")]
    cards = {c["email"]: (c["double_opt_in_email_id"], c["double_opt_in_language"])
             for c in sm.contacts()}
    assert cards == {"anna@example.com": ("confirm-en", "EN"),
                     "jan@example.com": ("potwierdzenie-pl", "PL")}
