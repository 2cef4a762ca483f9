"""SALESmanago calling the site back: its opt-in and opt-out callback URLs.

SALESmanago's help page "Opt-in/Opt-out callback URL" (pomoc.salesmanago.pl) describes two URLs a
site gives in its settings, called when a contact subscribes or unsubscribes, with the contact's
e-mail (its ``$email$`` placeholder) and ``key = sha1(email + API secret)`` in lowercase hex;
SALESmanago's Magento module answers them (``Newsletter/SubscriberController.php``: it reads
``email`` and ``key`` and answers JSON). The sandbox calls them the same way, with its own secret.
"""

import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request

TIMEOUT = 5


def signed_url(url, email, secret):
    """``url`` with ``email`` and its ``key`` added to the query."""
    key = hashlib.sha1(f"{email}{secret}".encode("utf-8")).hexdigest()
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}{urllib.parse.urlencode({'email': email, 'key': key})}"


def call(url, email, secret):
    """Call a callback ``url`` for ``email``: ``{"url", "status", "answer"}`` as the site
    answered (``status`` 0 and the error's text when it could not be reached)."""
    if not url:
        return None
    signed = signed_url(url, email, secret)
    try:
        with urllib.request.urlopen(signed, timeout=TIMEOUT) as response:
            status, text = response.status, response.read(4096).decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        status, text = err.code, err.read(4096).decode("utf-8", "replace")
    except (OSError, ValueError) as err:
        status, text = 0, str(err)
    try:
        answer = json.loads(text)
    except ValueError:
        answer = text
    return {"url": url, "status": status, "answer": answer}
