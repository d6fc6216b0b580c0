"""Monthly Monev reports: PDF, Excel annex and HTML built from the marts only."""
