"""The form page editor's view of this form's SALESmanago deliveries."""

from django import forms
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.panels import FieldPanel, Panel

from ..delivery.account import LABELS, account_for_site
from ..delivery.alerts import deliveries_url
from ..delivery.history import past_answers
from ..delivery.locales import name_questions
from ..forms import CARRIER_TAG, CONTACT_ID_PARAM
from .. import stored_messages
from ..payload import attribution as campaign
from ..payload import contact_fields, mapping, rules
from ..payload import tags as tag_rules
from ..records import DeliveryHold, ExportRun
from . import pick_lists
from .permissions import delivery_permission_policy, may_export_past_answers

#: The id of the deliveries panel's line that shows an export's progress: "Export past answers"
#: returns to the editor at it, and Wagtail's tabs open on the tab that holds it.
PROGRESS_ANCHOR = "salesmanago-export-progress"


class DeliveriesPanel(Panel):
    """Counts of this form's deliveries by status, the last error, and a link to the list.

    Shown only to users who may see the form's deliveries (the same policy as the list).
    """

    class BoundPanel(Panel.BoundPanel):
        template_name = "wagtail_salesmanago/panels/deliveries.html"

        @cached_property
        def user_may_see(self):
            return delivery_permission_policy.user_has_permission_for_page(
                self.request.user, "view", self.instance
            )

        def is_shown(self):
            return bool(self.instance.pk) and super().is_shown() and self.user_may_see

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            records = delivery_permission_policy.instances_user_has_permission_for(
                self.request.user, "view"
            )
            context.update(
                counts=records.counts_for(page),
                last_failure=records.last_failure_for(page),
                list_url=deliveries_url(page=page.pk),
                failed_url=deliveries_url(page=page.pk, status="failed"),
                **past_answers_context(self.request.user, page),
            )
            return context

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("heading", _("Deliveries"))
        super().__init__(*args, **kwargs)


def past_answers_context(user, page):
    """The latest export of the form's past answers, and how many are left to export."""
    if not page.salesmanago_enabled:
        return {}
    export_run = ExportRun.objects.latest_for(page)
    active = export_run is not None and export_run.status in ExportRun.ACTIVE
    may_export = not active and may_export_past_answers(user, page)
    return {
        "export_run": export_run,
        "progress_anchor": PROGRESS_ANCHOR,
        "export_active": active,
        "past_count": past_answers(page).count() if may_export else 0,
        "export_url": reverse("wagtail_salesmanago_export", args=[page.pk]),
    }


class OwnerInput(forms.EmailInput):
    """An e-mail input suggesting the account's users (a datalist); free text all the same."""

    users = ()

    def render(self, name, value, attrs=None, renderer=None):
        if not self.users:
            return super().render(name, value, attrs, renderer)
        list_id = f"{(attrs or {}).get('id') or name}-users"
        html = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        options = format_html_join("", '<option value="{}"></option>', ((u,) for u in self.users))
        return format_html('{}<datalist id="{}">{}</datalist>', html, list_id, options)


def editor_site(bound_panel):
    """The site of the page being edited, or of the page a new one is created under; ``None``
    when that cannot be told."""
    try:
        if bound_panel.instance.pk:
            return bound_panel.instance.get_site()
        parent = getattr(getattr(bound_panel, "form", None), "parent_page", None)
        return parent.get_site() if parent is not None else None
    except Exception:
        return None


class AccountListPanel(FieldPanel):
    """A field offered a list from the edited page's SALESmanago account (``account_widget``)."""

    class BoundPanel(FieldPanel.BoundPanel):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            if self.bound_field is not None and not self.read_only:
                self.bound_field.field.widget = self.panel.account_widget(
                    self, editor_site(self), self.bound_field.field.widget.attrs)


class OwnerPanel(AccountListPanel):
    """The form's owner, with the account's users offered where the connection works."""

    def account_widget(self, bound, site, attrs):
        widget = OwnerInput(attrs=attrs)
        widget.users = pick_lists.account_users(site)
        return widget


