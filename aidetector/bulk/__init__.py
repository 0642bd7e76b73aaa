"""Batch scoring: a JSONL or CSV file in, the same rows with verdicts out, resumable through a SQLite results DB."""
