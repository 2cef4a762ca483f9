"""With wagtail-localize: what its translators get from a form page (issue 25). Tags, the owner and a
consent's name are SALESmanago's names, the same in every language, so never strings to translate;
a translation may set its own double opt-in e-mail and language."""

import pytest

# The test extra installs it; without it, these tests have nothing to check.
pytest.importorskip("wagtail_localize")

from wagtail_localize.fields import SynchronizedField, get_translatable_fields  # noqa: E402
from wagtail_localize.segments import OverridableSegmentValue, StringSegmentValue  # noqa: E402
from wagtail_localize.segments.extract import extract_segments  # noqa: E402

from tests.helpers import make_form_page  # noqa: E402
from tests.testapp.models import FormField, SurveyPage  # noqa: E402


def kinds(model):
    return {field.field_name: (type(field).__name__, field.overridable if isinstance(
        field, SynchronizedField) else None) for field in get_translatable_fields(model)}


def test_tags_the_owner_and_consent_names_are_kept_out_of_translation():
    page = kinds(SurveyPage)
    assert page["salesmanago_tag"] == ("SynchronizedField", False)
    assert page["salesmanago_remove_tags"] == ("SynchronizedField", False)
    assert page["salesmanago_owner"] == ("SynchronizedField", False)
    # One confirmation e-mail per language version, as SALESmanago's help asks.
    assert page["salesmanago_double_opt_in_email_id"] == ("SynchronizedField", True)
    assert page["salesmanago_double_opt_in_language"] == ("SynchronizedField", True)
    assert page["title"] == ("TranslatableField", None)  # the rest is wagtail-localize's own choice
    assert kinds(FormField)["salesmanago_consent_name"] == ("SynchronizedField", False)
    # Like the question's target: wagtail-localize's own choice for a field with choices.
    assert kinds(FormField)["salesmanago_tag_mode"] == ("SynchronizedField", True)


@pytest.mark.django_db
def test_a_form_pages_segments_hold_no_tag_and_offer_its_double_opt_in_to_override():
    page = make_form_page(tag="KLIENCI, ANKIETA", salesmanago_remove_tags="STARY",
                          salesmanago_double_opt_in_email_id="potwierdzenie-pl",
                          salesmanago_double_opt_in_language="PL")
    segments = extract_segments(page)
    strings = [s.path for s in segments if isinstance(s, StringSegmentValue)]
    overridable = {s.path: s.data for s in segments if isinstance(s, OverridableSegmentValue)}
    assert "title" in strings
    assert not [path for path in strings if path.startswith("salesmanago_")]
    assert overridable["salesmanago_double_opt_in_email_id"] == "potwierdzenie-pl"
    assert overridable["salesmanago_double_opt_in_language"] == "PL"
    assert "salesmanago_tag" not in overridable and "salesmanago_owner" not in overridable