#: The query parameter of the page editor's address that asks the account's lists again.
REFRESH_PARAM = "salesmanago_refresh"


class TagsInput(forms.TextInput):
    """A tags input with the account's tags listed under it (and suggested while the field is
    empty), and a link that asks SALESmanago for them again; free text all the same."""

    tags = ()
    refresh_url = ""

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{(attrs or {}).get('id') or name}-account-tags"
        html = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        options = format_html_join("", '<option value="{}"></option>', ((t,) for t in self.tags))
        if self.tags:
            summary = ngettext("%(count)s tag in the SALESmanago account",
                               "%(count)s tags in the SALESmanago account",
                               len(self.tags)) % {"count": len(self.tags)}
            listed = format_html_join(" ", "<code>{}</code>", ((t,) for t in self.tags))
        else:
            summary = _("No tags listed from the SALESmanago account")
            listed = _("The account has no tags yet, or the connection does not work "
                       "(Settings > SALESmanago).")
        return format_html(
            '{}<datalist id="{}">{}</datalist><details class="salesmanago-account-tags">'
            '<summary>{}</summary><p>{}</p><p><a href="{}">{}</a></p></details>',
            html, list_id, options, summary, listed, self.refresh_url,
            _("Ask SALESmanago again (unsaved changes are lost)"))


class TagsPanel(AccountListPanel):
    """Tags to add or remove, with the account's tags listed where the connection works."""

    def account_widget(self, bound, site, attrs):
        request = bound.request
        if site is not None and request is not None and request.GET.get(REFRESH_PARAM) and not (
                getattr(request, "_salesmanago_refreshed", False)):
            request._salesmanago_refreshed = True  # once, for both tag fields
            pick_lists.refresh(site)
        widget = TagsInput(attrs=attrs)
        widget.tags = pick_lists.account_tags(site)
        if request is not None:
            widget.refresh_url = f"{request.path}?{REFRESH_PARAM}=1"
        return widget


class ConnectionTestPanel(Panel):
    """A "Test connection" button under the settings, with SALESmanago's answer in words."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "wagtail_salesmanago/panels/connection_test.html"

        class Media:
            # A Stimulus controller in a static file: no inline script, so a strict CSP works.
            js = ["wagtail_salesmanago/js/connection-test.js"]

        def is_shown(self):
            return bool(self.instance.site_id)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["url"] = reverse("wagtail_salesmanago_test_connection", args=[self.instance.site_id])
            return context

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("heading", _("Test connection"))
        super().__init__(*args, **kwargs)


class MappingPreviewPanel(Panel):
    """What SALESmanago will get from this form's latest version (draft or live): detail names,
    identity, tags, the contact fields and consents, the opt-in, the tags removed and the owner."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "wagtail_salesmanago/panels/preview.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            site = page.get_site() if page.pk else None
            account = account_for_site(site) if site else None
            questions = page.get_salesmanago_questions()
            prefix = account.detail_prefix if account else mapping.DEFAULT_DETAIL_PREFIX
            details = mapping.describe_details(questions, prefix)
            identity = mapping.identity_question(questions)
            for detail, question in zip(details, questions):
                # A translation's question as its editors read it; the name is the default
                # locale's (see ``locales``).
                detail["label"] = getattr(question, "own_label", detail["label"])
                detail["identifies"] = question is identity
            context.update(
                details=details,
                identity=identity,
                tags=tag_rules.normalise_tags(page.salesmanago_tag),
                missing=[LABELS[name] for name in account.missing()] if account else [],
                enabled=page.salesmanago_enabled,
                naming=naming_note(page),
                **lead_preview(page, questions, account),
                **rules_preview(page, questions),
            )
            context["details_targets"] = list(zip(
                context["details"], context["targets"], context["answer_tags"]))
            context.update(identity_context(context["identity"], account), event_type=getattr(
                page, "salesmanago_event_type", ""))
            context.update(attribution_details=[
                account.attribution_prefix + key for key in campaign.KEYS]
                if account and account.send_attribution else [])
            context.update(version_context(page, context["identity"], context["details"], prefix))
            context.update(carrier_dropped=page.salesmanago_enabled and template_drops_carrier(
                page, self.request), carrier_tag=CARRIER_TAG)
            return context

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("heading", _("What SALESmanago will get"))
        super().__init__(*args, **kwargs)


