.PHONY: setup demo test lint bench
setup:
	@bash scripts/setup.sh

# The main job end to end on the embedded warehouse.
demo: setup
	.venv/bin/monev demo

# The whole test suite (unit, DAG, integration, must-fail) on real PostgreSQL, dbt, GX and Airflow.
test: setup
	.venv/bin/ruff check .
	.venv/bin/pytest

bench: setup
	for f in bench/bench_*.py; do .venv/bin/python "$$f" || exit 1; done
