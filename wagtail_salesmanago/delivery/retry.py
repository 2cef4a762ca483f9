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
    """How long SALESmanago's "too many requests" pauses its account's calls: what its
    ``Retry-After`` asked (at most ``RETRY_MAX_SECONDS``: a server's clock or a typo must not stop
    a site for a year), or the first retry's wait when it said no time; a second at least."""
    asked = conf.get("RETRY_BASE_SECONDS") if retry_after is None else retry_after
    return min(conf.get("RETRY_MAX_SECONDS"), max(1, asked))


def pause_end(error, now):
    """When the pause a ``ThrottledError`` at ``now`` asks for ends."""
    return now + timedelta(seconds=pause_seconds(error.retry_after))


def spread(now, until, share=None):
    """A moment from ``until`` to a fifth of the wait later (``share`` of it, else a random
    one): what waits out a pause comes due after it, not all at its very end (a burst is what
    the pause was against)."""
    return until + (until - now) * (random.uniform(0, 0.2) if share is None else share)


def next_attempt_at(created_at, attempt, now):
    """When to try again after ``attempt`` failed; ``None`` once the give-up window has passed."""
    at = now + timedelta(seconds=jitter(backoff(attempt)))
    if at > created_at + timedelta(seconds=conf.get("GIVE_UP_AFTER_SECONDS")):
        return None
    return at


def after_throttle(attempt, now, error):
    """When to try again after ``attempt`` was throttled (``error``): not before the pause ends
    (spread) nor before the attempt's own backoff. The records one throttled call carried share
    the moment (one spread per call, kept on ``error``), so that they go in one batch again.
    Never given up: a delivery SALESmanago asks to wait is not failing (``throttle`` starts the
    give-up window again)."""
    if getattr(error, "spread_share", None) is None:
        error.spread_share = random.uniform(0, 0.2)
    return max(spread(now, pause_end(error, now), error.spread_share),
               now + timedelta(seconds=backoff(attempt)))