def template_drops_carrier(page, request):
    """Whether the page's form, as its template renders it, lacks the hidden field that carries a
    mailing link's contact ID (a template that renders fields one by one). ``False`` when that
    cannot be told: a page never saved, or one whose preview does not render."""
    if not page.pk:
        return False
    try:
        response = page.make_preview_request(original_request=request, preview_mode="form")
        html = response.content.decode(response.charset or "utf-8", "replace")
    except Exception:  # the site's template, not ours: its errors are the preview's to show
        return False
    return response.status_code == 200 and "<form" in html and (
        f'name="{CONTACT_ID_PARAM}"' not in html)


def export_shape(identity, details):
    """What decides where answers go: the e-mail question and each detail's name and target."""
    return (identity.label if identity is not None else None,
            [(d["key"], d["target"], d["consent_name"]) for d in details])


def version_context(page, identity, details, prefix):
    """For the preview (of the draft's ``identity`` question and ``details``): which version it
    shows and, if the live page exports otherwise, how."""
    if not page.pk or not page.live:
        return {"version": "unpublished"}
    if not page.has_unpublished_changes:
        return {"version": "live"}
    live_questions = type(page).objects.get(pk=page.pk).get_salesmanago_questions()
    live_identity = mapping.identity_question(live_questions)
    live_details = mapping.describe_details(live_questions, prefix)
    if export_shape(live_identity, live_details) == export_shape(identity, details):
        return {"version": "draft"}
    return {"version": "draft",
            "live_identity": live_identity.label if live_identity is not None else "",
            "live_details": live_details}


def lead_preview(page, questions, account):
    """For the preview: what the form does as a lead source."""
    targets = dict(contact_fields.TARGET_CHOICES)
    consents = consent_names(questions, contact_fields.CONSENT)
    if not consents:
        opt_in = "unchanged"
    elif getattr(page, "salesmanago_double_opt_in", False):
        opt_in = "double"
    else:
        opt_in = "at_once"
    return {
        "targets": [targets.get(contact_fields.target_of(q), "") for q in questions],
        "consents": consents,
        "sms_consents": consent_names(questions, contact_fields.SMS_CONSENT),
        "opt_in": opt_in,
        "double_opt_in_email_id": getattr(page, "salesmanago_double_opt_in_email_id", ""),
        "double_opt_in_language": getattr(page, "salesmanago_double_opt_in_language", ""),
        "remove_tags": tag_rules.normalise_tags(getattr(page, "salesmanago_remove_tags", "")),
        "form_owner": getattr(page, "salesmanago_owner", ""),
        "site_owner": account.owner_email if account else "",
        "answer_tags": [answer_tag_examples(page, q) for q in questions],
    }


#: How many rules the preview lists (a form may have more; all of them apply).
SHOWN_RULES = 50


def rules_preview(page, questions):
    """For the preview: the form's rules (of the version shown) and what a sample answer would
    do: each question answered with its first choice, a ticked box or some text."""
    page_rules = [rules.rule_of(row) for row in page.salesmanago_rules.all()]
    if not page_rules:
        return {"rules": []}
    index = rules.question_index(questions)
    sample = {q.clean_name: sample_answer(page, q) for q in questions}
    decision = rules.decide(page_rules, page.salesmanago_rules_mode, questions, sample)
    return {
        "rules": [{"text": stored_messages.render(rules.describe(rule)),
                   "tags": tag_rules.normalise_tags(rule.tags),
                   "missing": rules.key(rule.question) not in index}
                  for rule in page_rules[:SHOWN_RULES]],
        "rules_hidden": max(len(page_rules) - SHOWN_RULES, 0),
        "rules_any": page.salesmanago_rules_mode == rules.ANY,
        "sample_sent": decision.send,
        "sample_tags": decision.tags,
        "sample_reason": stored_messages.render(decision.reason) if decision.reason else "",
    }


