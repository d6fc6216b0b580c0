.PHONY: setup demo test check test-compose lint bench
setup:
	@bash scripts/setup.sh

# The main job end to end on the embedded warehouse (set-up without the BI server, which
# the demo does not start: `make setup` installs it).
demo:
	@bash scripts/setup.sh --no-bi
	.venv/bin/monev demo

# The whole test suite (unit, DAG, integration, must-fail, security, BI, the compose tier)
# on real PostgreSQL, dbt, GX, Airflow, Superset and Docker.
test: setup
	.venv/bin/ruff check .
	.venv/bin/pytest

# The loop while working (a few minutes): every test but those that start a service or
# build a warehouse from their own landing folder (markers in pyproject.toml). `make test`
# (and CI) still runs them all.
check: setup
	.venv/bin/ruff check .
	.venv/bin/pytest -m "not service and not landing and not slow"

# The compose tier alone (part of `make test`): the project's images built and the stack
# run in Docker (tests/compose, marker `compose`).
test-compose: setup
	.venv/bin/pytest -m compose tests/compose

bench: setup
	for f in bench/bench_*.py; do .venv/bin/python "$$f" || exit 1; done
