"""Set up the demo (idempotently): settings -> sandbox, a Polish survey, a lead form, a demo contact,
an admin."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from wagtail.models import Site

from survey.models import FormField, SurveyPage
from wagtail_salesmanago.delivery.account import account_for_site
from wagtail_salesmanago.models import SalesmanagoSettings
from wagtail_salesmanago.payload import mapping
from wagtail_salesmanago.sandbox import (
    DEFAULT_API_SECRET,
    DEFAULT_CLIENT_ID,
    DEFAULT_OWNER,
)

SURVEY = {
    "title": "Badanie satysfakcji",
    "slug": "badanie-satysfakcji",
    "intro": "<p>Dziękujemy, że z nami jesteś. Odpowiedz na cztery krótkie pytania.</p>",
    "thank_you_text": "<p>Dziękujemy! Twoje odpowiedzi trafiły do nas.</p>",
    "salesmanago_tag": "badanie satysfakcji",
}
# (label, field type, choices, required, SALESmanago target, consent name[, tag mode])
SURVEY_QUESTIONS = [
    ("Twój adres e-mail", "email", "", False, "detail", ""),
    ("Jak oceniasz naszą obsługę?", "radio", "Bardzo dobrze\nDobrze\nŚrednio\nŹle", True, "detail", ""),
    ("Z czego korzystałeś?", "checkboxes", "Sklep internetowy\nInfolinia\nSalon stacjonarny", False,
     "detail", ""),
    ("Co możemy poprawić?", "multiline", "", False, "detail", ""),
]
# A lead form: the answers fill the contact card, the consent asks for SALESmanago's confirmation
# e-mail, the SMS consent opts the phone in, the industry tags the contact (the demo's sandbox
# account has the consents NEWSLETTER and SMS).
LEADS = {
    "title": "Zapisz się na newsletter",
    "slug": "newsletter",
    "intro": "<p>Raz w miesiącu: nowości i oferty dla firm. Zostaw swoje dane, a odezwiemy się.</p>",
    "thank_you_text": "<p>Dziękujemy! Sprawdź skrzynkę: wysłaliśmy e-mail z prośbą o potwierdzenie "
                      "zapisu.</p>",
    "salesmanago_tag": "newsletter, lead",
    "salesmanago_double_opt_in": True,
    "salesmanago_double_opt_in_email_id": "demo-potwierdzenie-newslettera",
    "salesmanago_double_opt_in_language": "PL",
}
CONSENT = "NEWSLETTER"
SMS_CONSENT = "SMS"
LEAD_QUESTIONS = [
    ("Imię i nazwisko", "singleline", "", True, "name", ""),
    ("Adres e-mail", "email", "", True, "detail", ""),
    ("Telefon", "singleline", "", False, "phone", ""),
    ("Firma", "singleline", "", False, "company", ""),
    ("Branża", "dropdown", "Handel\nUsługi\nProdukcja\nIT", False, "detail", "", "value"),
    ("Chcę otrzymywać newsletter", "checkbox", "", False, "consent", CONSENT),
    ("Zgadzam się na SMS-y z ofertami", "checkbox", "", False, "sms_consent", SMS_CONSENT),
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
                # A throwaway-address service: its answers are quarantined, not sent.
                "ignored_domains": "mailinator.com",
                # SALESmanago's monitoring code (the sandbox's sm.js), after the visitor's consent.
                "monitoring_code": True,
            },
        )
        survey = self.form_page(site, SURVEY, SURVEY_QUESTIONS)
        leads = self.form_page(site, LEADS, LEAD_QUESTIONS)
        contact_id = account_for_site(site, settings).get_client().upsert(
            mapping.upsert_body(owner=DEFAULT_OWNER, email=DEMO_CONTACT, properties={}, tags=["DEMO"])
        )["contactId"]
        password = self.admin_password()

        survey_url = site_url + survey.url
        self.stdout.write(
            f"\n  Survey:         {survey_url}\n"
            f"  As the demo contact ({DEMO_CONTACT}):\n"
            f"                  {survey_url}?smclientid={contact_id}\n"
            f"  Lead form:      {site_url + leads.url}  (name, phone, company, consents {CONSENT}\n"
            f"                  and {SMS_CONSENT}, double opt-in: the contact card shows it all)\n"
            f"  Admin:          {site_url}/admin/  (user: admin, password: {password})\n"
            f"  Edit the survey: {site_url}/admin/pages/{survey.pk}/edit/\n"
            f"  Edit the lead form: {site_url}/admin/pages/{leads.pk}/edit/\n"
            f"  Sandbox:        {sandbox_url}/sandbox/  (contacts.json, requests.json)\n"
        )

    def form_page(self, site, fields, questions):
        page = SurveyPage.objects.filter(slug=fields["slug"]).first()
        if page is None:
            page = SurveyPage(salesmanago_enabled=True, **fields)
            site.root_page.add_child(instance=page)
            for order, (label, field_type, choices, required, target, consent, *tag_mode) in (
                    enumerate(questions)):
                FormField.objects.create(
                    page=page, sort_order=order, label=label, field_type=field_type,
                    choices=choices, required=required, salesmanago_target=target,
                    salesmanago_consent_name=consent, salesmanago_tag_mode="".join(tag_mode),
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
