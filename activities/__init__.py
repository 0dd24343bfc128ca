"""Side effects of a visit: one small, idempotent function per effect."""
