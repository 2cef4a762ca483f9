"""Set up the demo (idempotently): settings -> sandbox, a Polish survey, a demo contact, an admin."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from wagtail.models import Site

from survey.models import FormField, SurveyPage
from wagtail_salesmanago import mapping
from wagtail_salesmanago.account import account_for_site
from wagtail_salesmanago.models import SalesmanagoSettings
from wagtail_salesmanago.sandbox import DEFAULT_API_SECRET, DEFAULT_CLIENT_ID, DEFAULT_OWNER

SLUG = "badanie-satysfakcji"
QUESTIONS = [
    ("Twój adres e-mail", "email", "", False),
    ("Jak oceniasz naszą obsługę?", "radio", "Bardzo dobrze\nDobrze\nŚrednio\nŹle", True),
    ("Z czego korzystałeś?", "checkboxes", "Sklep internetowy\nInfolinia\nSalon stacjonarny", False),
    ("Co możemy poprawić?", "multiline", "", False),
]
DEMO_CONTACT = "demo.kontakt@example.com"


class Command(BaseCommand):
    help = "Create or refresh the demo site's settings, survey, sandbox contact and admin user."

    def add_arguments(self, parser):
        parser.add_argument("--sandbox-url", default="http://127.0.0.1:8765")
        parser.add_argument("--site-url", default="http://127.0.0.1:8000")

    def handle(self, *args, sandbox_url, site_url, **options):
        site = Site.objects.get(is_default_site=True)
        settings, _ = SalesmanagoSettings.objects.update_or_create(
            site=site,
            defaults={
                "endpoint": sandbox_url,
                "client_id": DEFAULT_CLIENT_ID,
                "api_secret": DEFAULT_API_SECRET,
                "owner_email": DEFAULT_OWNER,
            },
        )
        page = self.survey_page(site)
        contact_id = account_for_site(site, settings).get_client().upsert(
            mapping.upsert_body(owner=DEFAULT_OWNER, email=DEMO_CONTACT, properties={}, tags=["DEMO"])
        )["contactId"]
        password = self.admin_password()

        survey_url = site_url + page.url
        self.stdout.write(
            f"\n  Survey:         {survey_url}\n"
            f"  As the demo contact ({DEMO_CONTACT}):\n"
            f"                  {survey_url}?smclientid={contact_id}\n"
            f"  Admin:          {site_url}/admin/  (user: admin, password: {password})\n"
            f"  Edit the survey: {site_url}/admin/pages/{page.pk}/edit/\n"
            f"  Sandbox:        {sandbox_url}/sandbox/  (contacts.json, requests.json)\n"
        )

    def survey_page(self, site):
        page = SurveyPage.objects.filter(slug=SLUG).first()
        if page is None:
            page = SurveyPage(
                title="Badanie satysfakcji",
                slug=SLUG,
                intro="<p>Dziękujemy, że z nami jesteś. Odpowiedz na cztery krótkie pytania.</p>",
                thank_you_text="<p>Dziękujemy! Twoje odpowiedzi trafiły do nas.</p>",
                salesmanago_enabled=True,
                salesmanago_tag="badanie satysfakcji",
            )
            site.root_page.add_child(instance=page)
            for order, (label, field_type, choices, required) in enumerate(QUESTIONS):
                FormField.objects.create(
                    page=page, sort_order=order, label=label, field_type=field_type,
                    choices=choices, required=required,
                )
            page.save_revision().publish()
        return page

    def admin_password(self):
        user, _ = get_user_model().objects.get_or_create(
            username="admin", defaults={"email": "admin@example.com"}
        )
        password = secrets.token_urlsafe(9)
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        return password
