"""The ways the sandbox can misbehave, as SALESmanago sometimes does, and how they are set."""

import math
from dataclasses import asdict, dataclass, fields

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off", "")


@dataclass
class Faults:
    """Misbehaviour on demand. Every fault's default means "behave"."""

    latency: float = 0.0  # seconds added before every API answer
    hang: float = 0.0  # seconds to wait, then drop the connection without answering
    status: int = 0  # answer every API call with this HTTP status (e.g. 500)
    retry_after: str = ""  # with ``status``: a Retry-After header (seconds, or an HTTP date)
    fail_next: int = 0  # answer the next N API calls with HTTP 500
    failure_rate: float = 0.0  # answer this fraction of API calls with HTTP 500
    auth_fail: bool = False  # answer every API call "Not authenticated"
    non_json: bool = False  # answer every API call with an HTML page
    batch_drop: int = 0  # the next N contacts sent in batchupsert calls are lost (not stored)
    batch_drop_rate: float = 0.0  # this fraction of contacts in batchupsert calls is lost

    def update(self, values):
        """Set faults from a JSON object; ``None`` (JSON ``null``) puts a fault back to its default.

        Nothing changes unless every value is valid, so a typo never leaves half a change behind.
        """
        if not isinstance(values, dict):
            raise ValueError('Send a JSON object, like {"status": 500} or {"status": null}.')
        known = [f.name for f in fields(self)]
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(
                f"Unknown fault(s): {', '.join(unknown)}. Known faults: {', '.join(known)}."
            )
        parsed = {name: parse(name, value) for name, value in values.items()}
        for name, value in parsed.items():
            setattr(self, name, value)

    def describe(self):
        return asdict(self)


# Each fault: what its values may be, said the way the error message says it.
RULES = {
    "latency": (float, lambda v: v >= 0, "a number of seconds, 0 or more"),
    "hang": (float, lambda v: v >= 0, "a number of seconds, 0 or more"),
    "status": (int, lambda v: v == 0 or 100 <= v <= 599, "an HTTP status (100-599), or 0"),
    "retry_after": (str, lambda v: 0 < len(v) <= 64 and v.isprintable(),
                    "a Retry-After value (seconds, or an HTTP date)"),
    "fail_next": (int, lambda v: v >= 0, "a whole number, 0 or more"),
    "failure_rate": (float, lambda v: 0 <= v <= 1, "a fraction from 0 to 1"),
    "auth_fail": (bool, None, "true or false"),
    "non_json": (bool, None, "true or false"),
    "batch_drop": (int, lambda v: v >= 0, "a whole number, 0 or more"),
    "batch_drop_rate": (float, lambda v: 0 <= v <= 1, "a fraction from 0 to 1"),
}


def parse(name, value):
    """``value`` for fault ``name``, or ``ValueError`` saying what the fault accepts."""
    if value is None:
        return getattr(Faults, name)
    kind, valid, accepted = RULES[name]
    try:
        parsed = _convert(kind, value)
    except (TypeError, ValueError):
        parsed = None
    if parsed is None or (valid and not valid(parsed)):
        raise ValueError(f"{name} must be {accepted}, or null to clear it; got {value!r}.")
    return parsed


def _convert(kind, value):
    if kind is bool:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None
    if isinstance(value, bool):  # JSON true is not a number of seconds
        return None
    if kind is str:  # a number of seconds may come as a JSON number
        return str(value).strip() if isinstance(value, (str, int)) else None
    if kind is int and isinstance(value, float):
        return int(value) if value.is_integer() else None
    number = kind(value)
    return number if math.isfinite(number) else None
