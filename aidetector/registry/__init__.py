"""Versioned model registry: `models/<UTC version>/` plus a `latest` pointer, on a local folder or on S3."""
