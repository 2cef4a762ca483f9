"""System checks (``manage.py check``; the database ones with ``--database default``)."""

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from . import conf
from .account import FIELDS, SETTING, account_for_site


def is_http(endpoint):
    return str(endpoint or "").strip().lower().startswith("http://")


@register()
def check_settings_dict(app_configs=None, **kwargs):
    """W002 for an http:// endpoint outside DEBUG; E003 for keys the app does not know."""
    problems = []
    for site_key, values in (getattr(settings, SETTING, None) or {}).items():
        unknown = sorted(set(values) - set(FIELDS))
        if unknown:
            problems.append(Error(
                f"{SETTING}[{site_key!r}] has unknown keys: {', '.join(unknown)}.",
                hint=f"Use only: {', '.join(FIELDS)}.",
                id="wagtail_salesmanago.E003",
            ))
        if is_http(values.get("endpoint")) and not (settings.DEBUG or conf.get("ALLOW_HTTP")):
            problems.append(http_warning(f"{SETTING}[{site_key!r}]"))
    return problems


@register()
def check_time_limits(app_configs=None, **kwargs):
    """E004 for a TIMEOUT or DEADLINE option that is not seconds (every delivery would fail)."""
    try:
        conf.deadline(conf.timeouts())
    except ImproperlyConfigured as err:
        return [Error(str(err), id="wagtail_salesmanago.E004")]
    return []


def http_warning(where):
    return Warning(
        f"{where}: the SALESmanago endpoint uses plain http://, so answers travel unencrypted.",
        hint="Use https:// (or a bare host name), or set WAGTAIL_SALESMANAGO_ALLOW_HTTP = True "
             "for a local sandbox.",
        id="wagtail_salesmanago.W002",
    )


@register(Tags.database)
def check_sites(app_configs=None, databases=None, **kwargs):
    """W001 for sites whose exporting form pages have no credentials; W002 for stored http://."""
    from wagtail.models import Site

    from .models import SalesmanagoFormMixin

    problems = []
    try:
        for site in Site.objects.all():
            account = account_for_site(site)
            exporting = sum(
                model.objects.live().descendant_of(site.root_page, inclusive=True)
                .filter(salesmanago_enabled=True).count()
                for model in apps.get_models()
                if issubclass(model, SalesmanagoFormMixin)
            )
            if exporting and account.missing():
                problems.append(Warning(
                    f"{exporting} form page(s) of site {site} export to SALESmanago, but the site "
                    f"has no {', '.join(account.missing())}; their answers cannot be sent.",
                    hint="Fill them in under Settings > SALESmanago, or in WAGTAIL_SALESMANAGO.",
                    id="wagtail_salesmanago.W001",
                ))
            if is_http(account.endpoint) and "endpoint" not in account.from_config and not (
                settings.DEBUG or conf.get("ALLOW_HTTP")
            ):
                problems.append(http_warning(f"Settings > SALESmanago of site {site}"))
    except DatabaseError:
        return []  # not migrated yet
    return problems
