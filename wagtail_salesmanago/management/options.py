"""Command-line options the management commands share."""

import argparse

from django.utils.translation import gettext as _

from .. import conf


def batch_size(text):
    """``--batch-size``: contacts per ``contact/batchupsert`` call, 1 to ``conf.MAX_BATCH_SIZE``."""
    try:
        value = int(text)
    except ValueError:
        value = None
    if not conf.is_batch_size(value):
        raise argparse.ArgumentTypeError(
            _("“%(text)s” is not a batch size: give a whole number from 1 to %(max)s.")
            % {"text": text, "max": conf.MAX_BATCH_SIZE}
        )
    return value
