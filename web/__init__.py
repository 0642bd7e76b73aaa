"""The Streamlit web UI: a client of the public API only (same keys, quotas and errors as any developer)."""
