"""The tasks are found by name (delivery/queue.py): what tasks.py registers when the app is ready."""

from wagtail_salesmanago.delivery import queue, tasks


def test_the_apps_tasks_are_registered_by_name_when_it_is_ready():
    assert queue.TASKS == {"deliver_export": tasks.deliver_export, "check_hold": tasks.check_hold,
                           "export_past_answers": tasks.export_past_answers,
                           "erase_in_salesmanago": tasks.erase_in_salesmanago}


def test_a_task_registered_later_is_found_by_its_name_beside_the_others():
    before = dict(queue.TASKS)
    try:
        queue.register(another=tasks.check_hold)
        assert queue.TASKS == {**before, "another": tasks.check_hold}
    finally:
        queue.TASKS.clear()
        queue.TASKS.update(before)
