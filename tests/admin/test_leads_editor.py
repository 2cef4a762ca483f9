"""Editors map questions in the form builder and see the lead in the preview."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.helpers import DOUBLE_OPT_IN, errors_of, lead_page, preview, publish, text
from wagtail_salesmanago.api.client import SalesmanagoClient
from wagtail_salesmanago.models import SalesmanagoSettings


@pytest.mark.django_db
def test_a_consent_must_be_a_named_checkbox(admin, sm):
    page = lead_page([("E-mail", "email", "detail")])
    response = publish(admin, page, [
        {"label": "Zgoda", "field_type": "singleline", "salesmanago_target": "consent"},
    ])

    assert response.status_code == 200
    html = errors_of(response)
    assert "A consent must be a single checkbox: set the field type to “Checkbox”." in html
    assert "Name the SALESmanago consent this checkbox gives." in html

    response = publish(admin, page, [
        {"label": "Zgoda", "field_type": "checkbox", "salesmanago_target": "consent",
         "salesmanago_consent_name": "NEWSLETTER"},
    ])
    assert response.status_code == 302
    field = page.form_fields.get(label="Zgoda")
    assert (field.salesmanago_target, field.salesmanago_consent_name) == ("consent", "NEWSLETTER")


@pytest.mark.django_db
def test_the_consent_error_names_the_field_type_as_wagtails_polish_list_does(admin, sm, settings):
    settings.LANGUAGE_CODE = "pl"
    page = lead_page([("E-mail", "email", "detail")])
    response = publish(admin, page, [
        {"label": "Zgoda", "field_type": "singleline", "salesmanago_target": "consent",
         "salesmanago_consent_name": "NEWSLETTER"},
    ])
    html = errors_of(response)
    assert "Zgoda musi być pojedynczym polem wyboru: ustaw typ pola na „Checkbox”." in html
    # Wagtail's own list of field types, in Polish, calls it that.
    assert re.search(r'<option value="checkbox"[^>]*>Checkbox</option>', response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["detail", "name", "phone", "skip"])
def test_a_consent_name_under_a_question_that_is_no_consent_is_refused(admin, sm, target):
    page = lead_page([("E-mail", "email", "detail")])
    response = publish(admin, page, [
        {"label": "Pytanie", "field_type": "singleline", "salesmanago_target": target,
         "salesmanago_consent_name": "NEWSLETTER"},
    ])
    assert response.status_code == 200
    assert ("Only a consent question has a consent name: clear it, or choose “consent” under "
            "“In SALESmanago”.") in errors_of(response)
    assert not page.form_fields.filter(label="Pytanie").exists()


@pytest.mark.django_db
def test_where_an_answer_goes_offers_no_blank_choice_and_explains_the_email_question(admin, sm):
    page = lead_page([("E-mail", "email", "detail")])
    html = admin.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    target = re.search(r'<select name="form_fields-0-salesmanago_target".*?</select>', html, re.S).group(0)
    assert "---------" not in target and 'value=""' not in target
    assert re.search(r'<option value="detail" selected>custom detail</option>', target)
    assert "The first e-mail question also identifies the contact, whatever is chosen here." in html
    # The event types read as words, their SALESmanago code beside them.
    assert '<option value="PHONE_CALL">Phone call (PHONE_CALL)</option>' in html


@pytest.mark.django_db
def test_double_opt_in_needs_its_email_and_language(admin, sm):
    page = lead_page([("E-mail", "email", "detail")])
    response = publish(admin, page, [], salesmanago_double_opt_in="on")

    html = errors_of(response)
    assert "Double opt-in needs the ID of the confirmation e-mail set up in SALESmanago." in html
    assert "Double opt-in needs the language of the confirmation e-mail, e.g. PL." in html

    response = publish(admin, page, [], salesmanago_double_opt_in="on",
                       salesmanago_double_opt_in_email_id="a1b2", salesmanago_double_opt_in_language="pl")
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.salesmanago_double_opt_in_language == "PL"


@pytest.mark.django_db
@pytest.mark.parametrize("typed, error", [
    ("NEWS\u200bLETTER", "This contains a character that cannot be seen (U+200B): retype it."),
    ("NEWS\u202eLETTER", "This contains a character that cannot be seen (U+202E): retype it."),
    ("NEWS\nLETTER", "This contains a character that cannot be seen (U+000A): retype it."),
])
def test_a_consent_name_with_characters_nobody_can_see_is_refused(admin, sm, typed, error):
    page = lead_page([("E-mail", "email", "detail")])
    response = publish(admin, page, [
        {"label": "Zgoda", "field_type": "checkbox", "salesmanago_target": "consent",
         "salesmanago_consent_name": typed},
    ])

    assert response.status_code == 200
    assert error in errors_of(response)
    assert not page.form_fields.filter(label="Zgoda").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("email_id, language, errors", [
    ("a1b2\u200b", "PL", ["This contains a character that cannot be seen (U+200B): retype it."]),
    ("5b0c7a2e-3f1d-4c6b-9a8e-1d2c3b4a5f6e", "P\u200fL",
     ["This contains a character that cannot be seen (U+200F): retype it."]),
    ("a1b2", "polski", ["Enter the language as its two-letter code, e.g. PL or EN."]),
    ("a1b2", "1E", ["Enter the language as its two-letter code, e.g. PL or EN."]),
])
def test_double_opt_in_values_go_to_salesmanago_only_as_it_accepts_them(
        admin, sm, email_id, language, errors):
    page = lead_page([("E-mail", "email", "detail")])
    response = publish(admin, page, [], salesmanago_double_opt_in="on",
                       salesmanago_double_opt_in_email_id=email_id,
                       salesmanago_double_opt_in_language=language)

    assert response.status_code == 200
    assert all(error in errors_of(response) for error in errors)
    page.refresh_from_db()
    assert not page.salesmanago_double_opt_in


@pytest.mark.django_db
def test_the_owner_must_be_an_email(admin, sm):
    page = lead_page([("E-mail", "email", "detail")])
    response = publish(admin, page, [], salesmanago_owner="sprzedaz")
    assert response.status_code == 200
    assert "Enter a valid email address." in errors_of(response)


@pytest.mark.django_db
def test_preview_shows_targets_consents_double_opt_in_removed_tags_and_owner(admin, sm):
    page = lead_page([
        ("E-mail", "email", "detail"), ("Telefon", "singleline", "phone"),
        ("Zgoda", "checkbox", "consent", "NEWSLETTER"), ("Źródło", "singleline", "skip"),
    ], salesmanago_remove_tags="zimny kontakt", salesmanago_owner="sprzedaz@example.com",
        **DOUBLE_OPT_IN)
    html = preview(admin, page)

    rows = [text(row) for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]]
    assert rows == [
        "E-mail ankieta.E-mail e-mail: identifies the contact",
        "Telefon ankieta.Telefon phone",
        "Zgoda ankieta.Zgoda consent “NEWSLETTER”",
        "Źródło not sent —",
    ]
    assert ("Consents: NEWSLETTER. A visitor who ticks one gets SALESmanago's confirmation "
            "e-mail (double opt-in, e-mail ID a1b2c3, language PL), once per answer") in text(html)
    assert "Contacts lose the tags: ZIMNY_KONTAKT" in text(html)
    assert "New contacts are assigned to sprzedaz@example.com (this form's owner)." in text(html)


@pytest.mark.django_db
def test_preview_without_consent_keeps_the_status_and_names_the_sites_owner(admin, sm):
    page = lead_page([("E-mail", "email", "detail")])
    html = text(preview(admin, page))

    assert "No consent question: the contact's opt-in status stays as it is." in html
    assert "New contacts are assigned to owner@example.com (the site's owner)." in html
    assert "Contacts lose" not in html


@pytest.mark.django_db
def test_the_owner_field_offers_the_accounts_users_where_the_connection_works(admin, sm):
    page = lead_page([("E-mail", "email", "detail")])
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    html = admin.get(url).content.decode()
    assert re.search(r'<input type="email" name="salesmanago_owner"[^>]*list="id_salesmanago_owner-users"',
                     html)
    assert ('<datalist id="id_salesmanago_owner-users"><option value="owner@example.com"></option>'
            '</datalist>') in html

    admin.get(url)  # cached: SALESmanago is asked once for each list
    assert [r["path"] for r in sm.requests()] == ["/api/contact/tags", "/api/user/listByClient"]

    cache.clear()
    SalesmanagoSettings.objects.update(client_id="")
    html = admin.get(url).content.decode()
    assert 'name="salesmanago_owner"' in html and "id_salesmanago_owner-users" not in html


@pytest.mark.django_db
def test_the_tag_fields_list_the_accounts_tags_and_a_refresh_asks_again(admin, sm):
    sm.add_contact("a@example.com")
    page = lead_page([("E-mail", "email", "detail")])
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert "No tags listed from the SALESmanago account" in admin.get(url).content.decode()

    SalesmanagoClient(sm.url, sm.client_id, sm.api_secret).upsert(
        {"owner": sm.owner, "contact": {"email": "b@example.com"}, "tags": ["VIP", "KLIENT"]})
    html = admin.get(url).content.decode()
    assert "No tags listed" in html  # kept for CACHE_SECONDS

    html = admin.get(url + "?salesmanago_refresh=1").content.decode()
    assert "2 tags in the SALESmanago account" in html
    assert ('<datalist id="id_salesmanago_tag-account-tags"><option value="KLIENT"></option>'
            '<option value="VIP"></option></datalist>') in html
    assert re.search(r'<input type="text" name="salesmanago_tag"[^>]*list="id_salesmanago_tag-'
                     r'account-tags"', html)


@pytest.mark.django_db
def test_an_sms_consent_must_be_a_named_checkbox_too(admin, sm):
    page = lead_page([("E-mail", "email", "detail")])
    response = publish(admin, page, [
        {"label": "SMS", "field_type": "singleline", "salesmanago_target": "sms_consent"},
    ])
    html = errors_of(response)
    assert "A consent must be a single checkbox: set the field type to “Checkbox”." in html
    assert "Name the SALESmanago consent this checkbox gives." in html


@pytest.mark.django_db
@pytest.mark.parametrize("field, error", [
    ({"label": "Źródło", "field_type": "singleline", "salesmanago_target": "skip"},
     "An answer that is not sent gives no tag either: choose where it goes under “In "
     "SALESmanago”, or no tag."),
    ({"label": "E-mail", "field_type": "email", "salesmanago_target": "detail"},
     "Personal data makes no tag (an e-mail address, a name, a phone, an address, a date of "
     "birth): a tag names a group of contacts, not one person."),
    ({"label": "Telefon", "field_type": "singleline", "salesmanago_target": "phone"},
     "Personal data makes no tag (an e-mail address, a name, a phone, an address, a date of "
     "birth): a tag names a group of contacts, not one person."),
    ({"label": "Uwagi", "field_type": "multiline", "salesmanago_target": "detail"},
     "A typed answer as a tag would let a visitor give themselves any tag: choose “the question "
     "and the answer”, or make the question a choice."),
])
def test_answers_that_make_no_tag_are_refused_a_tag_mode(admin, sm, field, error):
    page = lead_page([("E-mail", "email", "detail")])
    response = publish(admin, page, [{**field, "salesmanago_tag_mode": "value"}])
    assert response.status_code == 200
    assert error in errors_of(response)

    response = publish(admin, page, [{**field, "salesmanago_tag_mode": ""}])
    assert response.status_code == 302


@pytest.mark.django_db
def test_preview_shows_sms_consents_and_the_tags_answers_give(admin, sm):
    page = lead_page([
        ("E-mail", "email", "detail"), ("Zgoda SMS", "checkbox", "sms_consent", "SMS_MARKETING"),
        ("Branża", "dropdown", "detail"), ("Zainteresowania", "checkboxes", "detail"),
        ("Webinary", "checkbox", "detail"), ("Komentarz", "multiline", "detail"),
    ])
    choices = {"Branża": "IT\nHandel", "Zainteresowania": "A\nB\nC\nD\nE\nF"}
    modes = {"Branża": "value", "Zainteresowania": "question_and_value", "Webinary": "value",
             "Komentarz": "value"}
    for field in page.form_fields.all():
        field.choices = choices.get(field.label, "")
        field.salesmanago_tag_mode = modes.get(field.label, "")
        field.save()
    html = preview(admin, page)

    rows = [text(row) for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]]
    assert rows == [
        "E-mail ankieta.E-mail e-mail: identifies the contact",
        "Zgoda SMS ankieta.Zgoda-SMS SMS consent “SMS_MARKETING”",
        "Branża ankieta.Branza Letters written without accents. tag: IT, HANDEL",
        "Zainteresowania ankieta.Zainteresowania tag: ZAINTERESOWANIA-A, ZAINTERESOWANIA-B, "
        "ZAINTERESOWANIA-C, ZAINTERESOWANIA-D, ZAINTERESOWANIA-E, …",
        "Webinary ankieta.Webinary tag: WEBINARY",
        "Komentarz ankieta.Komentarz tag: KOMENTARZ-ANSWER",
    ]
    assert ("No consent question" not in text(html))
    assert ("SMS consents: SMS_MARKETING. A visitor who ticks one is opted in for SMS at once (to "
            "the phone the contact has in SALESmanago); the consent is recorded with the time and "
            "IP address. An unticked box never opts anyone out.") in text(html)
