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


def next_attempt_at(created_at, attempt, now):
    """When to try again after ``attempt`` failed; ``None`` once the give-up window has passed."""
    at = now + timedelta(seconds=jitter(backoff(attempt)))
    if at > created_at + timedelta(seconds=conf.get("GIVE_UP_AFTER_SECONDS")):
        return None
    return at
