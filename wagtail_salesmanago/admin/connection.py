"""Whether SALESmanago accepts a site's keys: 'Test connection' in Settings > SALESmanago (what is
wrong, in words), and 'Check now' on a hold's notice. Either, passing, lifts the site's hold."""

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST
from wagtail.contrib.settings.views import get_setting_edit_handler
from wagtail.models import Site

from .. import conf, stored_messages
from ..api.exceptions import AuthenticationError, SalesmanagoError, TransientError
from ..delivery import outbox
from ..delivery.account import LABELS, account_for_site, is_user
from ..records import DeliveryHold, DeliveryPause, SalesmanagoSettings
from . import display
from .permissions import holds_seen_by


@dataclass
class Outcome:
    ok: bool
    message: str
    users: list = field(default_factory=list)


# Saving waits for the test; a slow SALESmanago must not hold the settings screen for long.
SAVE_TEST_TIMEOUT = (3, 5)


def test_connection(account, **client_options):
    """Call SALESmanago with ``account`` and say, in words, whether it works and if not why."""
    missing = account.missing()
    if missing:
        return Outcome(False, _("Fill in %(fields)s first.") % {
            "fields": ", ".join(str(LABELS[name]) for name in missing)})
    client = account.get_client(**client_options)
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
        return Outcome(False, _("SALESmanago refused the request: %(error)s") % {
            "error": in_words(err)})
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
    if err.kind == "throttled":
        return _(
            "SALESmanago at %(url)s asked for fewer calls for now (HTTP %(status)s), so the "
            "credentials could not be checked: try again in a while. Deliveries meanwhile wait "
            "and go by themselves."
        ) % {"url": url, "status": err.status_code}
    if err.kind == "server" and is_web_page(err.response):
        return _(
            "The server at %(url)s answered with an error page (HTTP %(status)s), not as "
            "SALESmanago's API answers: check the endpoint (SALESmanago: Settings > Integration "
            "> API). If it is right, SALESmanago may be down for now."
        ) % {"url": url, "status": err.status_code}
    return _("SALESmanago at %(url)s answered with an error: %(error)s") % {
        "url": url, "error": in_words(err)}


def is_web_page(response):
    """Whether an answer is a web page (HTML), not the JSON SALESmanago's API answers with."""
    return response is not None and response.content.lstrip()[:1] == b"<"


def in_words(err):
    """The error in the reader's language (SALESmanago's words and the call as they are)."""
    return stored_messages.render(err)


@sensitive_post_parameters("api_secret")
@sensitive_variables()
@require_POST
def test_connection_view(request, site_id):
    """Test the values typed into the settings form, checked exactly as saving checks them.

    A blank field is blank, except the secret: a blank secret is the stored one, which is only
    used with the stored endpoint and client ID, and nothing is sent to an endpoint this site may
    not call.
    """
    if not request.user.has_perm("wagtail_salesmanago.change_salesmanagosettings"):
        raise PermissionDenied
    site = get_object_or_404(Site, pk=site_id)
    form_class = get_setting_edit_handler(SalesmanagoSettings).get_form_class()
    stored = SalesmanagoSettings.for_site(site)
    # The screen posts every field (a blank one as ""); a field left out of the post entirely
    # (a script calling this view) keeps its stored value, but never the secret: a missing secret
    # goes through the form's rule for a blank one. Check boxes post nothing when unticked.
    data = request.POST.copy()
    boxes = {name for name, box in form_class.base_fields.items()
             if isinstance(box, forms.BooleanField)}
    for name in set(form_class.base_fields) - set(data) - boxes - {"api_secret"}:
        data[name] = getattr(stored, name) or ""
    form = form_class(data, instance=stored, for_user=request.user)
    if not form.is_valid():
        return answer(Outcome(False, " ".join(
            message for errors in form.errors.values() for message in errors)))
    # The form filled its (unsaved) instance with the typed values; the database is unchanged.
    account = account_for_site(site, form.instance)
    outcome = test_connection(account)
    if outcome.ok:
        outcome.message = " ".join(filter(None, [outcome.message, lifted(site, account)]))
    return answer(outcome)


def lifted(site, account):
    """After a passing test of ``account``: lift the site's hold if it is for these very
    credentials, and say so ("" when there was none to lift)."""
    released = outbox.connection_confirmed(site, account)
    if released is None:
        return ""
    return ngettext(
        "The hold on deliveries is lifted: %(count)d waiting delivery is due again now.",
        "The hold on deliveries is lifted: %(count)d waiting deliveries are due again now.",
        len(released)) % {"count": len(released)}


def check_hold_view(request, site_id):
    """GET: ask whether to check a held site's credentials now; POST: check them (one call)
    and lift the hold if SALESmanago accepts them. Back to ``next`` (the screen it was asked
    from), else the deliveries log."""
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    back = back or reverse("wagtail_salesmanago_deliveries:index")
    hold = holds_seen_by(DeliveryHold.objects.with_waiting(), request.user).filter(
        site_id=site_id).select_related("site").first()
    if hold is None:
        messages.info(request, _("Deliveries to SALESmanago from this site are not on hold."))
        return redirect(back)
    if request.method != "POST":
        return TemplateResponse(request, "wagtail_salesmanago/check_hold_confirm.html",
                                {"hold": hold, "next": back})
    paused = DeliveryPause.objects.until(hold.site, timezone.now())
    if paused is not None:  # no call at all during a pause, not even this check
        messages.warning(request, _(
            "SALESmanago asked for fewer calls until %(until)s: the credentials of %(site)s are "
            "checked after that, by themselves.") % {
                "until": display.admin_datetime(paused), "site": hold.site})
        return redirect(back)
    still = outbox.check_now(hold.site)
    if still is None:
        messages.success(request, ngettext(
            "SALESmanago accepts the credentials of %(site)s again: the hold is lifted, and "
            "%(count)d waiting delivery is due again now.",
            "SALESmanago accepts the credentials of %(site)s again: the hold is lifted, and "
            "%(count)d waiting deliveries are due again now.", hold.waiting) % {
                "site": hold.site, "count": hold.waiting})
    else:
        messages.warning(request, _("Still on hold: %(reason)s %(answer)s") % {
            "reason": still.get_reason_display(),
            "answer": stored_messages.render(still.message)})
    return redirect(back)


def warn_unless_connected(request, instance):
    """After a save: warn, without undoing it, when SALESmanago cannot be reached or refuses."""
    account = account_for_site(instance.site, instance)
    if account.missing():
        return
    timeout = tuple(map(min, conf.timeouts(), SAVE_TEST_TIMEOUT))
    outcome = test_connection(account, timeout=timeout, deadline=sum(timeout))
    if outcome.ok:
        message = lifted(instance.site, account)
        if message:
            messages.success(request, message)
    else:
        messages.warning(request, _("Saved, but the connection test failed: %(message)s") % {
            "message": outcome.message})


def answer(outcome):
    return JsonResponse({"ok": outcome.ok, "message": outcome.message, "users": outcome.users})
