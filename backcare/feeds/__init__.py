"""Private iCalendar feeds of a therapist's appointments (SPEC §4)."""
