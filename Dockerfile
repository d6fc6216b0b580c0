# The Airflow image of the monev stack: apache/airflow 3.3.2 plus the pinned project
# stack (requirements.txt) and the monev package, so DAGs import `monev.*` like locally.
# The same image runs Superset (its own virtualenv), the reports site
# (`monev reports serve`) and the mail catcher (aiosmtpd).
#
# Build arguments (the defaults are what a deployer pulls; tests/compose swaps them for
# local stand-ins built from Debian, on machines that cannot pull):
#   AIRFLOW_BASE_IMAGE  the base image (default apache/airflow:3.3.2-python3.11)
#   PIP_ARGS            extra pip options, e.g. "--no-index --find-links <wheelhouse>"
ARG AIRFLOW_BASE_IMAGE=apache/airflow:3.3.2-python3.11
FROM ${AIRFLOW_BASE_IMAGE}
ARG PIP_ARGS=""

USER root
# Pango for WeasyPrint (PDF reports), fonts for the charts.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-dejavu-core fonts-liberation2 \
 && rm -rf /var/lib/apt/lists/*
USER airflow

COPY --chown=airflow:root requirements.txt /opt/monev/requirements.txt
RUN pip install --no-cache-dir ${PIP_ARGS} -r /opt/monev/requirements.txt

# Apache Superset (the BI service, `monev bi up --foreground`) in its own virtualenv from
# the same frozen constraints as scripts/setup.sh: it needs SQLAlchemy 1.4 and older
# pandas/numpy than the project's stack. Before the project's code, so a code change
# rebuilds neither virtualenv.
COPY --chown=airflow:root deploy/superset/constraints.txt /opt/monev/deploy/superset/constraints.txt
USER root
RUN mkdir -p /opt/monev/.venv-superset && chown airflow:root /opt/monev/.venv-superset
USER airflow
RUN python -m venv /opt/monev/.venv-superset \
 && /opt/monev/.venv-superset/bin/pip install --no-cache-dir ${PIP_ARGS} \
    -r /opt/monev/deploy/superset/constraints.txt

COPY --chown=airflow:root pyproject.toml /opt/monev/
COPY --chown=airflow:root include /opt/monev/include
COPY --chown=airflow:root dbt_project /opt/monev/dbt_project
COPY --chown=airflow:root expectations /opt/monev/expectations
COPY --chown=airflow:root deploy/superset /opt/monev/deploy/superset
RUN pip install --no-cache-dir --no-deps ${PIP_ARGS} -e /opt/monev \
 && MONEV_STATE_DIR=/tmp/monev-build WAREHOUSE_URL=postgresql://parse-only@localhost/monev \
    python -c \
    'from monev.orchestration.dbt_group import ensure_manifest; ensure_manifest()' \
 && rm -rf /tmp/monev-build
# the front door (links to Superset, the reports site, dbt docs, GX Data Docs)
COPY --chown=airflow:root plugins /opt/airflow/plugins
