"""Settings > Erase a person: everything the package holds about one person, erased on request
(with its own permission, ``erase_person``), and the contact deleted in SALESmanago if asked."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..delivery import erasure
from ..records import ErasureRequest

PERMISSION = "wagtail_salesmanago.erase_person"
#: How many of the latest erasures the page lists.
LISTED = 20


def may_erase(user):
    return user.is_active and user.has_perm(PERMISSION)


class ErasureForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), required=False, max_length=254)
    contact_id = forms.CharField(label=_("or a SALESmanago contact ID"), required=False,
                                 max_length=64)
    in_salesmanago = forms.BooleanField(
        label=_("Also delete the contact in SALESmanago"), required=False,
        help_text=_("In every SALESmanago account this site's forms send to. Retried until "
                    "SALESmanago answers."))
    permanently = forms.BooleanField(
        label=_("Permanently"), required=False,
        help_text=_("Without it, SALESmanago disables and hides the contact (and deletes it for "
                    "good later)."))

    def clean(self):
        data = super().clean()
        if not (data.get("email") or data.get("contact_id", "").strip()):
            raise forms.ValidationError(_("Give the person's e-mail address or contact ID."))
        if data.get("permanently") and not data.get("in_salesmanago"):
            self.add_error("permanently", _("Only a deletion in SALESmanago can be permanent."))
        return data


def erase_view(request):
    """GET: the form; POST: what would be erased, to confirm; POST with ``confirmed``: erase."""
    if not may_erase(request.user):
        raise PermissionDenied
    form = ErasureForm(request.POST or None)
    context = {"form": form, "erasures": ErasureRequest.objects.select_related("site")[:LISTED]}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "confirmed" not in request.POST:
            context["plan"] = erasure.plan(data["email"], data["contact_id"],
                                           data["in_salesmanago"])
            return TemplateResponse(request, "wagtail_salesmanago/erase_confirm.html", context)
        requests = erasure.erase(data["email"], data["contact_id"],
                                 in_salesmanago=data["in_salesmanago"],
                                 permanently=data["permanently"],
                                 requested_by=request.user.get_username())
        erased = requests[0].records_erased if requests else 0
        messages.success(request, ngettext(
            "%(count)d delivery erased.", "%(count)d deliveries erased.", erased) % {
            "count": erased})
        return redirect("wagtail_salesmanago_erase")
    return TemplateResponse(request, "wagtail_salesmanago/erase.html", context)
