"""The demo clinic (`backcare demo`): an Atlanta practice built through the same actions the
pages use. ``clinic`` builds it; the other modules add programs, notes, outcomes and history."""
