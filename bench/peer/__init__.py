"""The peer in ``make bench``: django-appointment 3.12.0 (PyPI) asked the same availability
questions as Backcare on the same schedule, and put through the same booking race.

``bench/peer/compare.py`` runs on Backcare's side and drives ``bench/peer/worker.py``, which
runs in the peer's own virtual environment (``bench/results/peer-venv``) on a database of its
own, exchanging JSON lines; ``bench/peer/schedule.py`` is the schedule and the oracle both use.
"""
