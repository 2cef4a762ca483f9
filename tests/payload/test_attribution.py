"""Campaign attribution: where a visitor came from, bounded and plain (pure functions)."""

import pytest

from wagtail_salesmanago.payload import attribution

LANDING = "https://sklep.example.com/promocja/?utm_source=fb&smclientid=abc#top"


@pytest.mark.parametrize("query, referrer, expected", [
    # Campaign parameters, and the landing page without its query string.
    ({"utm_source": "newsletter", "utm_medium": "email", "utm_campaign": "wiosna 2026",
      "utm_term": "buty", "utm_content": "baner-1", "utm_id": "x", "gclid": "y"}, "",
     {"utm_source": "newsletter", "utm_medium": "email", "utm_campaign": "wiosna 2026",
      "utm_term": "buty", "utm_content": "baner-1",
      "landing_page": "https://sklep.example.com/promocja/"}),
    # Another site's address, without its query string (it can hold anything).
    ({}, "https://www.google.com/search?q=jan%40example.com",
     {"referrer": "https://www.google.com/search",
      "landing_page": "https://sklep.example.com/promocja/"}),
    # The site's own pages (any case, any port) are no referrer: nothing to keep.
    ({}, "https://SKLEP.example.com:443/inna/", {}),
    ({}, "https://www.sklep.example.com/inna/", {}),  # with or without www., the same site
    ({}, "", {}),
    # What is not a web address is no referrer.
    ({}, "android-app://com.google.android.gm/", {}),
    ({}, "http://[not-an-address/", {}),
    ({}, "http://:8080/strona", {}),  # no host
    ({"utm_source": "   "}, "", {}),
    # Invisible characters go; whitespace runs become one space.
    ({"utm_source": "news\u202eletter\x00", "utm_campaign": "a\n\tb"}, "",
     {"utm_source": "newsletter", "utm_campaign": "a b",
      "landing_page": "https://sklep.example.com/promocja/"}),
    # Only a value's first 1,020 characters (4 × 255) are read, spaces and invisible ones too.
    ({"utm_source": " " * 1000 + "x" * 300}, "",
     {"utm_source": "x" * 20, "landing_page": "https://sklep.example.com/promocja/"}),
    # Text, never HTML: kept as typed, for whoever shows it to escape.
    ({"utm_content": "<script>alert(1)</script>"}, "",
     {"utm_content": "<script>alert(1)</script>",
      "landing_page": "https://sklep.example.com/promocja/"}),
])
def test_first_touch(query, referrer, expected):
    assert attribution.first_touch(query, referrer, "sklep.example.com", LANDING) == expected


@pytest.mark.parametrize("landing", [
    "http://[not-an-address/",
    # Only an address's first 2,048 characters are read: there this one's bracket is not closed.
    "http://[v1." + "a" * 2037 + "]/",
])
def test_a_landing_address_that_cannot_be_read_is_left_out(landing):
    assert attribution.first_touch({"utm_source": "fb"}, "", "sklep.example.com", landing) == {
        "utm_source": "fb"}


def test_the_longest_values_are_cut_to_what_a_detail_takes():
    values = attribution.first_touch(
        {key: "ą" * 10_000 for key in attribution.UTM_KEYS},
        "https://ads.example.net/" + "x" * 10_000, "sklep.example.com",
        "https://sklep.example.com/" + "p" * 10_000)
    assert set(values) == set(attribution.KEYS)
    assert {len(value) for value in values.values()} == {255}


def test_properties_and_event_details():
    values = {"utm_source": "fb", "referrer": "https://fb.com/", "landing_page": "https://s.pl/",
              "other": "dropped"}
    assert attribution.properties(values, "kampania.") == {
        "kampania.utm_source": "fb", "kampania.referrer": "https://fb.com/",
        "kampania.landing_page": "https://s.pl/"}
    assert attribution.event_details(values) == {
        "detail2": "fb", "detail7": "https://fb.com/", "detail8": "https://s.pl/"}
    assert attribution.EVENT_DETAILS == {
        "utm_source": "detail2", "utm_medium": "detail3", "utm_campaign": "detail4",
        "utm_term": "detail5", "utm_content": "detail6", "referrer": "detail7",
        "landing_page": "detail8"}
    assert attribution.clean({"utm_source": 5, "utm_medium": ["a"]}) == {}