def choices_of(page, question):
    """A question's choices, as Wagtail's form builder reads them."""
    if not getattr(question, "choices", ""):
        return []
    return [value for value, _label in page.form_builder([]).get_formatted_field_choices(question)]


def sample_answer(page, question):
    """A sample answer to ``question``: ticked, its first choice, or some text."""
    if question.field_type == "checkbox":
        return True
    choices = choices_of(page, question)
    if question.field_type in ("checkboxes", "multiselect"):
        return choices[:1]
    return choices[0] if choices else str(_("sample"))


def consent_names(questions, target):
    """The names of the consents the questions with ``target`` give, in form order."""
    names = (str(getattr(q, "salesmanago_consent_name", "") or "").strip() for q in questions
             if contact_fields.target_of(q) == target)
    return [name for name in names if name]


#: How many of a question's possible tags the preview lists.
SHOWN_TAGS = 5


def answer_tag_examples(page, question):
    """For the preview: the tags a question's answers can give (the first ``SHOWN_TAGS``) and
    whether it can give more."""
    tags = tag_rules.example_tags(question, choices_of(page, question), placeholder=_("answer"))
    return {"shown": tags[:SHOWN_TAGS], "more": len(tags) > SHOWN_TAGS}


def identity_context(identity, account):
    """For the preview: who the answers belong to, in the order the site's settings give."""
    use_cookie = account.identify_by_cookie if account else True
    link = _("A contact ID in the visitor's link (?smclientid=, from SALESmanago's mailings): "
             "that contact is updated.")
    rules = [link]
    if identity is not None:
        email = _("The typed e-mail (“%(label)s”): the contact with that e-mail is created or "
                  "updated.") % {"label": identity.label}
        rules = [email, link] if account and account.trust_typed_email else [link, email]
    if use_cookie:
        rules.append(_("SALESmanago's smclient cookie, which its monitoring code sets for a "
                       "contact it knows: that contact is updated."))
    return {"identity_rules": rules, "cookie_used": use_cookie}


def naming_note(page):
    """For the preview: which translation's labels name the details, when pages are translated."""
    if not page.pk:
        return ""  # a page being created has no translations yet
    naming = name_questions(page, list(page.get_form_fields()))[1]
    if naming.language is None:
        return ""
    values = {"language": naming.language}
    if naming.source is None:
        return _(
            "This page has no version in the default language (%(language)s), so its own labels "
            "name the details. Once it has one, that version's labels will."
        ) % values
    if naming.source.pk == page.pk:
        return _(
            "This is the page's version in the default language (%(language)s): its labels name "
            "the details, and its translations fill the same details."
        ) % values
    note = _(
        "Details are named from this page's version in the default language (%(language)s), "
        "so all its translations fill the same details."
    ) % values
    if naming.unmatched:
        count = len(naming.unmatched)
        note += " " + ngettext(
            "%(count)d question has no question of the same type at its place in that version, "
            "so its own label names it: %(labels)s.",
            "%(count)d questions have no question of the same type at their place in that "
            "version, so their own labels name them: %(labels)s.",
            count,
        ) % {"count": count, "labels": ", ".join(f"“{q.label}”" for q in naming.unmatched)}
    return note


class DeliveryHoldPanel(Panel):
    """On the settings screen: SALESmanago rejected these credentials and deliveries wait."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "wagtail_salesmanago/panels/hold.html"

        def is_shown(self):
            return DeliveryHold.objects.filter(site_id=self.instance.site_id).exists()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("heading", _("Deliveries on hold"))
        super().__init__(*args, **kwargs)
