"""Editors see, before publishing, what each question becomes in SALESmanago."""

import re

import pytest
from django.urls import reverse

from tests.helpers import NO_RULES, make_form_page
from wagtail_salesmanago.models import SalesmanagoSettings


def preview_html(admin, page):
    html = admin.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    return html.split('class="salesmanago-preview"', 1)[1].split("</table>", 1)[0]


def rows(html):
    return [
        (re.sub(r"<.*?>", "", label), key, re.sub(r"\s+", " ", note).strip())
        for label, key, note in re.findall(
            r"<tr>\s*<td>(.*?)</td>\s*<td><code[^>]*>(.*?)</code></td>\s*<td>(.*?)</td>", html, re.S)
    ]


@pytest.mark.django_db
def test_preview_lists_each_detail_name_with_collisions_and_transliteration(admin, sm):
    page = make_form_page(questions=[
        ("Twój e-mail", "email", ""), ("Ocena", "radio", "1\n2"), ("Ocena", "radio", "1\n2"),
        ("Uwagi", "multiline", ""),
    ], tag="badanie satysfakcji, VIP")
    html = preview_html(admin, page)

    assert rows(html) == [
        ("Twój e-mail", "ankieta.Twoj-e-mail", "Letters written without accents."),
        ("Ocena", "ankieta.Ocena", ""),
        ("Ocena", "ankieta.Ocena-2", "Same name as an earlier question: numbered."),
        ("Uwagi", "ankieta.Uwagi", ""),
    ]
    assert "The answer to “Twój e-mail” identifies the contact" in html
    # Where each answer goes: the e-mail question says it identifies the contact.
    assert [text.strip() for text in re.findall(
        r'<td class="salesmanago-target">(.*?)</td>', html, re.S)] == [
        "e-mail: identifies the contact", "—", "—", "—"]
    assert "<code>BADANIE_SATYSFAKCJI</code>, <code>VIP</code>" in html
    assert "not set up" not in html


@pytest.mark.django_db
def test_preview_warns_without_an_email_question_and_without_credentials(admin, sm):
    SalesmanagoSettings.objects.update(client_id="", api_secret="")
    page = make_form_page(questions=[("Uwagi", "multiline", "")], tag="")
    html = preview_html(admin, page)

    assert ("This form has no e-mail question, so only contacts SALESmanago already knows will be "
            "exported: visitors arriving with ?smclientid= links") in html
    assert ("Export is on, but SALESmanago is not set up for this page's site "
            "(client ID, API secret missing).") in html
    assert "No tag: contacts are not tagged." in html


@pytest.mark.django_db
def test_preview_uses_the_sites_prefix_and_warnings_never_block_publishing(admin, sm):
    SalesmanagoSettings.objects.update(detail_prefix="survey_", client_id="")
    page = make_form_page(questions=[("Uwagi", "multiline", "")])
    assert rows(preview_html(admin, page)) == [("Uwagi", "survey_Uwagi", "")]

    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    form = admin.get(url).context["form"]
    data = {**{k: v for k, v in form.initial.items() if isinstance(v, (str, int, bool))}}
    data.update({
        "title": page.title, "slug": page.slug, "salesmanago_enabled": "on",
        "salesmanago_tag": "nowy tag", "action-publish": "publish",
        "form_fields-TOTAL_FORMS": "1", "form_fields-INITIAL_FORMS": "1",
        "form_fields-MIN_NUM_FORMS": "0", "form_fields-MAX_NUM_FORMS": "1000",
        "form_fields-0-id": page.form_fields.get().pk, "form_fields-0-label": "Uwagi",
        "form_fields-0-field_type": "multiline", "form_fields-0-ORDER": "1",
        "form_fields-0-salesmanago_target": "detail",
        **NO_RULES,
        "to_address": "", "from_address": "", "subject": "",
    })
    response = admin.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    page.refresh_from_db()
    assert page.live and page.salesmanago_tag == "nowy tag"


@pytest.mark.django_db
def test_preview_names_labels_without_letters_by_place_and_shows_what_it_removed_or_cut(admin, sm):
    long_label = ("Bardzo dlugie pytanie " * 12)[:255]  # a label's most; 263 with the prefix
    page = make_form_page(questions=[
        ("Twój e-mail", "email", ""), ("😀", "radio", "1\n2"), ("\u200b\u202e", "singleline", ""),
        ("Oce\u200bna\u202c", "singleline", ""), (long_label, "multiline", ""),
        (long_label, "multiline", ""),
    ])
    cut = ("ankieta." + long_label.replace(" ", "-"))[:255]

    assert rows(preview_html(admin, page)) == [
        ("Twój e-mail", "ankieta.Twoj-e-mail", "Letters written without accents."),
        ("😀", "ankieta.question-2",
         "No letters or digits to name it by: named by its place in the form."),
        ("\u200b\u202e", "ankieta.question-3",
         "No letters or digits to name it by: named by its place in the form. "
         "Invisible characters removed."),
        ("Oce\u200bna\u202c", "ankieta.Ocena", "Invisible characters removed."),
        (long_label, cut, "Long label: the name is cut to 255 characters."),
        (long_label, cut[:253] + "-2",
         "Same name as an earlier question: numbered. "
         "Long label: the name is cut to 255 characters."),
    ]


@pytest.mark.django_db
def test_preview_says_which_version_it_shows_and_warns_about_a_live_page_that_differs(admin, sm):
    from tests.testapp.models import FormField

    page = make_form_page(questions=[("Twój e-mail", "email", ""), ("Uwagi", "multiline", "")])
    html = preview_html(admin, page)
    assert "This shows the live page, as visitors answer it." in html
    assert "The live page exports differently" not in html

    page.form_fields = [FormField(label="Uwagi", field_type="multiline", sort_order=0)]
    page.save_revision()
    html = re.sub(r"\s+", " ", preview_html(admin, page))
    assert "This shows the latest draft. Until it is published, visitors answer the live page." in html
    assert "This form has no e-mail question" in html  # the draft's
    assert ("The live page exports differently, and its answers are sent that way until the draft "
            "is published:") in html
    assert "The answer to “Twój e-mail” identifies the contact." in html
    assert ('Its custom details: <code class="w-whitespace-nowrap">ankieta.Twoj-e-mail</code>, '
            '<code class="w-whitespace-nowrap">ankieta.Uwagi</code>') in html

    page.get_latest_revision().publish()
    html = preview_html(admin, page)
    assert "This shows the live page" in html and "exports differently" not in html


@pytest.mark.django_db
def test_preview_table_has_a_header_for_every_column_and_names_do_not_wrap(admin, sm):
    page = make_form_page(questions=[("Twój e-mail", "email", ""), ("Pomiń", "singleline", "")])
    html = preview_html(admin, page) + "</table>"
    table = html[html.index('<table class="listing salesmanago-details">'):]
    headers = re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)
    first_row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", table, re.S).group(1)
    assert all(h.strip() for h in headers)
    assert len(headers) == len(re.findall(r"<td", first_row))
    assert '<code class="w-whitespace-nowrap">ankieta.Twoj-e-mail</code>' in table
