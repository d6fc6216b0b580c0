"""Monev Jamsostek warehouse: ingest, gate, model and report on Inpres 2/2021 coverage."""
