"""Everything Backcare emails: one queue, one idempotent way to send (``outbox.send_notice``)."""
