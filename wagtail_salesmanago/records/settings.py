from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from ..payload.mapping import DEFAULT_DETAIL_PREFIX


@register_setting(icon="mail")
class SalesmanagoSettings(BaseSiteSetting):
    """The SALESmanago account a site's forms export to (Settings > SALESmanago)."""

    endpoint = models.CharField(
        verbose_name=_("endpoint"),
        max_length=255,
        blank=True,
        help_text=_(
            "Your account's API server, e.g. app3.salesmanago.pl (SALESmanago: Settings > "
            "Integration > API). A full URL such as http://127.0.0.1:8765 is accepted too."
        ),
    )
    client_id = models.CharField(verbose_name=_("client ID"), max_length=255, blank=True)
    api_secret = models.CharField(verbose_name=_("API secret"), max_length=255, blank=True)
    owner_email = models.EmailField(
        verbose_name=_("owner e-mail"),
        blank=True,
        help_text=_("The SALESmanago user who owns the contacts these forms create."),
    )
    detail_prefix = models.CharField(
        verbose_name=_("detail prefix"),
        max_length=50,
        default=DEFAULT_DETAIL_PREFIX,
        help_text=_("Put before each question to name its custom detail in SALESmanago."),
    )
    identify_by_cookie = models.BooleanField(
        verbose_name=_("Recognise returning contacts by SALESmanago's cookie"),
        default=True,
        help_text=_(
            "SALESmanago's monitoring code keeps a known contact's ID in the cookie “smclient”. "
            "When a form has no e-mail answer and the visitor came without a SALESmanago link, "
            "the answers update the contact that cookie names."
        ),
    )
    trust_typed_email = models.BooleanField(
        verbose_name=_("When both exist, trust the typed e-mail"),
        default=False,
        help_text=_(
            "A visitor may arrive with a SALESmanago link (?smclientid=) and type an e-mail too. "
            "By default the link's contact is updated; tick this to file the answers under the "
            "typed e-mail instead (someone may have forwarded the link)."
        ),
    )

    ignored_domains = models.TextField(
        verbose_name=_("ignored e-mail domains"),
        blank=True,
        help_text=_(
            "One domain per line, e.g. mailinator.com. An answer by an e-mail at one of them (or "
            "at a subdomain) is stored and listed as quarantined, never sent unless staff send "
            "it anyway from the deliveries log."
        ),
    )

    send_attribution = models.BooleanField(
        verbose_name=_("Send where visitors came from"),
        default=True,
        help_text=_(
            "With each answer: the campaign parameters of the address the visitor first landed "
            "on (utm_source, utm_medium, utm_campaign, utm_term, utm_content), the other site "
            "that sent them and the landing page, as custom details and in the form's event. A "
            "browser-session cookie keeps them while the visitor moves between pages."
        ),
    )
    attribution_prefix = models.CharField(
        verbose_name=_("attribution detail prefix"),
        max_length=50,
        blank=True,
        default=DEFAULT_DETAIL_PREFIX,
        help_text=_("Put before utm_source, utm_medium, …, referrer and landing_page to name "
                    "their custom details."),
    )

    monitoring_code = models.BooleanField(
        verbose_name=_("Add SALESmanago's monitoring code to the site's pages"),
        default=False,
        help_text=_(
            "SALESmanago's tracking script (sm.js), for pages whose template has "
            "{% salesmanago_monitoring_code %}. It sets the cookie “smclient” that recognises "
            "returning contacts."
        ),
    )
    monitoring_waits_for_consent = models.BooleanField(
        verbose_name=_("Start it only after the visitor's consent"),
        default=True,
        help_text=_(
            "Tracking cookies need consent in the EU: the code waits until your cookie banner "
            "says the visitor agreed (see the documentation). Untick only if the site asks for "
            "consent some other way."
        ),
    )
    monitoring_popups = models.BooleanField(
        verbose_name=_("Show SALESmanago's pop-ups"), default=False)
    monitoring_cookie_days = models.PositiveIntegerField(
        verbose_name=_("Keep the contact cookie for (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("From 1 to 3650. Empty: SALESmanago's own default."),
    )

    retention_days = models.PositiveIntegerField(
        verbose_name=_("Keep the answers in deliveries for (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(36500)],
        help_text=_(
            "After that many days, salesmanago_retention removes the answers from every "
            "delivery of this site's forms (e-mail, values, IP address, what was sent), whatever "
            "its state; the status, dates, form and SALESmanago's contact ID stay. A form may set "
            "its own. Empty: keep them."
        ),
    )

    digest_to = models.CharField(
        verbose_name=_("daily digest to"),
        max_length=1000,
        blank=True,
        help_text=_(
            "E-mail addresses, separated by commas, for a daily e-mail of yesterday's "
            "deliveries from this site's forms, with why any failed. ADMINS stands for the "
            "addresses in the server's ADMINS setting. Nothing is sent on a day without answers. "
            "Leave empty for no e-mail."
        ),
    )

    # Its screen (``base_form_class`` and ``panels``) is the admin's: admin/settings_form.py.

    class Meta:
        verbose_name = _("SALESmanago")

    #: In ``digest_to``: the site's ``ADMINS``.
    ADMINS = "ADMINS"

    def digest_recipients(self, admins=()):
        """The addresses ``digest_to`` names, ``ADMINS`` replaced by ``admins``' (Django's
        ``ADMINS``: (name, address) pairs, or addresses), each once, in order."""
        recipients = []
        for entry in (part.strip() for part in self.digest_to.split(",")):
            named = ([a if isinstance(a, str) else a[1] for a in admins]
                     if entry.upper() == self.ADMINS else [entry] if entry else [])
            recipients += [address for address in named if address not in recipients]
        return recipients

    def __repr__(self):
        # The default repr would do; this one just makes sure the secret never shows.
        return f"<SalesmanagoSettings site={self.site_id} endpoint={self.endpoint!r}>"
