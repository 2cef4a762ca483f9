"""Which answers are kept from SALESmanago: those by e-mail at one of the site's ignored domains
(as SALESmanago's WordPress plugin's ``CheckIfIgnoredService`` ignores contacts), and those the
site's form page calls spam (``SalesmanagoFormMixin.get_salesmanago_spam_reason``). Such an
answer's record is stored as ``quarantined``: listed, never sent, until staff send it anyway."""

import re

from .. import stored_messages

#: A domain in ASCII (IDNA): labels of letters, digits and inner hyphens, at least two of them.
DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
#: The longest domain name (RFC 1035, section 2.3.4, less the root's dot).
MAX_DOMAIN = 253
#: The most of the setting that is read: about 1,000 domains.
MAX_TEXT = 20_000


def domain_of(text):
    """``text`` as a domain to compare: lower case, in IDNA (``bücher.de`` is ``xn--bcher-kva.de``),
    without a leading ``@`` or ``*.`` or a trailing dot; "" if it is no domain."""
    text = str(text or "").strip().lower().rstrip(".")
    text = text.removeprefix("@").removeprefix("*.")
    if not text or len(text) > MAX_DOMAIN * 4:  # no need to encode more than could fit
        return ""
    try:
        ascii_text = text.encode("idna").decode("ascii")
    except UnicodeError:  # an empty or too long label, a character IDNA refuses
        return ""
    return ascii_text if len(ascii_text) <= MAX_DOMAIN and DOMAIN.fullmatch(ascii_text) else ""


def parse(text):
    """The setting's domains (one per line; commas and spaces separate too), each once, in
    order; and the entries that are no domain, as typed."""
    domains, wrong = [], []
    for entry in re.split(r"[\s,;]+", str(text or "")[:MAX_TEXT]):
        if not entry:
            continue
        domain = domain_of(entry)
        if not domain:
            wrong.append(entry)
        elif domain not in domains:
            domains.append(domain)
    return domains, wrong


def ignored_domain(email, domains):
    """The one of ``domains`` that ``email`` is at (the domain itself or a subdomain of it);
    "" if none."""
    domain = domain_of(str(email or "").rpartition("@")[2]) if "@" in str(email or "") else ""
    if not domain:
        return ""
    wanted = frozenset(domains)
    labels = domain.split(".")
    return next((".".join(labels[n:]) for n in range(len(labels) - 1)
                 if ".".join(labels[n:]) in wanted), "")


def reason(email, ignored_domains, spam=""):
    """Why an answer is quarantined, as a stored message; "" if it is not. ``spam``: what the
    form page said (its ``get_salesmanago_spam_reason``); ``ignored_domains``: the setting's
    text."""
    if spam:
        return stored_messages.message("quarantined_spam", reason=str(spam)[:200])
    domain = ignored_domain(email, parse(ignored_domains)[0]) if ignored_domains else ""
    return stored_messages.message("quarantined_domain", domain=domain) if domain else ""
