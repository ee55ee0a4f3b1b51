"""``backcare worker``: sends Backcare's emails and reminders from the task queue.

Django-tasks-db's ``db_worker`` with Backcare's defaults: every queue, no reloading on code
changes (so stopping the process stops the worker), and ``--batch`` to work until the queue is
empty and then exit (for tests, or a cron job instead of a long-running worker).
"""

from __future__ import annotations

from argparse import ArgumentParser

from django_tasks_db.management.commands import db_worker


class Command(db_worker.Command):
    help = "Send Backcare's queued emails and reminders (runs until stopped; --batch: until empty)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)
        for action in parser._actions:
            if action.dest == "reload":
                action.help = "Restart the worker when the code changes (default: off)."
