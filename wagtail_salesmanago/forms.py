"""The visitor's side of a form page: the hidden field that carries SALESmanago's contact ID."""

from urllib.parse import parse_qs, urlsplit

from django import forms

#: The query parameter SALESmanago adds to links in its mailings, and the name of the
#: hidden form field that carries it through the POST.
CONTACT_ID_PARAM = "smclientid"
#: The first-party cookie where SALESmanago's monitoring code keeps a known visitor's contact ID.
CONTACT_ID_COOKIE = "smclient"
#: What a hand-written form template adds to carry the link's contact ID (templatetags/salesmanago).
CARRIER_TAG = "{% load salesmanago %}{% salesmanago_contact_id form %}"


def link_contact_id(url):
    """The ``smclientid`` of a SALESmanago mailing link in ``url`` (a page's address), or ""."""
    try:
        return parse_qs(urlsplit(str(url)).query).get(CONTACT_ID_PARAM, [""])[0]
    except ValueError:
        return ""


def carrier_dropped(request):
    """Whether a posted form lacks the hidden ``smclientid`` field although the page it was
    posted from had a mailing link's contact ID in its address (the ``Referer``): the form's
    template does not render the field."""
    return (request.method == "POST" and CONTACT_ID_PARAM not in request.POST
            and bool(link_contact_id(request.META.get("HTTP_REFERER", ""))))


class ContactIdBoundField(forms.BoundField):
    """The carrier's bound field: no label anywhere, so templates that print each field's
    ``label_tag`` show nothing for it."""

    def label_tag(self, contents=None, attrs=None, label_suffix=None, tag=None):
        return ""

    def legend_tag(self, contents=None, attrs=None, label_suffix=None):
        return ""


class ContactIdField(forms.Field):
    """The hidden field that carries ``?smclientid=`` through the POST.

    It never fails validation, whatever arrives (a NUL, a megabyte): an invalid ID is ignored
    and noted on the delivery record, and the visitor's answers are stored all the same.
    """

    widget = forms.HiddenInput
    bound_field_class = ContactIdBoundField

    def __init__(self, **kwargs):
        super().__init__(required=False, label="", **kwargs)

    def to_python(self, value):
        return "" if value in self.empty_values else str(value)


class ContactIdFormMixin(forms.Form):
    """Adds the hidden ``smclientid`` field to a form page's form, and keeps it out of the answers.

    After validation its value is ``form.salesmanago_contact_id``, not in ``cleaned_data``, so
    stored submissions and notification e-mails never contain it.
    """

    smclientid = ContactIdField()

    def clean(self):
        cleaned_data = super().clean()
        self.salesmanago_contact_id = cleaned_data.pop(CONTACT_ID_PARAM, "")
        return cleaned_data
