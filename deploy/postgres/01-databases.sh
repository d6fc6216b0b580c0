#!/usr/bin/env bash
# First start of the stack's PostgreSQL: separate databases for Airflow's metadata, the
# warehouse and Metabase's own application data, each with its own owner.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE ROLE "${AIRFLOW_DB_USER}" LOGIN PASSWORD '${AIRFLOW_DB_PASSWORD}';
CREATE DATABASE "${AIRFLOW_DB_NAME}" OWNER "${AIRFLOW_DB_USER}";
CREATE ROLE "${WAREHOUSE_DB_USER}" LOGIN CREATEROLE PASSWORD '${WAREHOUSE_DB_PASSWORD}';
CREATE DATABASE "${WAREHOUSE_DB_NAME}" OWNER "${WAREHOUSE_DB_USER}";
CREATE ROLE "${METABASE_DB_USER}" LOGIN PASSWORD '${METABASE_DB_PASSWORD}';
CREATE DATABASE "${METABASE_DB_NAME}" OWNER "${METABASE_DB_USER}";
SQL
