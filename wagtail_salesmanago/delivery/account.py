"""The one settings reader: which SALESmanago account a site exports to.

Each value comes from the Django setting ``WAGTAIL_SALESMANAGO`` (the site's hostname entry, then
``"default"``) when set there, else from the site's Settings > SALESmanago in the admin.
"""

import logging
from dataclasses import dataclass

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables
from wagtail.models import Site

from .. import stored_messages
from ..api.client import SalesmanagoClient
from ..api.endpoint import same_endpoint, validate_endpoint
from ..api.exceptions import NotConfigured
from ..payload.mapping import DEFAULT_DETAIL_PREFIX
from ..records import DeliveryPause, SalesmanagoSettings
from . import retry, settle

logger = logging.getLogger(__name__)
SETTING = "WAGTAIL_SALESMANAGO"
FIELDS = (
    "endpoint", "client_id", "api_secret", "owner_email", "detail_prefix", "identify_by_cookie",
    "trust_typed_email", "ignored_domains", "send_attribution", "attribution_prefix",
    "retention_days",
)
REQUIRED = ("endpoint", "client_id", "api_secret", "owner_email")
#: Each setting's name in the reader's language (the editor's preview and the export say what
#: is missing); stored messages name them by code (``stored_messages.SETTING_LABELS``).
LABELS = {name: _(label) for name, label in stored_messages.SETTING_LABELS.items()}


SECRET_AGAIN = _(
    "You changed the endpoint or the client ID: type the API secret again. The stored secret "
    "only signs for the endpoint and client ID it was saved with."
)
SECRET_FIXED = _(
    "The API secret is set in the server configuration, so change the endpoint and the client ID "
    "there too."
)


@sensitive_variables()
def configured(hostname):
    """The values the server configuration sets for a site (hostname entry over ``default``)."""
    config = getattr(django_settings, SETTING, None) or {}
    return {**config.get("default", {}), **config.get(hostname, {})}


@dataclass
class Account:
    """A site's SALESmanago credentials and options, and where each value came from."""

    site: object
    endpoint: str = ""
    client_id: str = ""
    api_secret: str = ""
    owner_email: str = ""
    detail_prefix: str = DEFAULT_DETAIL_PREFIX
    identify_by_cookie: bool = True
    trust_typed_email: bool = False
    #: one domain per line (``quarantine``); a list in the server configuration is joined
    ignored_domains: str = ""
    send_attribution: bool = True
    attribution_prefix: str = DEFAULT_DETAIL_PREFIX
    #: days the answers are kept in deliveries (``None``: for ever; see ``retention``)
    retention_days: int = None
    from_config: frozenset = frozenset()

    def __repr__(self):
        return f"<Account site={self.site} endpoint={self.endpoint!r}>"

    def missing(self):
        return [name for name in REQUIRED if not str(getattr(self, name) or "").strip()]

    def endpoint_error(self):
        """Why this site may not call its (set) endpoint, in words; "" when it may."""
        try:
            validate_endpoint(self.endpoint)
        except ValidationError as err:
            return " ".join(err.messages)
        return ""

    def identity_changes(self, endpoint, client_id):
        """Which of a typed ``endpoint`` and ``client_id`` name another account than this one's."""
        changes = []
        if endpoint and not same_endpoint(endpoint, self.endpoint):
            changes.append("endpoint")
        if client_id and str(client_id).strip() != str(self.client_id or "").strip():
            changes.append("client_id")
        return changes

    def secret_error(self, endpoint, client_id):
        """Why this account's secret may not sign for a typed ``endpoint`` and ``client_id``, or "".

        The stored secret stays with the endpoint and client ID it was stored with, so that
        nobody can make it sign requests for another server without knowing it.
        """
        if not self.api_secret or not self.identity_changes(endpoint, client_id):
            return ""
        return SECRET_FIXED if "api_secret" in self.from_config else SECRET_AGAIN

    @sensitive_variables()
    def get_client(self, **client_options):
        """A client for this account (``client_options`` go to the client, e.g. ``timeout``);
        ``NotConfigured`` naming both ways to fix what is missing."""
        missing = self.missing()
        if missing:
            raise NotConfigured(stored_messages.message(
                "not_set_up", site=str(self.site), setting=SETTING, missing=stored_messages.join(
                    *(stored_messages.message(f"setting.{name}") for name in missing), sep=", "),
            ))
        error = self.endpoint_error()
        if error:
            site = str(self.site)
            raise NotConfigured(
                stored_messages.message("endpoint_unused", site=site, where=SETTING, reason=error)
                if "endpoint" in self.from_config
                else stored_messages.message("endpoint_unused_admin", site=site, reason=error)
            )
        return SalesmanagoClient(self.endpoint, self.client_id, self.api_secret, **client_options)


