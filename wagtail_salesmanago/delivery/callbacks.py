"""SALESmanago talking back: its opt-in and opt-out callbacks, verified and recorded.

In SALESmanago's settings a site gives two URLs that SALESmanago calls when a contact subscribes
(confirms a double opt-in) or unsubscribes, with the contact's ``email`` and ``key = sha1(email +
API secret)`` in lowercase hex (SALESmanago's help page "Opt-in/Opt-out callback URL"; its
Magento module answers them in ``Newsletter/SubscriberController.php``, comparing the key and
answering JSON ``{success, message}``). A call is trusted only with a key that one of the sites'
secrets signs; it then updates that site's deliveries of the contact, and nothing else.
"""

import hashlib
import hmac
import re

from django.db.models import Q
from django.utils import timezone

from ..records import ExportRecord
from ..records.sites import of_site
from .account import every_account

#: An e-mail is at most 254 characters (RFC 5321); a longer one is never hashed.
MAX_EMAIL_LENGTH = 254
KEY = re.compile(r"[0-9a-fA-F]{40}")
STATES = {"opt_in": ExportRecord.OptInState.CONFIRMED,
          "opt_out": ExportRecord.OptInState.OPTED_OUT}


def key_for(email, secret):
    """The key SALESmanago sends with ``email``: ``sha1(email + secret)``, lowercase hex."""
    return hashlib.sha1(f"{email}{secret}".encode("utf-8")).hexdigest()


def signing_sites(email, key):
    """The IDs of the sites whose API secret signs ``email`` with ``key`` (compared in constant
    time, against every site's secret whatever matched before); [] for a malformed call."""
    if not isinstance(email, str) or not isinstance(key, str) or not KEY.fullmatch(key) or not (
            0 < len(email) <= MAX_EMAIL_LENGTH):
        return []
    matched = []
    for account in every_account():
        secret = account.api_secret
        if secret and hmac.compare_digest(key_for(email, secret), key.lower()):
            matched.append(account.site.pk)
    return matched


def receive(kind, email, key, now=None):
    """Record SALESmanago's news (``kind``: "opt_in" or "opt_out") about ``email``, if ``key``
    proves it came from a site's account: ``None`` when it does not, else how many of the
    contact's deliveries on those sites changed (0 for a contact the site does not know: the
    caller answers the same either way)."""
    sites = signing_sites(email, key)
    if not sites:
        return None
    condition = of_site(sites[0])
    for site_id in sites[1:]:
        condition |= of_site(site_id)
    by_email = ExportRecord.objects.filter(condition, email__iexact=email.strip())
    # And the contact's deliveries by contact ID alone (a mailing link's answer with no e-mail):
    # the IDs its deliveries by e-mail carry.
    ids = {value for pair in by_email.values_list("contact_id", "salesmanago_contact_id")
           for value in pair if value}
    records = ExportRecord.objects.filter(condition).filter(
        Q(email__iexact=email.strip()) | Q(contact_id__in=ids) | Q(salesmanago_contact_id__in=ids))
    return records.note_opt_in(STATES[kind], now or timezone.now())
