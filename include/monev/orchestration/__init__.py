"""Everything the DAGs call that is not ingest, transform or report logic: where files
land, which ones were already processed, assets, callbacks, alerts, pools, and running
Airflow locally (metadata database, in-process runner)."""

# The DAG task bodies run in Airflow's task processes, which reset logging after the
# CLI's setup: filter library warnings and chatty loggers here as well (idempotent).
from monev.console import quiet_libraries

quiet_libraries()
