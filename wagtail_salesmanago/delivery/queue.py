"""The background tasks, as the code that enqueues them finds them.

The tasks (``tasks.py``) sit at the top of the delivery layer: a worker runs one, and it calls
down into the outbox, the backlogs and the history export. That code enqueues tasks in turn (a
retry once it is due, a held site's next check), so it finds them here, where ``tasks.py``
registers them when the app is ready (``apps.py``), rather than importing the layer's top.
"""

import logging

logger = logging.getLogger(__name__)

#: The registered tasks by name (``tasks.py`` registers them).
TASKS = {}


def register(**tasks):
    """Register the django-tasks ``Task`` objects, by the names ``enqueue`` is given."""
    TASKS.update(tasks)


def enqueue(name, *args, run_after=None, failed, **kwargs):
    """Enqueue task ``name`` with ``args`` and ``kwargs``, not before ``run_after`` if given.

    A backend that cannot wait (the immediate one) is not given a task for later:
    ``salesmanago_retry`` runs it when due. If the backend refuses the task, ``failed`` is
    logged and what it was for stays due."""
    task = TASKS[name]
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=run_after)
    try:
        task.enqueue(*args, **kwargs)
    except Exception:
        logger.exception(failed)
