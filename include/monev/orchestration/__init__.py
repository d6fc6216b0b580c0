"""The bodies of the DAGs' tasks and what they share: ingest and report tasks, assets,
callbacks and alerts, pools, default arguments, the dbt task group. Whether a month
is ready (completeness, late data, the semester plan) is monev.readiness's; where files
land is ingest's (monev.ingest.landing, .tracking); running Airflow on one machine is
monev.localrun's.

Importing this package changes nothing: the DAG files import it at parse time, where
only names are wanted. Library noise is quietened in the task process, before each
task runs (`defaults.default_args`' `on_execute_callback`)."""
