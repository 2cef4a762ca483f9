"""The SALESmanago endpoint: one parser and one validator for the form, Test connection, the
server configuration and the client, so each accepts exactly the same values.

An endpoint names a server and nothing else: a bare host (``app3.salesmanago.pl``, ``host:port``)
or ``scheme://host[:port]`` with at most a trailing ``/``. Anything that could steer a request
elsewhere on that server or to another one (a path, ``?``, ``#``, ``user:pw@``, a backslash,
spaces or invisible characters) is refused, and URLs are rebuilt from the parsed parts.
"""

import ipaddress
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .. import conf

DEFAULT_PORTS = {"http": 80, "https": 443}
# The shape only; each part is checked on its own below.
SHAPE = re.compile(
    r"(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://)?"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)"
    r"(?::(?P<port>[0-9]*))?"
    r"(?P<slash>/?)"
)
LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
API_PATH = re.compile(r"[A-Za-z0-9]+(?:/[A-Za-z0-9]+)*")

URL_SHAPE = _("Enter a URL like https://app3.salesmanago.pl, without a path, “?” or “#”.")
HOST_SHAPE = _("Enter the host name only, like app3.salesmanago.pl, or a full URL.")


@dataclass(frozen=True)
class Endpoint:
    """A parsed endpoint: scheme, lower-case host and port (``None`` for the scheme's default)."""

    scheme: str
    host: str
    port: int | None = None

    @property
    def url(self):
        """``scheme://host[:port]``, the form two equal endpoints share."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}" + (f":{self.port}" if self.port else "")

    def api_url(self, path):
        """The URL of SALESmanago's ``/api/<path>`` on this server; ``path`` is ours, never input."""
        if not API_PATH.fullmatch(path):
            raise ValueError(f"Not a SALESmanago API path: {path!r}")
        return f"{self.url}/api/{path}"


def parse_endpoint(value):
    """The ``Endpoint`` that ``value`` names, or ``ValidationError`` saying what is wrong with it.

    The shape only: whether plain http or another port may be used is ``validate_endpoint``'s.
    """
    text = str(value or "").strip(" ")
    if not text:
        raise ValidationError(HOST_SHAPE, code="invalid")
    if any(char.isspace() or not char.isprintable() for char in text):
        raise ValidationError(
            _("Remove the spaces and invisible characters from the endpoint."), code="invalid"
        )
    if "@" in text:
        raise ValidationError(
            _("Leave the user name and password out of the endpoint."), code="invalid"
        )
    full_url = "://" in text
    extra = after_server(text)
    if extra not in ("", "/"):
        raise ValidationError(
            _("Leave “%(part)s” out: the endpoint is the server only, like app3.salesmanago.pl."),
            params={"part": extra[:64]}, code="invalid")
    match = SHAPE.fullmatch(text)
    if not match or bool(match["scheme"]) != full_url:
        raise ValidationError(URL_SHAPE if full_url else HOST_SHAPE, code="invalid")
    scheme = (match["scheme"] or "https").lower()
    if scheme not in DEFAULT_PORTS:
        raise ValidationError(URL_SHAPE, code="invalid")
    host = parse_host(match["host"], HOST_SHAPE if not full_url else URL_SHAPE)
    port = match["port"]
    if port is not None:
        if not port or len(port) > 5 or not 0 < int(port) < 65536 or port != str(int(port)):
            raise ValidationError(_("Enter a port number from 1 to 65535."), code="invalid")
        port = int(port)
    if port == DEFAULT_PORTS[scheme]:
        port = None
    return Endpoint(scheme, host, port)


def after_server(text):
    """What follows the server in an endpoint: a path, a query or a fragment ("" if nothing)."""
    address = text.split("://", 1)[-1]
    found = re.search(r"[/?#]", address)
    return address[found.start():] if found else ""


def parse_host(text, message):
    if text.startswith("["):
        try:
            return str(ipaddress.IPv6Address(text[1:-1]))
        except ValueError:
            raise ValidationError(message, code="invalid") from None
    host = text.lower().removesuffix(".")
    if len(host) > 253 or not all(LABEL.fullmatch(label) for label in host.split(".")):
        raise ValidationError(message, code="invalid")
    return host


def local_endpoints_allowed():
    """Plain http and ports other than 443: with ``DEBUG`` or ``WAGTAIL_SALESMANAGO_ALLOW_HTTP``."""
    return bool(settings.DEBUG or conf.get("ALLOW_HTTP"))


def validate_endpoint(value):
    """The ``Endpoint`` if this site may call it; else ``ValidationError``, in words.

    SALESmanago serves its API over https on the standard port; anything else is a local
    sandbox, which needs ``DEBUG`` or ``WAGTAIL_SALESMANAGO_ALLOW_HTTP = True``.
    """
    endpoint = parse_endpoint(value)
    if not local_endpoints_allowed():
        if endpoint.scheme == "http":
            raise ValidationError(
                _("Use https://. Plain http:// is allowed only with DEBUG or "
                  "WAGTAIL_SALESMANAGO_ALLOW_HTTP = True (for a local sandbox)."),
                code="http",
            )
        if endpoint.port:
            raise ValidationError(
                _("Use the standard https port. Other ports are allowed only with DEBUG or "
                  "WAGTAIL_SALESMANAGO_ALLOW_HTTP = True (for a local sandbox)."),
                code="port",
            )
    return endpoint


def same_endpoint(first, second):
    """Whether two endpoint values name the same server (scheme, host and port)."""
    try:
        return parse_endpoint(first) == parse_endpoint(second)
    except ValidationError:
        return str(first or "").strip() == str(second or "").strip()
