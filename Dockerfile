# The Airflow image of the monev stack: apache/airflow 3.3.2 plus the pinned project
# stack (requirements.txt) and the monev package, so DAGs import `monev.*` like locally.
FROM apache/airflow:3.3.2-python3.11

USER root
# Pango for WeasyPrint (PDF reports), fonts for the charts.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-dejavu-core fonts-liberation2 \
 && rm -rf /var/lib/apt/lists/*
USER airflow

COPY --chown=airflow:root requirements.txt /opt/monev/requirements.txt
RUN pip install --no-cache-dir -r /opt/monev/requirements.txt

COPY --chown=airflow:root pyproject.toml /opt/monev/
COPY --chown=airflow:root include /opt/monev/include
COPY --chown=airflow:root dbt_project /opt/monev/dbt_project
COPY --chown=airflow:root expectations /opt/monev/expectations
RUN pip install --no-cache-dir --no-deps -e /opt/monev
# the front door (links to Superset, the reports site, dbt docs, GX Data Docs)
COPY --chown=airflow:root plugins /opt/airflow/plugins

# Apache Superset (the BI service, `monev bi up --foreground`) in its own virtualenv from
# the same frozen constraints as scripts/setup.sh: it needs SQLAlchemy 1.4 and older
# pandas/numpy than the project's stack.
COPY --chown=airflow:root deploy/superset /opt/monev/deploy/superset
USER root
RUN mkdir -p /opt/monev/.venv-superset && chown airflow:root /opt/monev/.venv-superset
USER airflow
RUN python -m venv /opt/monev/.venv-superset \
 && /opt/monev/.venv-superset/bin/pip install --no-cache-dir \
    -r /opt/monev/deploy/superset/constraints.txt
