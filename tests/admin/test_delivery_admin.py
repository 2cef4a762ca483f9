"""Staff watch deliveries in the admin: the list, the detail, Resend, the page panel, alerts (the
dashboard and sidebar: test_dashboard)."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.contrib.forms.models import FormSubmission
from wagtail.models import GroupPagePermission, Page, Site

from tests.helpers import answer, make_form_page, seed_contact
from wagtail_salesmanago.models import DeliveryHold, ExportRecord, SalesmanagoSettings
from wagtail_salesmanago.admin.views import resend_url

INDEX = "wagtail_salesmanago_deliveries:index"


def listed_emails(response):
    return sorted(r.email for r in response.context["object_list"])


@pytest.mark.django_db
def test_list_shows_status_form_contact_mode_attempts_and_error(admin, two_forms):
    response = admin.get(reverse(INDEX))
    html = response.content.decode()

    assert listed_emails(response) == ["failed@example.com", "other@example.com", "sent@example.com"]
    assert re.search(r'class="w-status w-status--label salesmanago-status salesmanago-status--failed">\s*Failed', html)
    assert re.search(r'class="w-status w-status--label salesmanago-status salesmanago-status--sent">\s*Sent', html)
    assert "Form A" in html and "Form B" in html
    assert ">by e-mail<" in html.replace("\n", "").replace("  ", "")
    assert "SALESmanago is not set up for site localhost [default]" in html


@pytest.mark.django_db
def test_filters_and_search(admin, two_forms):
    a, _ = two_forms
    assert listed_emails(admin.get(reverse(INDEX), {"status": "failed"})) == ["failed@example.com"]
    assert listed_emails(admin.get(reverse(INDEX), {"page": a.pk})) == [
        "failed@example.com", "sent@example.com"]
    assert listed_emails(admin.get(reverse(INDEX), {"q": "other@"})) == ["other@example.com"]
    assert listed_emails(admin.get(reverse(INDEX), {"created_at_from": "2000-01-01"})) != []
    assert listed_emails(admin.get(reverse(INDEX), {"created_at_to": "2000-01-01"})) == []


@pytest.mark.django_db
def test_detail_shows_the_payload_and_each_attempt_then_resend(admin, two_forms, sm, on_commit):
    record = ExportRecord.objects.get(email="failed@example.com")
    url = reverse("wagtail_salesmanago_deliveries:inspect", args=[record.pk])
    html = admin.get(url).content.decode()

    assert "&quot;ankieta.Twoj-e-mail&quot;: &quot;failed@example.com&quot;" in html
    assert "&quot;sha&quot;" not in html and sm.api_secret not in html
    assert html.count('class="salesmanago-attempt"') == 1
    assert "SALESmanago is not set up" in html

    with on_commit():
        response = admin.post(resend_url(record, url))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == "sent"
    html = admin.get(url).content.decode()
    assert html.count('class="salesmanago-attempt"') == 2
    assert "resent by staff" in html


@pytest.mark.django_db
def test_resend_all_failed_in_the_filtered_list(admin, two_forms, sm, on_commit):
    html = admin.get(reverse(INDEX), {"status": "failed"}).content.decode()
    resend = reverse("wagtail_salesmanago_deliveries:resend_listed") + "?status=failed"
    assert f'href="{resend}"' in html and "Resend all failed in this list" in html
    # A link asks first, as Wagtail's bulk actions do; asking sends nothing.
    with on_commit():
        confirm = admin.get(resend).content.decode()
    assert "Send the 1 failed delivery of this list to SALESmanago again?" in confirm
    assert f'action="{resend}" method="post"' in confirm
    assert f'href="{reverse(INDEX)}?status=failed"' in confirm
    assert sorted(ExportRecord.objects.values_list("status", flat=True)) == ["failed", "sent", "sent"]
    with on_commit():
        response = admin.post(resend)

    assert response.status_code == 302
    assert sorted(ExportRecord.objects.values_list("status", flat=True)) == ["sent"] * 3
    assert "failed@example.com" in [c["email"] for c in sm.contacts()]
    confirm = admin.get(resend).content.decode()
    assert "This list has no failed deliveries left to send again." in confirm
    assert 'method="post"' not in confirm


@pytest.mark.django_db
def test_resend_all_counts_what_it_would_resend(admin, two_forms):
    failed = ExportRecord.objects.get(email="failed@example.com")
    older = ExportRecord.objects.get(pk=failed.pk)
    older.pk = None  # another failed record of the same answer: the answer is resent once
    older.save()
    resend = reverse("wagtail_salesmanago_deliveries:resend_listed") + "?status=failed"
    assert "Send the 1 failed delivery of this list to SALESmanago again?" in admin.get(
        resend).content.decode()


@pytest.mark.django_db
def test_resend_asks_first_and_a_get_sends_nothing(admin, two_forms):
    record = ExportRecord.objects.get(email="failed@example.com")
    html = admin.get(resend_url(record, "/")).content.decode()
    assert "Send this delivery to SALESmanago again?" in html
    record.refresh_from_db()
    assert (record.status, record.attempts) == ("failed", 1)


@pytest.mark.django_db
def test_editors_see_only_deliveries_of_forms_they_may_see(editor_of, two_forms):
    a, b = two_forms
    editor = editor_of(b)
    assert listed_emails(editor.get(reverse(INDEX))) == ["other@example.com"]
    hidden = ExportRecord.objects.get(email="sent@example.com")
    inspect = reverse("wagtail_salesmanago_deliveries:inspect", args=[hidden.pk])
    assert editor.get(inspect).status_code == 404
    editor.post(resend_url(hidden, "/"))
    assert ExportRecord.objects.get(pk=hidden.pk).attempts == 1


@pytest.fixture
def form_a_hidden(two_forms):
    """Wagtail's ``filter_form_submissions_for_user`` hook hides form A from everyone."""
    a, _ = two_forms
    with hooks.register_temporarily(
        "filter_form_submissions_for_user", lambda user, forms: forms.exclude(pk=a.pk)
    ):
        yield two_forms


