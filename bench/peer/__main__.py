"""``python -m bench.peer``: Backcare beside django-appointment (bench/peer/compare.py)."""

from bench.peer.compare import main

main()
