.PHONY: setup demo test test-compose lint bench
setup:
	@bash scripts/setup.sh

# The main job end to end on the embedded warehouse.
demo: setup
	.venv/bin/monev demo

# The whole test suite (unit, DAG, integration, must-fail) on real PostgreSQL, dbt, GX and Airflow.
test: setup
	.venv/bin/ruff check .
	.venv/bin/pytest

# The compose tier: the project's images built and the stack run in Docker
# (tests/compose, marker `compose`, left out of the default run by pyproject's addopts).
test-compose: setup
	.venv/bin/pytest -m compose tests/compose

bench: setup
	for f in bench/bench_*.py; do .venv/bin/python "$$f" || exit 1; done
