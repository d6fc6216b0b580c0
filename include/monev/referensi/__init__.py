"""Reference data shipped with the warehouse (regions, code changes, BPS bridge)."""