@sensitive_variables()
def account_for_site(site, stored=None):
    """The account of ``site``: configuration values first, then the stored settings."""
    if stored is None:
        stored = SalesmanagoSettings.for_site(site)
    config = configured(site.hostname) if site else {}
    values = {name: config.get(name, getattr(stored, name)) for name in FIELDS}
    if isinstance(values["ignored_domains"], (list, tuple)):
        values["ignored_domains"] = "\n".join(map(str, values["ignored_domains"]))
    return Account(site=site, from_config=frozenset(config) & set(FIELDS), **values)


def account_for_page(page):
    """The account of the page's site (``page.get_site()``'s), read with the site in one
    statement; ``None`` for a page outside every site.

    Nothing is cached between requests: a cache would need a signal shared by every process to
    drop a saved secret, and this one indexed read costs about what a shared cache's round trip does.
    """
    parts = page.get_url_parts()  # from Wagtail's cached site root paths: no query
    if parts is None:
        return None
    stored = SalesmanagoSettings.objects.select_related("site").filter(site_id=parts[0]).first()
    if stored is None:  # the site's first export: Wagtail creates its settings row
        return account_for_site(Site.objects.get(pk=parts[0]))
    return account_for_site(stored.site, stored)


def is_user(owner, users):
    """Whether ``owner`` is one of the account's ``users`` (e-mails, compared as SALESmanago does:
    without case or surrounding spaces)."""
    return str(owner or "").strip().lower() in [str(user).strip().lower() for user in users]


def every_account():
    """Each site's account, in site order, read in two queries whatever their number (no
    settings row is made for a site without one)."""
    stored = {settings.site_id: settings for settings in SalesmanagoSettings.objects.all()}
    return [account_for_site(site, stored.get(site.pk) or SalesmanagoSettings())  # the defaults
            for site in Site.objects.order_by("pk")]


def same_account(one, other):
    """Whether two sites' accounts are one SALESmanago account: the same endpoint and client ID."""
    client_id = str(one.client_id or "").strip()
    return bool(client_id and one.endpoint and other.endpoint
                and same_endpoint(one.endpoint, other.endpoint)
                and str(other.client_id or "").strip() == client_id)


def others_sharing(account):
    """The other sites whose deliveries go to ``account``'s SALESmanago account."""
    return [other.site for other in every_account()
            if other.site.pk != account.site.pk and same_account(account, other)]


def pause_calls(account, error, now):
    """If ``error`` (of a call answered at ``now``) is SALESmanago asking ``account`` for fewer
    calls (``settle.throttles_site``), no site that calls it calls again before the pause ends
    (``retry.pause_end``; ``DeliveryPause``), its own first. Best effort, after the call's outcome
    is stored: a pause that could not be stored costs one more "too many requests", nothing
    else."""
    if not settle.throttles_site(error):
        return
    until = retry.pause_end(error, now)
    try:
        DeliveryPause.objects.extend(account.site, until)
        others = others_sharing(account)
    except Exception:
        logger.exception("Could not pause the SALESmanago calls of site %s.", account.site)
        return
    for site in others:
        try:
            DeliveryPause.objects.extend(site, until)
        except Exception:
            logger.exception("Could not pause the SALESmanago calls of site %s.", site)
