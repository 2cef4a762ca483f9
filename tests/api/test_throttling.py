"""SALESmanago (or a proxy in front of it) asking for fewer calls: HTTP 429 Too Many Requests
(RFC 6585, section 4), or 503 Service Unavailable with ``Retry-After`` (RFC 9110, sections
15.6.4 and 10.2.3). The client tells it apart from a server error and reads how long to wait."""

import datetime

import pytest
import requests
import responses

from wagtail_salesmanago.api.client import SalesmanagoClient, retry_after_seconds
from wagtail_salesmanago.api.exceptions import ThrottledError, TransientError

URL = "https://app3.salesmanago.pl/api/contact/upsert"
SECRET = "s3cr3t-api-secret"
NOW = datetime.datetime(2026, 12, 7, 10, 0, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture
def client():
    return SalesmanagoClient("app3.salesmanago.pl", "client-1", SECRET, session=requests.Session())


def answered(client, status, body="", headers=None, json_body=None):
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, URL, status=status, body=None if json_body else body,
                 json=json_body, headers=headers or {})
        with pytest.raises(TransientError) as caught:
            client.call("contact/upsert", {"owner": "o@x.pl"})
    return caught.value


@pytest.mark.parametrize("status, headers, retry_after, text", [
    (429, {"Retry-After": "30"}, 30,
     "SALESmanago asked for fewer calls (too many requests). It asked to wait 30 s. "
     "(HTTP 429, POST /api/contact/upsert)"),
    (429, {}, None,
     "SALESmanago asked for fewer calls (too many requests). (HTTP 429, POST /api/contact/upsert)"),
    (503, {"Retry-After": "120"}, 120,
     "SALESmanago was unavailable for a while. It asked to wait 120 s. "
     "(HTTP 503, POST /api/contact/upsert)"),
    (503, {"Retry-After": "Sun, 06 Dec 2026 10:00:00 GMT"}, 0,  # a date already past
     "SALESmanago was unavailable for a while. It asked to wait 0 s."),
])
def test_a_429_or_a_503_with_retry_after_is_a_throttle(client, status, headers, retry_after, text):
    error = answered(client, status, "Too Many Requests", headers)
    assert type(error) is ThrottledError
    assert (error.kind, error.retry_after, error.status_code) == ("throttled", retry_after, status)
    assert str(error).startswith(text)
    # As every requests.HTTPError, it carries the answer (for a site's own handling).
    assert error.response.status_code == status and error.response.text == "Too Many Requests"
    assert SECRET not in str(error) and SECRET not in repr(error)


def test_a_429_in_salesmanagos_own_words_is_a_throttle_not_a_refusal(client):
    error = answered(client, 429, headers={"Retry-After": "5"},
                     json_body={"success": False, "message": ["Limit exceeded"]})
    assert type(error) is ThrottledError
    assert str(error) == ("SALESmanago asked for fewer calls (too many requests). It asked to wait "
                          "5 s. SALESmanago said: Limit exceeded (HTTP 429, POST /api/contact/upsert)")


@pytest.mark.parametrize("headers", [{}, {"Retry-After": "soon"}, {"Retry-After": "-5"}])
def test_a_503_without_a_readable_retry_after_stays_a_server_error(client, headers):
    error = answered(client, 503, "Service Unavailable", headers)
    assert type(error) is TransientError
    assert error.kind == "server"
    assert str(error) == "SALESmanago had a server error. (HTTP 503, POST /api/contact/upsert)"


@pytest.mark.parametrize("value, seconds", [
    ("0", 0), ("30", 30), (" 30 ", 30), ("999999999", 999_999_999), ("0000000030", 30),
    # HTTP dates (RFC 9110's preferred form, and the two obsolete ones it still accepts)
    ("Mon, 07 Dec 2026 10:01:30 GMT", 90),
    ("Monday, 07-Dec-26 10:01:30 GMT", 90),
    ("Mon Dec  7 10:01:30 2026", 90),
    ("Mon, 07 Dec 2026 09:00:00 GMT", 0),  # already past: no wait
    # Nothing a server could mean: none
    (None, None), ("", None), ("soon", None), ("-5", None), ("1.5", None), ("+30", None),
    ("1234567890", 999_999_999),  # ten digits: as long as the longest read (the caller cuts it)
    ("100000000", 100_000_000),  # nine digits: read as they are
    # A date in another zone than GMT means its own (HTTP dates are GMT, but it says which).
    ("Mon, 07 Dec 2026 12:01:30 +0200", 90),
    # At most 40 characters are read as a date (29 are enough; spaces between its words count).
    ("Mon, 07 Dec 2026 10:01:30" + " " * 12 + "GMT", 90),
    ("Mon, 07 Dec 2026 10:01:30" + " " * 13 + "GMT", None),
    ("9" * 5000, 999_999_999),  # Python refuses to read 4,300 digits: never tried
    ("Mon, 07 Dec 2026 10:01:30 GMT" + " " * 20 + "x", None),
    ("Mon, 32 Dec 2026 10:01:30 GMT", None),
])
def test_retry_after_is_read_as_rfc_9110_says(value, seconds):
    assert retry_after_seconds(value, NOW) == seconds


def test_an_http_date_counts_from_the_answers_own_date(client):
    """A server whose clock is an hour behind ours still means "in 30 s"."""
    error = answered(client, 429, headers={"Date": "Mon, 07 Dec 2026 05:00:00 GMT",
                                           "Retry-After": "Mon, 07 Dec 2026 05:00:30 GMT"})
    assert error.retry_after == 30
