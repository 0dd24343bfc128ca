"""The outside world: database, object store, PDF renderer, Temporal."""