@pytest.mark.django_db
def test_the_submissions_hook_hides_the_forms_deliveries_and_page_panel(admin, form_a_hidden):
    a, b = form_a_hidden
    assert listed_emails(admin.get(reverse(INDEX))) == ["other@example.com"]

    html = admin.get(reverse("wagtailadmin_pages:edit", args=[a.pk])).content.decode()
    assert "What SALESmanago will get" in html  # the rest of the SALESmanago panel is there
    assert "salesmanago-counts" not in html and "Sent: 1" not in html
    assert "rejected the credentials" not in html and f"?page={a.pk}" not in html
    html = admin.get(reverse("wagtailadmin_pages:edit", args=[b.pk])).content.decode()
    assert "Sent: 1 · waiting: 0 · retrying: 0 · failed: 0" in html


@pytest.mark.django_db
def test_users_without_forms_see_nothing(client, django_user_model, two_forms):
    user = django_user_model.objects.create_user("nobody", "n@example.com", "pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get(reverse(INDEX)).status_code == 302  # Wagtail's "permission denied" redirect
    assert reverse(INDEX) not in client.get(reverse("wagtailadmin_home")).content.decode()


@pytest.mark.django_db
def test_form_page_editor_shows_this_forms_counts_and_last_error(admin, two_forms):
    a, _ = two_forms
    html = admin.get(reverse("wagtailadmin_pages:edit", args=[a.pk])).content.decode()
    assert "Sent: 1 · waiting: 0 · retrying: 0 · failed: 1" in html
    assert "Last error: SALESmanago is not set up for site" in html
    assert f"?page={a.pk}&amp;status=failed" in html


@pytest.mark.django_db
def test_one_alert_mail_when_a_form_starts_failing(client, sm, on_commit, settings, mailoutbox):
    settings.WAGTAIL_SALESMANAGO_ALERT_ADMINS = True
    settings.ADMINS = [("Ops", "ops@example.com")]
    page = make_form_page()
    with on_commit():
        answer(client, page, {"Twój e-mail": "ok@example.com"})
    SalesmanagoSettings.objects.update(client_id="")
    with on_commit():
        for email in ("x@example.com", "y@example.com"):
            answer(client, page, {"Twój e-mail": email})

    [mail] = mailoutbox
    assert mail.to == ["ops@example.com"]
    assert "SALESmanago deliveries of “Badanie satysfakcji” are failing" in mail.subject
    assert "SALESmanago is not set up" in mail.body
    assert "x@example.com" not in mail.body and sm.api_secret not in mail.body
    assert f"/admin/salesmanago/deliveries/?status=failed&page={page.pk}" in mail.body

    SalesmanagoSettings.objects.update(client_id=sm.client_id)
    with on_commit():
        answer(client, page, {"Twój e-mail": "ok2@example.com"})
    SalesmanagoSettings.objects.update(client_id="")
    with on_commit():
        answer(client, page, {"Twój e-mail": "z@example.com"})
    assert len(mailoutbox) == 2  # working again, then failing again: a new mail


@pytest.mark.django_db
def test_the_deliveries_admin_in_polish(admin, two_forms, settings):
    settings.LANGUAGE_CODE = "pl"
    a, _ = two_forms
    html = admin.get(reverse(INDEX), {"status": "failed"}).content.decode()
    assert "Eksporty do SALESmanago" in html
    assert "Wyślij ponownie wszystkie nieudane z tej listy" in html
    assert re.search(r'salesmanago-status--failed[^"]*">\s*Nieudany', html)
    # Wagtail counts the list with the verbose names, so they are lower case; titles capitalise.
    assert re.search(r'pagination__end">\s*1 eksport do SALESmanago\s*<', html)
    assert re.search(r'pagination__end">\s*3 eksporty do SALESmanago\s*<',
                     admin.get(reverse(INDEX)).content.decode())
    failed = ExportRecord.objects.get(email="failed@example.com")
    assert "<title>Eksport: failed@example.com" in admin.get(
        reverse("wagtail_salesmanago_deliveries:inspect", args=[failed.pk])).content.decode()
    html = admin.get(reverse("wagtailadmin_pages:edit", args=[a.pk])).content.decode()
    assert "Wysłane: 1 · oczekujące: 0 · ponawiane: 0 · nieudane: 1" in html
    assert "1 eksport nie powiódł się w ostatnich 7 dniach." in admin.get(
        reverse("wagtailadmin_home")).content.decode()
    # Wagtail's own count puts the plural name after any number; the log's has all Polish forms.
    copied = ExportRecord.objects.get(email="sent@example.com")
    for number in range(3):
        copied.pk, copied.submission_id = None, f"copy-{number}"
        copied.save()
    assert re.search(r'pagination__end">\s*6 eksportów do SALESmanago\s*<',
                     admin.get(reverse(INDEX)).content.decode())


@pytest.mark.django_db
def test_resend_a_selection_with_the_listing_checkboxes(admin, two_forms, sm, on_commit):
    html = admin.get(reverse(INDEX)).content.decode()
    assert html.count('data-bulk-action-checkbox') == 3
    assert "/admin/bulk/wagtail_salesmanago/exportrecord/resend/" in html
    chosen = ExportRecord.objects.filter(email__in=["failed@example.com", "other@example.com"])
    url = "/admin/bulk/wagtail_salesmanago/exportrecord/resend/?" + "&".join(
        f"id={r.pk}" for r in chosen) + "&next=" + reverse(INDEX)

    confirm = admin.get(url).content.decode()
    assert "Send these 2 deliveries to SALESmanago again?" in confirm
    with on_commit():
        response = admin.post(url)

    assert response.status_code == 302
    assert sorted(ExportRecord.objects.values_list("email", "attempts")) == [
        ("failed@example.com", 2), ("other@example.com", 2), ("sent@example.com", 1)]
    assert sorted(ExportRecord.objects.values_list("status", flat=True)) == ["sent"] * 3


@pytest.mark.django_db
def test_a_selection_cannot_reach_deliveries_the_user_may_not_see(editor_of, two_forms, on_commit):
    a, b = two_forms
    editor = editor_of(b)
    hidden = ExportRecord.objects.get(email="failed@example.com")
    url = f"/admin/bulk/wagtail_salesmanago/exportrecord/resend/?id={hidden.pk}"
    assert "You may not resend these" in editor.get(url).content.decode()
    with on_commit():
        editor.post(url)
    assert ExportRecord.objects.get(pk=hidden.pk).attempts == 1


@pytest.fixture
def failure_on_b(client, two_forms, sm, on_commit):
    """A failed delivery on form B too, so a resend of "every failure" would be visible."""
    _, b = two_forms
    SalesmanagoSettings.objects.update(client_id="")  # fails for good (a wrong secret holds)
    with on_commit():
        answer(client, b, {"Twój e-mail": "failed-b@example.com"})
    SalesmanagoSettings.objects.update(client_id=sm.client_id)
    return two_forms


def attempts():
    return dict(ExportRecord.objects.values_list("email", "attempts"))


@pytest.mark.django_db
@pytest.mark.parametrize("query", [
    "status=failed&page={hidden}",           # a form page the user may not see
    "status=failed&page=999999",              # no such page
    "status=failed&created_at_from=someday",  # not a date
    "status=failed&created_at_to=2026-13-45",
    "status=bogus",
])
def test_resend_all_failed_with_an_invalid_filter_resends_nothing(
    admin, failure_on_b, form_a_hidden, on_commit, query
):
    a, _ = failure_on_b
    query = query.format(hidden=a.pk)
    before = attempts()
    with on_commit():
        response = admin.post(reverse("wagtail_salesmanago_deliveries:resend_listed") + "?" + query)
    assert attempts() == before
    assert response.status_code == 302
    assert response.url == reverse(INDEX) + "?" + query
    html = admin.get(response.url).content.decode()
    assert "Nothing was sent again: the list&#x27;s filters are not valid." in html
    # Asking first refuses the same way.
    response = admin.get(reverse("wagtail_salesmanago_deliveries:resend_listed") + "?" + query)
    assert response.status_code == 302 and attempts() == before
    # Wagtail lists everything when a filter is invalid: that list gets no button.
    assert "Resend all failed in this list" not in html


@pytest.mark.django_db
def test_resend_all_failed_keeps_the_form_filter_and_the_search(admin, failure_on_b, on_commit):
    a, b = failure_on_b
    resend = reverse("wagtail_salesmanago_deliveries:resend_listed")
    with on_commit():
        admin.post(resend + f"?status=failed&page={b.pk}")
    assert attempts() == {
        "sent@example.com": 1, "failed@example.com": 1,
        "other@example.com": 1, "failed-b@example.com": 2,
    }
    with on_commit():
        admin.post(resend + "?status=failed&q=nobody-matches")
    assert attempts()["failed@example.com"] == 1
    with on_commit():
        admin.post(resend + "?status=failed&q=failed%40example")
    assert attempts() == {
        "sent@example.com": 1, "failed@example.com": 2,
        "other@example.com": 1, "failed-b@example.com": 2,
    }


@pytest.mark.django_db
def test_an_update_is_listed_under_its_contacts_email_where_known_else_its_id(admin, client, sm, on_commit):
    contact_id = seed_contact(sm, "known@example.com")
    page = make_form_page()
    with on_commit():
        answer(client, page, {"Twój e-mail": "typed@example.com"}, smclientid=contact_id)
    record = ExportRecord.objects.get()
    assert record.mode == "update"

    def listed_as():
        html = admin.get(reverse(INDEX)).content.decode()
        link = re.search(rf'id="delivery_{record.pk}_title"[^>]* title="([^"]*)">([^<]*)</a>', html)
        return link.groups()

    # The ID cut to its first groups (whole in the link's title); the typed e-mail is an answer.
    assert listed_as() == (contact_id, contact_id[:13] + "…")
    # Once an answer sent by e-mail told us that contact's ID, the list names it by its e-mail.
    with on_commit():
        answer(client, page, {"Twój e-mail": "known@example.com"})
    assert ExportRecord.objects.get(email="known@example.com").salesmanago_contact_id == contact_id
    assert listed_as() == (contact_id, "known@example.com")

    html = admin.get(
        reverse("wagtail_salesmanago_deliveries:inspect", args=[record.pk])).content.decode()
    assert "E-mail answer (used only if SALESmanago does not know the contact ID)" in html
    assert "Contact e-mail" not in html
    assert "&quot;ankieta.Twoj-e-mail&quot;: &quot;typed@example.com&quot;" in html
    assert [c["email"] for c in sm.contacts()] == ["known@example.com"]



@pytest.mark.django_db
def test_a_long_email_is_listed_cut_and_whole_in_the_links_title(admin, client, sm, on_commit):
    email = "a" * 64 + "@" + "b" * 60 + ".example.com"  # valid, 137 characters
    with on_commit():
        answer(client, make_form_page(), {"Twój e-mail": email})
    record = ExportRecord.objects.get()
    html = admin.get(reverse(INDEX)).content.decode()
    link = re.search(rf'id="delivery_{record.pk}_title"[^>]* title="([^"]*)">([^<]*)</a>', html)
    assert link.groups() == (email, "a" * 39 + "…")


SECRET_SITE_MESSAGE = "The owner crm@other-brand.example is not a user of this SALESmanago account."


@pytest.fixture
def hold_survey(client, sm, on_commit):
    page = make_form_page()  # on the default site, with one delivery the editor may see
    with on_commit():
        answer(client, page, {"Twój e-mail": "jan@example.com"})
    return page


@pytest.fixture
def other_site_on_hold(hold_survey):
    other = Page(title="Other brand", slug="other-brand")
    root = Page.objects.get(depth=1).add_child(instance=other)
    site = Site.objects.create(hostname="other-brand.example", root_page=root)
    now = timezone.now()
    return DeliveryHold.objects.create(
        site=site, reason=DeliveryHold.Reason.OWNER, message=SECRET_SITE_MESSAGE, since=now,
        next_check_at=now, fingerprint="0" * 64,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["wagtailadmin_home", "wagtail_salesmanago_deliveries:index"])
def test_an_editor_sees_no_hold_of_a_site_whose_forms_they_cannot_see(
    client, django_user_model, hold_survey, other_site_on_hold, url
):
    page = hold_survey
    group = Group.objects.create(name="Editors of the survey")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(group=group, page=page, permission_type="change")
    user = django_user_model.objects.create_user("editor", "e@example.com", "pw")
    user.groups.add(group)
    client.force_login(user)

    html = client.get(reverse(url)).content.decode()

    # The editor may see this survey's deliveries only; the other site's hold (its host name,
    # SALESmanago's answer naming its owner, how many of its deliveries wait) is none of theirs.
    assert "other-brand.example" not in html
    assert "crm@other-brand.example" not in html


@pytest.mark.django_db
def test_a_contacts_email_comes_only_from_the_forms_the_user_may_see(editor_of):
    """A visitor chooses the contact ID (the link, the cookie): another form's e-mail for that ID
    must not show to a user who may not see that form."""
    a, b = make_form_page(title="Form A"), make_form_page(title="Form B")
    kind = ContentType.objects.get_for_model(FormSubmission)
    ExportRecord.objects.create(page=b, submission_type=kind, submission_id="1", status="sent",
                                mode="upsert", email="secret-of-b@example.com",
                                salesmanago_contact_id="cid-1")
    mine = ExportRecord.objects.create(page=a, submission_type=kind, submission_id="2",
                                       status="failed", mode="update", contact_id="cid-1")
    html = editor_of(a).get(reverse(INDEX)).content.decode()
    assert f'id="delivery_{mine.pk}_title"' in html
    assert "secret-of-b@example.com" not in html and "Form B" not in html


@pytest.mark.django_db
def test_the_list_finds_its_contacts_emails_in_one_query_however_many_rows(admin):
    page = make_form_page()
    kind = ContentType.objects.get_for_model(FormSubmission)

    def add(number):
        ExportRecord.objects.create(page=page, submission_type=kind, submission_id=f"s{number}",
                                    status="sent", mode="upsert", email=f"{number}@example.com",
                                    salesmanago_contact_id=f"cid-{number}")
        ExportRecord.objects.create(page=page, submission_type=kind, submission_id=f"u{number}",
                                    status="failed", mode="update", contact_id=f"cid-{number}")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            html = admin.get(reverse(INDEX)).content.decode()
        return len(captured), html

    add(1)
    queries()  # Django's content-type cache fills on the first request
    one, _ = queries()
    for number in range(2, 8):
        add(number)
    many, html = queries()
    assert many == one
    assert all(f">{number}@example.com</a>" in html for number in range(1, 8))
