"""The curated knowledge base: parsing and validation (corpus.py), hybrid search (index.py)."""
