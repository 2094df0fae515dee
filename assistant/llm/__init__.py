"""Chat models behind one narrow protocol (see base.py)."""
