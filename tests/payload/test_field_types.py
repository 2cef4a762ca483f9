"""Every Wagtail form field type, cleaned by Wagtail's own FormBuilder, becomes the right detail."""

import pytest
from wagtail.contrib.forms.forms import FormBuilder

from tests.testapp.models import FormField
from wagtail_salesmanago.payload import mapping

# (label, field type, choices, what the browser posts, the detail value SALESmanago gets)
CASES = [
    ("Imię", "singleline", "", "Łucja", "Łucja"),
    ("Uwagi", "multiline", "", "Linia 1\r\nLinia 2", "Linia 1\r\nLinia 2"),
    ("E-mail", "email", "", "lucja@example.com", "lucja@example.com"),
    ("Wiek", "number", "", "42.50", "42.50"),
    ("Strona", "url", "", "https://example.com/ż", "https://example.com/ż"),
    ("Zgoda", "checkbox", "", "on", "true"),
    ("Kanały", "checkboxes", "E-mail\nTelefon\nSMS", ["E-mail", "SMS"], "E-mail, SMS"),
    ("Miasto", "dropdown", "Kraków\nŁódź", "Łódź", "Łódź"),
    ("Języki", "multiselect", "polski\nangielski", ["polski", "angielski"], "polski, angielski"),
    ("Ocena", "radio", "1\n2\n3", "3", "3"),
    ("Data wizyty", "date", "", "2026-11-27", "2026-11-27"),
    ("Kiedy", "datetime", "", "2026-11-27 09:30", "2026-11-27T09:30:00+01:00"),
    ("Źródło", "hidden", "", "newsletter", "newsletter"),
]


def build_fields():
    return [
        FormField(label=label, field_type=field_type, choices=choices, required=False,
                  clean_name=f"f{i}")
        for i, (label, field_type, choices, _, _) in enumerate(CASES)
    ]


@pytest.mark.django_db
def test_every_field_type():
    fields = build_fields()
    data = {f"f{i}": posted for i, (_, _, _, posted, _) in enumerate(CASES)}
    form = FormBuilder(fields).get_form_class()(data)
    assert form.is_valid(), form.errors

    properties = mapping.build_properties(fields, form.cleaned_data, "ankieta.")

    assert properties == {
        mapping.detail_key(label, "ankieta.", position): expected
        for position, (label, _, _, _, expected) in enumerate(CASES, 1)
    }
    assert list(properties)[-3:] == ["ankieta.Data-wizyty", "ankieta.Kiedy", "ankieta.Zrodlo"]


@pytest.mark.django_db
def test_unanswered_fields_are_not_sent_but_an_unticked_checkbox_is_false():
    fields = build_fields()
    form = FormBuilder(fields).get_form_class()({})
    assert form.is_valid(), form.errors

    assert mapping.build_properties(fields, form.cleaned_data, "ankieta.") == {
        "ankieta.Zgoda": "false"
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "posted, sent",
    [
        ("1e100000000", "1E+100000000"),
        ("-0.000000001e-999999999", "-1E-1000000008"),
        ("1" * 300, "1." + "1" * 248 + "E+299"),  # rounded to 255 characters
        ("12345678901234567890.5", "12345678901234567890.5"),
        ("1" * 253 + ".5", "1" * 253 + ".5"),  # 255 characters: sent as it is
        ("1" * 254 + ".5", "1." + "1" * 248 + "E+253"),  # 256
        ("0." + "0" * 252 + "1", "0." + "0" * 252 + "1"),  # 255
        ("0." + "0" * 253 + "1", "1E-254"),  # 256
    ],
)
def test_a_huge_or_long_number_answer_is_sent_short_and_cheaply(posted, sent):
    fields = [FormField(label="Liczba", field_type="number", required=False, clean_name="n")]
    form = FormBuilder(fields).get_form_class()({"n": posted})
    assert form.is_valid(), form.errors

    assert mapping.build_properties(fields, form.cleaned_data, "ankieta.") == {"ankieta.Liczba": sent}
