"""The visitor's IP address, recorded with a consent as its proof."""

import ipaddress

from django.core.exceptions import ImproperlyConfigured

from . import conf


def trusted_networks():
    """The TRUSTED_PROXIES option as networks; a value that is none names the option."""
    try:
        return [ipaddress.ip_network(str(value).strip(), strict=False)
                for value in conf.get("TRUSTED_PROXIES")]
    except (TypeError, ValueError) as err:
        raise ImproperlyConfigured(
            f"WAGTAIL_SALESMANAGO_TRUSTED_PROXIES must be a list of IP addresses or networks "
            f"(e.g. [\"10.0.0.0/8\"]): {err}"
        ) from None


def parse_ip(text):
    """The address in ``text``, or ``None``. An IPv4-mapped IPv6 address (``::ffff:10.0.0.5``,
    as dual-stack listeners give IPv4 peers) is its IPv4 address."""
    try:
        address = ipaddress.ip_address(str(text).strip())
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


def client_ip(request):
    """``REMOTE_ADDR``; behind a trusted proxy, the right-most untrusted X-Forwarded-For address.

    Each proxy appends the address it got the request from, so only the entries added by
    trusted proxies are true: the right-most address that is not a trusted proxy is the
    visitor's. Anything before it could be typed by the visitor. "" when no valid address.
    """
    remote = parse_ip(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return ""
    networks = trusted_networks()

    def trusted(address):
        return any(address in network for network in networks)

    if not trusted(remote):
        return str(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop for hop in (part.strip() for part in forwarded.split(",")) if hop]
    for hop in reversed(hops):
        address = parse_ip(hop)
        if address is None:
            return ""  # a garbled chain: no address is better than a wrong one
        if not trusted(address):
            return str(address)
    return str(remote)
