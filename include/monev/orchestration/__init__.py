"""The bodies of the DAGs' tasks and what they share: ingest and report tasks, assets,
callbacks and alerts, completeness and late data, pools, default arguments, the dbt
task group. Where files land is ingest's (monev.ingest.landing, .tracking); running
Airflow on one machine is monev.localrun's."""

# The DAG task bodies run in Airflow's task processes, which reset logging after the
# CLI's setup: filter library warnings and chatty loggers here as well (idempotent).
from monev.console import quiet_libraries

quiet_libraries()
