"""System checks (``manage.py check``; the database ones with ``--database default``)."""

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import DatabaseError
from django.utils.translation import override
from wagtail.models import Site

from . import conf
from .api.endpoint import validate_endpoint
from .delivery.account import FIELDS, SETTING, account_for_site
from .models import SalesmanagoFormMixin

ENDPOINT_HINT = (
    "Use a host name such as app3.salesmanago.pl or https://app3.salesmanago.pl, without a path, "
    "query, fragment or user name; plain http:// and other ports need DEBUG or "
    "WAGTAIL_SALESMANAGO_ALLOW_HTTP = True (a local sandbox)."
)


@register()
def check_settings_dict(app_configs=None, **kwargs):
    """E003 for keys the app does not know; E004 for an endpoint the app will not call."""
    problems = []
    for site_key, values in (getattr(settings, SETTING, None) or {}).items():
        unknown = sorted(set(values) - set(FIELDS))
        if unknown:
            problems.append(Error(
                f"{SETTING}[{site_key!r}] has unknown keys: {', '.join(unknown)}.",
                hint=f"Use only: {', '.join(FIELDS)}.",
                id="wagtail_salesmanago.E003",
            ))
        error = endpoint_problem(values.get("endpoint"))
        if error:
            problems.append(Error(
                f"{SETTING}[{site_key!r}]['endpoint'] is not used: {error}",
                hint=ENDPOINT_HINT,
                id="wagtail_salesmanago.E004",
            ))
    return problems


def endpoint_problem(endpoint):
    """What is wrong with a set ``endpoint``, in English (for the checks' output), or ""."""
    if not str(endpoint or "").strip():
        return ""
    with override("en"):
        try:
            validate_endpoint(endpoint)
        except ValidationError as err:
            return " ".join(err.messages)
    return ""


@register()
def check_time_limits(app_configs=None, **kwargs):
    """E005 for a TIMEOUT or DEADLINE option that is not seconds (every delivery would fail);
    W003 for a deadline that a claim does not outlast twice over."""
    try:
        deadline = conf.deadline(conf.timeouts())
    except ImproperlyConfigured as err:
        return [Error(str(err), id="wagtail_salesmanago.E005")]
    claim = conf.get("CLAIM_SECONDS")
    if 2 * deadline > claim:
        # A send takes at most one deadline of calls, plus its bookkeeping: a claim lapsing
        # before the answer is stored lets another sender send the record again.
        return [Warning(
            f"WAGTAIL_SALESMANAGO_DEADLINE ({deadline:g} s) is more than half of "
            f"WAGTAIL_SALESMANAGO_CLAIM_SECONDS ({claim:g} s): a slow delivery may be claimed "
            "and sent again before its answer is stored.",
            hint="Make CLAIM_SECONDS at least twice the DEADLINE (the TIMEOUT values added, "
                 "when DEADLINE is not set).",
            id="wagtail_salesmanago.W003",
        )]
    return []


@register()
def check_batch_size(app_configs=None, **kwargs):
    """E006 for a BATCH_SIZE option a drain could not use (every backlog would stop at it)."""
    try:
        conf.batch_size()
    except ImproperlyConfigured as err:
        return [Error(str(err), id="wagtail_salesmanago.E006")]
    return []


@register(Tags.database)
def check_sites(app_configs=None, databases=None, **kwargs):
    """W001 for sites whose exporting form pages have no credentials; W002 for a stored endpoint
    the app will not call."""
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
            error = "" if "endpoint" in account.from_config else endpoint_problem(account.endpoint)
            if error:
                problems.append(Warning(
                    f"Settings > SALESmanago of site {site}: the endpoint is not used: {error}",
                    hint=ENDPOINT_HINT,
                    id="wagtail_salesmanago.W002",
                ))
    except DatabaseError:
        return []  # not migrated yet
    return problems
