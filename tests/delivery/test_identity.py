"""Whose answers they are: a link's contact ID, a typed e-mail, SALESmanago's smclient cookie."""

import re
from html import unescape

import pytest
from django.urls import reverse

from tests.helpers import answer, make_form_page
from wagtail_salesmanago.models import ExportRecord, SalesmanagoSettings
from wagtail_salesmanago.payload import mapping

AUTH = ("clientId", "apiKey", "requestTime", "sha")


def bodies(sm):
    return [(r["path"], {k: v for k, v in r["body"].items() if k not in AUTH}) for r in sm.requests()]


def send(client, on_commit, page, answers, *, cookie=None, smclientid=None):
    if cookie is not None:
        client.cookies["smclient"] = cookie
    with on_commit():
        assert answer(client, page, answers, smclientid=smclientid).status_code == 200
    return ExportRecord.objects.get()


@pytest.mark.django_db
def test_the_smclient_cookie_updates_its_contact(client, sm, on_commit):
    contact_id = sm.add_contact("known@example.com")
    record = send(client, on_commit, make_form_page(), {"Komentarz": "Z ciasteczka"},
                  cookie=contact_id.upper())

    assert bodies(sm) == [("/api/contact/update", {
        "owner": sm.owner, "contactId": contact_id,
        "properties": {"ankieta.Komentarz": "Z ciasteczka"}, "tags": ["BADANIE_SATYSFAKCJI"],
    })]
    assert (record.status, record.mode, record.contact_id) == ("sent", "update", contact_id)
    assert "Contact ID from the visitor's smclient cookie" in record.notes


@pytest.mark.django_db
def test_a_malformed_cookie_is_ignored_with_a_short_note(client, sm, on_commit):
    record = send(client, on_commit, make_form_page(), {"Komentarz": "Hej"}, cookie="x" * 500)

    assert sm.requests() == []
    assert record.status == "skipped"
    assert record.notes == (
        f"Ignored the smclient cookie {'x' * 64!r} (the first 64 of 500 characters): "
        "not a contact ID (UUID)."
    )


LINK_ID, COOKIE_ID = "21c252a6-6de0-436b-bae8-9d0142363266", "8a1f3c2e-0b7d-4e55-9c1a-3f0e2d4b6a70"


@pytest.mark.parametrize("link, email, cookie, use_cookie, trust_email, expected", [
    (LINK_ID, "jan@example.com", COOKIE_ID, True, False, ("update", LINK_ID)),
    (LINK_ID, "jan@example.com", COOKIE_ID, True, True, ("upsert", LINK_ID)),
    ("", "jan@example.com", COOKIE_ID, True, False, ("upsert", "")),
    ("", "", COOKIE_ID, True, False, ("update", COOKIE_ID)),
    ("", "", COOKIE_ID, False, False, ("", "")),
    ("nie-uuid", "", COOKIE_ID, True, False, ("update", COOKIE_ID)),
    (LINK_ID, "", COOKIE_ID, True, True, ("update", LINK_ID)),
])
def test_who_the_answers_belong_to(link, email, cookie, use_cookie, trust_email, expected):
    mode, contact_id, _ = mapping.identify(
        link, email, cookie, use_cookie=use_cookie, trust_email=trust_email
    )
    assert (mode, contact_id) == expected


def test_a_cookie_note_shows_no_control_characters():
    mode, contact_id, notes = mapping.identify("", "", "ab\x00\n\x1b[31mred\u202e")
    assert (mode, contact_id) == ("", "")
    assert notes == ["Ignored the smclient cookie 'ab\\x00\\n\\x1b[31mred\\u202e': not a contact ID (UUID)."]
    assert all(char.isprintable() for char in notes[0])


@pytest.mark.django_db
def test_the_cookie_is_not_used_when_the_site_switches_it_off(client, sm, on_commit):
    SalesmanagoSettings.objects.update(identify_by_cookie=False)
    contact_id = sm.add_contact("known@example.com")
    record = send(client, on_commit, make_form_page(), {"Komentarz": "Hej"}, cookie=contact_id)

    assert sm.requests() == []
    assert record.status == "skipped"
    assert "smclient cookie was not used: this site does not use it" in record.notes
    assert contact_id not in record.notes


@pytest.mark.django_db
def test_a_typed_email_and_a_link_beat_the_cookie(client, sm, on_commit):
    cookie_id = sm.add_contact("cookie@example.com")
    record = send(client, on_commit, make_form_page(), {"Twój e-mail": "jan@example.com"},
                  cookie=cookie_id)

    assert [path for path, _ in bodies(sm)] == ["/api/contact/upsert"]
    assert (record.mode, record.email, record.contact_id) == ("upsert", "jan@example.com", "")
    assert "cookie" not in record.notes


