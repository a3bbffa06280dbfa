"""Deterministic demo data: ``population`` generates plain dicts (no database), ``loader`` writes them.

Nothing is re-exported here, so importing the generators never pulls in the database layer.
"""
