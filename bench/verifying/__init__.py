"""The verify benchmark (bench/verify.py) by concern: statements, export, floors, sections, report."""
