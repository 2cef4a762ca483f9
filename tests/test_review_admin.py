"""Hostile-review repro (issue 9 §2.7, holds): another site's hold is shown to every editor."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupPagePermission, Page, Site

from tests.helpers import answer, make_form_page
from wagtail_salesmanago.models import DeliveryHold

SECRET_SITE_MESSAGE = "The owner crm@other-brand.example is not a user of this SALESmanago account."


@pytest.fixture
def survey(client, sm, on_commit):
    page = make_form_page()  # on the default site, with one delivery the editor may see
    with on_commit():
        answer(client, page, {"Twój e-mail": "jan@example.com"})
    return page


@pytest.fixture
def other_site_on_hold(survey):
    root = Page.objects.get(depth=1).add_child(instance=Page(title="Other brand", slug="other-brand"))
    site = Site.objects.create(hostname="other-brand.example", root_page=root)
    now = timezone.now()
    return DeliveryHold.objects.create(
        site=site, reason=DeliveryHold.Reason.OWNER, message=SECRET_SITE_MESSAGE, since=now,
        next_check_at=now, fingerprint="0" * 64,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["wagtailadmin_home", "wagtail_salesmanago_deliveries:index"])
def test_an_editor_sees_no_hold_of_a_site_whose_forms_they_cannot_see(
    client, django_user_model, survey, other_site_on_hold, url
):
    page = survey
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


def test_a_deadline_longer_than_a_claim_is_not_accepted_silently(settings):
    """A claim lapses after CLAIM_SECONDS (120 s) and another sender may then send the record
    again; the documented DEADLINE option lets one attempt (plus a hold check before it) run
    longer than that, so a slow but successful SALESmanago gets the answer twice. Nothing warns."""
    from django.core.checks import run_checks

    settings.WAGTAIL_SALESMANAGO_DEADLINE = 300
    messages = [str(message) for message in run_checks()]
    assert any("CLAIM_SECONDS" in message for message in messages), messages
