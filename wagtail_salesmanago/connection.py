"""'Test connection' in Settings > SALESmanago: what is wrong with the keys, in words."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST
from wagtail.models import Site

from .account import FIELDS, LABELS, account_for_site, is_user
from .exceptions import AuthenticationError, SalesmanagoError, TransientError


@dataclass
class Outcome:
    ok: bool
    message: str
    users: list = field(default_factory=list)


def test_connection(account):
    """Call SALESmanago with ``account`` and say, in words, whether it works and if not why."""
    missing = account.missing()
    if missing:
        return Outcome(False, _("Fill in %(fields)s first.") % {
            "fields": ", ".join(_(LABELS[name]) for name in missing)})
    client = account.get_client()
    try:
        users = client.list_users(account.owner_email.strip())
    except TransientError as err:
        return Outcome(False, transient_message(err, client.base_url))
    except AuthenticationError as err:
        if "clientid" in (err.api_message or "").lower():
            return Outcome(False, _("SALESmanago does not know this client ID."))
        return Outcome(False, _(
            "SALESmanago rejected the client ID or the API secret (it said: %(message)s)."
        ) % {"message": err.api_message})
    except SalesmanagoError as err:
        return Outcome(False, _("SALESmanago refused the request: %(error)s") % {"error": err})
    if not is_user(account.owner_email, users):
        return Outcome(False, _(
            "%(owner)s is not a user of this SALESmanago account. Its users: %(users)s."
        ) % {"owner": account.owner_email, "users": ", ".join(users) or "-"}, users)
    return Outcome(True, _("Connected to SALESmanago. The account's users: %(users)s.") % {
        "users": ", ".join(users)}, users)


def transient_message(err, url):
    host = url.split("://", 1)[-1]
    if err.kind == "dns":
        return _("The endpoint host %(host)s does not resolve. Check the endpoint.") % {"host": host}
    if err.kind == "unreachable":
        return _("Nothing answers at %(url)s. Check the endpoint.") % {"url": url}
    if err.kind == "timeout":
        return _("SALESmanago at %(url)s did not answer in time.") % {"url": url}
    return _("SALESmanago at %(url)s answered with an error: %(error)s") % {"url": url, "error": err}


@sensitive_post_parameters("api_secret")
@sensitive_variables()
@require_POST
def test_connection_view(request, site_id):
    """Test the credentials typed into the settings form (blank ones: the stored ones).

    The stored secret is only used with the stored endpoint and client ID, and nothing is sent
    to an endpoint this site may not call.
    """
    from .models import SalesmanagoSettings

    if not request.user.has_perm("wagtail_salesmanago.change_salesmanagosettings"):
        raise PermissionDenied
    site = get_object_or_404(Site, pk=site_id)
    stored = SalesmanagoSettings.for_site(site)
    current = account_for_site(site, stored)
    # What the server configuration sets cannot be changed here, so typed values for it are ignored.
    typed = {name: request.POST.get(name, "").strip() for name in FIELDS
             if name not in current.from_config}
    for name, value in typed.items():
        if value:
            setattr(stored, name, value)
    account = account_for_site(site, stored)
    error = account.endpoint_error() or (
        "" if typed.get("api_secret")
        else current.secret_error(typed.get("endpoint"), typed.get("client_id"))
    )
    if error:
        return answer(Outcome(False, str(error)))
    return answer(test_connection(account))


def answer(outcome):
    return JsonResponse({"ok": outcome.ok, "message": outcome.message, "users": outcome.users})
