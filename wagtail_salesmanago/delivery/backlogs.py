"""Sending batch after batch, each claimed while the one before it is in flight (``batches``
sends one): ``drain`` for a backlog of due records, ``send_batches`` for any source of claims
(``history``'s stored past answers)."""

from django.utils import timezone

from .. import conf
from ..records import ExportRecord
from . import batches


def drain(*, limit=None, size=None, rounds=None):
    """Send due e-mail contacts batch after batch; ``{record id: its status}`` of those taken."""
    size, began, taken = batches.fitting(size or conf.batch_size()), timezone.now(), 0

    def next_ids(now):
        nonlocal taken, rounds
        if rounds == 0 or (limit is not None and taken >= limit):
            return []
        ids = batches.claim(size if limit is None else min(size, limit - taken), now, began)
        taken, rounds = taken + len(ids), None if rounds is None else rounds - 1
        return ids

    return send_batches(next_ids)


def send_batches(next_ids):
    """Batch after batch, each claimed by ``next_ids(now)`` (none: done); ``{record id: status}``.

    The next batch is claimed and read while the current one's call is in flight, so that the
    database's work overlaps SALESmanago's answer; calls still go one at a time, in order, and a
    batch's outcomes are written before the next one is sent (a hold it starts stops the next).
    """
    outcomes, batch = {}, read(next_ids)
    while batch is not None:
        ahead = []

        def meanwhile():
            if not ahead:  # once per batch, by the first of its calls
                ahead.append(read(next_ids))

        outcomes.update(batches.send_records(*batch, meanwhile=meanwhile))
        batch = ahead[0] if ahead else read(next_ids)
    return outcomes


def read(next_ids):
    """The next batch's records and the time it was claimed; ``None`` when none is left."""
    started = timezone.now()
    ids = next_ids(started)
    if not ids:
        return None
    try:
        return list(ExportRecord.objects.filter(pk__in=ids).order_by("next_attempt_at", "pk")), started
    except Exception:  # claimed, not read: given back at once
        batches.give_back(ids)
        raise
