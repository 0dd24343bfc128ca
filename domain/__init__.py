"""Pure rules of the counter: no I/O, no clocks, no randomness."""
