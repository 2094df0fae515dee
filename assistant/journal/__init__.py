"""The private journal: crypto.py (keys), vault.py (sealed SQLite store), classifier.py
(red-flag patterns), insights.py (trends), service.py (what the CLI and UI call)."""
