"""System checks that stop a site from losing answers silently (``manage.py check``)."""

import pytest
from django.core.checks import run_checks
from django.db import models
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractForm

from wagtail_salesmanago.checks import check_form_pages_export, export_stopped_by
from wagtail_salesmanago.models import SalesmanagoFormMixin


def page_class(*bases, process=None):
    """An abstract page class (no table needed) with ``process`` as its
    ``process_form_submission``, if given."""
    attrs = {"__module__": __name__,
             "Meta": type("Meta", (), {"abstract": True, "app_label": "testapp"})}
    if process is not None:
        attrs["process_form_submission"] = process
    page_class.count += 1
    return type(f"Page{page_class.count}", bases, attrs)


page_class.count = 0


def stores_only(self, form):
    return self.get_submission_class().objects.create(form_data=form.cleaned_data, page=self)


def calls_super(self, form):
    submission = super(type(self), self).process_form_submission(form)
    return submission


def exports(self, form):
    submission = stores_only(self, form)
    self.export_to_salesmanago(form, submission)
    return submission


def exports_later(self, form):
    submission = stores_only(self, form)

    def later():
        self.export_to_salesmanago(form, submission)
    later()
    return submission


def test_an_override_that_neither_calls_super_nor_exports_is_found():
    assert export_stopped_by(page_class(SalesmanagoFormMixin, AbstractEmailForm)) is None
    for process in (calls_super, exports, exports_later):
        assert export_stopped_by(
            page_class(SalesmanagoFormMixin, AbstractEmailForm, process=process)) is None
    stopping = page_class(SalesmanagoFormMixin, AbstractEmailForm, process=stores_only)
    assert export_stopped_by(stopping) is stopping


def test_the_mixin_after_wagtails_form_is_never_reached():
    """Wagtail's ``AbstractForm.process_form_submission`` calls no ``super()``: the mixin must
    come first among the bases."""
    wagtails = next(klass for klass in AbstractForm.__mro__
                    if "process_form_submission" in vars(klass))  # FormMixin in Wagtail 5.2+
    assert export_stopped_by(page_class(AbstractEmailForm, SalesmanagoFormMixin)) is wagtails
    assert export_stopped_by(page_class(AbstractForm, SalesmanagoFormMixin)) is wagtails


@pytest.mark.django_db
def test_the_site_s_own_form_pages_pass_and_the_warning_says_what_to_do(monkeypatch):
    assert not [m for m in run_checks() if m.id == "wagtail_salesmanago.W004"]

    stopping = page_class(SalesmanagoFormMixin, AbstractEmailForm, process=stores_only)
    # The check looks at the registered models; an abstract class stands in for one here.
    # internal seam: Django's app registry, not the package: no table is created for this page.
    monkeypatch.setattr("wagtail_salesmanago.checks.apps.get_models", lambda: [stopping])
    [warning] = check_form_pages_export()
    assert warning.id == "wagtail_salesmanago.W004" and warning.obj is stopping
    assert warning.msg == (
        f"testapp.{stopping.__name__}: {stopping.__qualname__}.process_form_submission calls "
        "neither super().process_form_submission nor export_to_salesmanago, so its answers are "
        "stored but never sent to SALESmanago, while its editor shows export as on.")
    assert "self.export_to_salesmanago(form, submission)" in warning.hint
    assert isinstance(stopping, type) and issubclass(stopping, models.Model)