@pytest.mark.django_db
def test_by_default_the_link_wins_over_a_typed_email(client, sm, on_commit):
    link_id = sm.add_contact("known@example.com")
    record = send(client, on_commit, make_form_page(), {"Twój e-mail": "jan@example.com"},
                  smclientid=link_id)

    [(path, body)] = bodies(sm)
    assert (path, body["contactId"]) == ("/api/contact/update", link_id)
    assert record.mode == "update"


@pytest.mark.django_db
def test_a_site_may_trust_the_typed_email_over_the_link(client, sm, on_commit):
    SalesmanagoSettings.objects.update(trust_typed_email=True)
    link_id = sm.add_contact("known@example.com")
    record = send(client, on_commit, make_form_page(), {"Twój e-mail": "jan@example.com"},
                  smclientid=link_id)

    [(path, body)] = bodies(sm)
    assert (path, body["contact"]) == ("/api/contact/upsert", {"email": "jan@example.com"})
    assert "contactId" not in body
    assert (record.status, record.mode, record.contact_id) == ("sent", "upsert", link_id)
    assert "The typed e-mail was used, not the link's contact ID" in record.notes
    assert sorted(c["email"] for c in sm.contacts()) == ["jan@example.com", "known@example.com"]


@pytest.mark.django_db
def test_trusting_typed_emails_leaves_a_link_without_an_email_alone(client, sm, on_commit):
    SalesmanagoSettings.objects.update(trust_typed_email=True)
    link_id = sm.add_contact("known@example.com")
    record = send(client, on_commit, make_form_page(), {"Komentarz": "Hej"}, smclientid=link_id)
    assert (record.mode, record.contact_id) == ("update", link_id)


# The editor's preview -------------------------------------------------------------------


def preview(admin, page):
    html = admin.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    return html.split('class="salesmanago-preview"', 1)[1]


def rules(html):
    block = html.split('class="salesmanago-identity-rule"', 1)[1].split("</ol>", 1)[0]
    return [unescape(re.sub(r"\s+", " ", rule).strip())
            for rule in re.findall(r"<li>(.*?)</li>", block, re.S)]


def event_line(html):
    line = html.split('class="salesmanago-event">', 1)[1].split("</p>", 1)[0]
    return unescape(re.sub(r"\s+", " ", line).strip())


LINK = "A contact ID in the visitor's link (?smclientid=, from SALESmanago's mailings): that contact is updated."
EMAIL = "The typed e-mail (“Twój e-mail”): the contact with that e-mail is created or updated."
COOKIE = ("SALESmanago's smclient cookie, which its monitoring code sets for a contact it knows: "
          "that contact is updated.")


@pytest.mark.django_db
def test_preview_shows_who_the_answers_belong_to_and_the_event(admin, sm):
    html = preview(admin, make_form_page(salesmanago_event_type="SURVEY"))
    assert rules(html) == [LINK, EMAIL, COOKIE]
    assert event_line(html) == (
        "Each answer also adds a <code>SURVEY</code> event to the contact's timeline, once the "
        "contact is sent: the form's title as its description, the page's address and the "
        "submission's number."
    )


@pytest.mark.django_db
def test_preview_follows_the_sites_identity_settings(admin, sm):
    SalesmanagoSettings.objects.update(trust_typed_email=True, identify_by_cookie=False)
    html = preview(admin, make_form_page())
    assert rules(html) == [EMAIL, LINK]
    assert "smclient cookie is not used on this site" in unescape(html)
    assert event_line(html) == "No event: answers add nothing to the contact's timeline."


@pytest.mark.django_db
def test_preview_in_polish(admin, sm, settings):
    settings.LANGUAGE_CODE = "pl"
    html = preview(admin, make_form_page(salesmanago_event_type="OTHER"))
    assert len(rules(html)) == 3
    assert "ciasteczko smclient" in rules(html)[2].lower()
    assert "<code>OTHER</code>" in event_line(html) and "osi czasu kontaktu" in event_line(html)


def test_the_mapping_uses_the_cookie_unless_told_not_to():
    """As a site does by default (``identify_by_cookie``), and a page without a site."""
    contact_id = "21c252a6-6de0-436b-bae8-9d0142363266"
    plan = mapping.plan_export([], {}, "", "", "ankieta.", cookie_id=contact_id)
    assert (plan.mode, plan.contact_id) == ("update", contact_id)
    plan = mapping.plan_export([], {}, "", "", "ankieta.", cookie_id=contact_id, use_cookie=False)
    assert (plan.mode, plan.contact_id) == ("", "")
    # And a link's contact ID wins over a typed e-mail unless the site trusts typed e-mails more.
    assert mapping.identify(contact_id, "jan@example.com", "")[:2] == ("update", contact_id)
