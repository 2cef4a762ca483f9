"""When to try a delivery again: exponential backoff with jitter, and when to give up."""

import random
from datetime import timedelta

from .. import conf


def backoff(attempt):
    """Seconds before attempt ``attempt + 1``: ``base * 2**(attempt - 1)``, capped."""
    base, cap = conf.get("RETRY_BASE_SECONDS"), conf.get("RETRY_MAX_SECONDS")
    return min(cap, base * 2 ** max(attempt - 1, 0))


def jitter(seconds):
    """Spread retries so a recovering SALESmanago is not hit by every site at once."""
    return seconds * random.uniform(0.8, 1.2)


def pause_seconds(retry_after):
    """How long SALESmanago's "too many requests" pauses a site's calls: what its ``Retry-After``
    asked (at least a second, at most ``RETRY_MAX_SECONDS``: a server's clock or a typo must not
    stop a site for a year), or the first retry's wait when it said no time."""
    if retry_after is None:
        return conf.get("RETRY_BASE_SECONDS")
    return min(conf.get("RETRY_MAX_SECONDS"), max(1, retry_after))


def next_attempt_at(created_at, attempt, now, *, at_least=0):
    """When to try again after ``attempt`` failed, ``at_least`` seconds from ``now`` (what
    SALESmanago asked to wait); ``None`` once the give-up window has passed."""
    at = now + timedelta(seconds=max(at_least, jitter(backoff(attempt))))
    if at > created_at + timedelta(seconds=conf.get("GIVE_UP_AFTER_SECONDS")):
        return None
    return at
