"""Everything the DAGs call that is not ingest, transform or report logic: where files
land, which ones were already processed, assets, callbacks, alerts, pools, and running
Airflow locally (metadata database, in-process runner)."""
