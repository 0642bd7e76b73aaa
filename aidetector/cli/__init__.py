"""The `aidetector` command (entry point `aidetector.cli.main:main`; `python -m aidetector.cli` runs it too)."""
