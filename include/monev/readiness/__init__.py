"""Readiness: is a month (a semester) complete, are its extracts late, is a semester
report due? A stage of its own, read by the DAGs, the report build and the CLI; the
rules' data live in the warehouse (audit.month_completeness) and monev.catalog."""
