#!/usr/bin/env bash
# First start of the stack's PostgreSQL: separate databases for Airflow's metadata, the
# warehouse and Superset's own metadata, each with its own owner.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE ROLE "${AIRFLOW_DB_USER}" LOGIN PASSWORD '${AIRFLOW_DB_PASSWORD}';
CREATE DATABASE "${AIRFLOW_DB_NAME}" OWNER "${AIRFLOW_DB_USER}";
CREATE ROLE "${WAREHOUSE_DB_USER}" LOGIN CREATEROLE PASSWORD '${WAREHOUSE_DB_PASSWORD}';
CREATE DATABASE "${WAREHOUSE_DB_NAME}" OWNER "${WAREHOUSE_DB_USER}";
-- monev access bounds each BI login's temporary files (temp_file_limit, a superuser
-- parameter): the warehouse login that grants BI logins may set it, nothing more
GRANT SET ON PARAMETER temp_file_limit TO "${WAREHOUSE_DB_USER}";
CREATE ROLE "${SUPERSET_DB_USER}" LOGIN PASSWORD '${SUPERSET_DB_PASSWORD}';
CREATE DATABASE "${SUPERSET_DB_NAME}" OWNER "${SUPERSET_DB_USER}";
SQL
