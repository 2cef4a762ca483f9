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


@register()
def check_form_pages_export(app_configs=None, **kwargs):
    """W004 for a form page whose answers would never reach the export: a
    ``process_form_submission`` that calls neither ``super()`` nor ``export_to_salesmanago``
    (its own, or a base class's before ``SalesmanagoFormMixin`` in its MRO)."""
    return [
        Warning(
            f"{model._meta.label}: {stops.__qualname__}.process_form_submission calls neither "
            "super().process_form_submission nor export_to_salesmanago, so its answers are "
            "stored but never sent to SALESmanago, while its editor shows export as on.",
            hint="Call self.export_to_salesmanago(form, submission) once the submission is "
                 "stored, or put SalesmanagoFormMixin first among the page's base classes. "
                 "If your page exports in a way this check cannot see, add "
                 "wagtail_salesmanago.W004 to SILENCED_SYSTEM_CHECKS.",
            obj=model, id="wagtail_salesmanago.W004",
        )
        for model in apps.get_models() if issubclass(model, SalesmanagoFormMixin)
        for stops in [export_stopped_by(model)] if stops is not None
    ]


def export_stopped_by(page_class):
    """The class whose ``process_form_submission`` runs before ``SalesmanagoFormMixin``'s and
    reaches neither it (through ``super()``) nor ``export_to_salesmanago``; ``None`` if none."""
    for klass in page_class.__mro__:
        if klass is SalesmanagoFormMixin:
            return None
        method = vars(klass).get("process_form_submission")
        if method is None:
            continue
        names = names_used(getattr(method, "__code__", None))
        if "export_to_salesmanago" in names:
            return None
        if "process_form_submission" not in names:
            return klass
    return None


def names_used(code):
    """The attribute and global names a function's code uses, in nested functions too."""
    if code is None:
        return set()
    return set(code.co_names).union(*(
        names_used(const) for const in code.co_consts if hasattr(const, "co_names")))
