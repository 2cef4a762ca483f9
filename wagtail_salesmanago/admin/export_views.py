"""The page panel's "Export N past answers": a confirmation, then the export as a task."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import ngettext
from wagtail.models import Page

from ..delivery import history, queue
from ..records import ExportRun
from .panels import PROGRESS_ANCHOR
from .permissions import may_export_past_answers


def export_view(request, page_id):
    """GET: what would be exported, with a button; POST: queue the export of past answers."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None or not may_export_past_answers(request.user, page):
        raise PermissionDenied
    page = page.specific
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    try:
        if request.method != "POST":
            history.check(page)
            return TemplateResponse(request, "wagtail_salesmanago/export_confirm.html", {
                "page": page, "count": history.past_answers(page).count(), "edit_url": edit_url})
        export_run = history.start(page, status=ExportRun.Status.QUEUED)  # checks, and counts
    except history.ExportRefused as err:
        messages.error(request, str(err))
        return redirect(edit_url)
    count = export_run.total
    transaction.on_commit(partial(
        queue.enqueue, "export_past_answers", export_run.pk,
        failed=f"Could not enqueue the SALESmanago export of past answers {export_run.pk}."))
    messages.success(request, ngettext(
        "The export of %(count)d past answer to SALESmanago has started; this page shows its "
        "progress.",
        "The export of %(count)d past answers to SALESmanago has started; this page shows its "
        "progress.", count) % {"count": count})
    # Wagtail's tabs open on the tab holding the element the URL's fragment names.
    return redirect(f"{edit_url}#{PROGRESS_ANCHOR}")
