"""
Adapters that keep boards: SQLite (embedded default) and PostgreSQL (multi-node).
"""
