"""Ingestion: parse → stage → gate → publish, with an audit record for every file."""
