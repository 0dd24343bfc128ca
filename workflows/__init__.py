"""Deterministic orchestration. Imports domain types only; activities are called by name."""
