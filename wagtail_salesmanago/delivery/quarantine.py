"""Which answers are kept from SALESmanago: those by e-mail at one of the site's ignored domains
(as SALESmanago's WordPress plugin's ``CheckIfIgnoredService`` ignores contacts), and those the
site's form page calls spam (``SalesmanagoFormMixin.get_salesmanago_spam_reason``). Such an
answer's record is stored as ``quarantined``: listed, never sent, until staff send it anyway."""

import functools
import logging
import re

import idna

from .. import stored_messages

logger = logging.getLogger(__name__)

#: A domain in ASCII (IDNA): labels of letters, digits and inner hyphens, at least two of them.
DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
#: The longest domain name (RFC 1035, section 2.3.4, less the root's dot).
MAX_DOMAIN = 253
#: The most of the setting that is read: about 1,000 domains.
MAX_TEXT = 20_000


def domain_of(text):
    """``text`` as a domain to compare: in ASCII as browsers and mail servers read it (IDNA 2008
    with UTS 46, not transitional: ``bücher.de`` is ``xn--bcher-kva.de``, ``straße.de`` is not
    ``strasse.de``, capitals and full-width dots are mapped), without a leading ``@`` or ``*.`` or
    a trailing dot; "" if it is no domain."""
    text = text.strip()
    if not text or len(text) > MAX_DOMAIN * 4:  # no need to encode more than could fit
        return ""
    try:  # UTS 46 maps capitals to small letters
        ascii_text = idna.encode(text.removeprefix("@").removeprefix("*."),
                                 uts46=True).decode().removesuffix(".")
    except (idna.IDNAError, UnicodeError, ValueError):  # an empty or too long label, a
        return ""  # character IDNA refuses
    return ascii_text if len(ascii_text) <= MAX_DOMAIN and DOMAIN.fullmatch(ascii_text) else ""


def parse(text):
    """The setting's domains (one per line; commas and spaces separate too), each once, in
    order; and the entries that are no domain, as typed."""
    domains, wrong = {}, []  # a dict keeps the order and finds a repeat at once
    for entry in re.split(r"[\s,;]+", str(text or "")[:MAX_TEXT]):
        if not entry:
            continue
        domain = domain_of(entry)
        if not domain:
            wrong.append(entry)
        else:
            domains.setdefault(domain)
    return list(domains), wrong


def ignored_domain(email, domains):
    """The one of ``domains`` that ``email`` is at (the domain itself or a subdomain of it);
    "" if none."""
    email = str(email)  # None has no "@"
    domain = domain_of(email.rpartition("@")[2]) if "@" in email else ""
    if not domain:
        return ""
    wanted = frozenset(domains)
    labels = domain.split(".")
    return next((".".join(labels[n:]) for n in range(len(labels) - 1)
                 if ".".join(labels[n:]) in wanted), "")


def spam_of(check):
    """What a form page's spam check (``get_salesmanago_spam_reason``, as a callable; ``None``:
    none) says: its reason, "" for none; if it fails, a message saying so (the answer is kept
    back rather than sent unchecked)."""
    if check is None:
        return ""
    try:
        return str(check() or "")
    except Exception as err:
        logger.exception("The SALESmanago spam check of a form failed; its answer is quarantined.")
        return stored_messages.message("spam_check_failed", error=type(err).__name__)


@functools.lru_cache(maxsize=16)
def ignored(text):
    """The setting's domains as a set, parsed once per text (every answer asks)."""
    return frozenset(parse(text)[0])


def reason(email, ignored_domains, spam=""):
    """Why an answer is quarantined, as a stored message; "" if it is not. ``spam``: what the
    form page said (``spam_of``); ``ignored_domains``: the setting's text."""
    if isinstance(spam, stored_messages.Message):
        return spam
    if spam:
        return stored_messages.message("quarantined_spam", reason=spam[:200])
    domain = ignored_domain(email, ignored(ignored_domains)) if ignored_domains else ""
    return stored_messages.message("quarantined_domain", domain=domain) if domain else ""
