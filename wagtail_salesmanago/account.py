"""The one settings reader: which SALESmanago account a site exports to.

Each value comes from the Django setting ``WAGTAIL_SALESMANAGO`` (the site's hostname entry, then
``"default"``) when set there, else from the site's Settings > SALESmanago in the admin.
"""

from dataclasses import dataclass

from django.conf import settings as django_settings

from .client import SalesmanagoClient
from .exceptions import NotConfigured
from .mapping import DEFAULT_DETAIL_PREFIX

SETTING = "WAGTAIL_SALESMANAGO"
FIELDS = ("endpoint", "client_id", "api_secret", "owner_email", "detail_prefix")
REQUIRED = ("endpoint", "client_id", "api_secret", "owner_email")
LABELS = {
    "endpoint": "endpoint",
    "client_id": "client ID",
    "api_secret": "API secret",
    "owner_email": "owner e-mail",
    "detail_prefix": "detail prefix",
}


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
    from_config: frozenset = frozenset()

    def __repr__(self):
        return f"<Account site={self.site} endpoint={self.endpoint!r}>"

    def missing(self):
        return [name for name in REQUIRED if not str(getattr(self, name) or "").strip()]

    def get_client(self):
        """A client for this account; ``NotConfigured`` naming both ways to fix what is missing."""
        missing = self.missing()
        if missing:
            raise NotConfigured(
                f"SALESmanago is not set up for site {self.site}: {', '.join(LABELS[m] for m in missing)} "
                f"missing. Fill them in under Settings > SALESmanago in the Wagtail admin, or set them "
                f"in {SETTING} in the Django settings."
            )
        return SalesmanagoClient(self.endpoint, self.client_id, self.api_secret)


def account_for_site(site, stored=None):
    """The account of ``site``: configuration values first, then the stored settings."""
    from .models import SalesmanagoSettings

    if stored is None:
        stored = SalesmanagoSettings.for_site(site)
    config = configured(site.hostname) if site else {}
    values = {name: config.get(name, getattr(stored, name)) for name in FIELDS}
    return Account(site=site, from_config=frozenset(config) & set(FIELDS), **values)
