"""Airflow on one machine: its home, configuration and metadata database
(`airflow_home`), the one set-up sequence every entry point runs (`prepare`), the
in-process runner behind `monev run` and `monev demo`, and the supervisor behind
`monev airflow` (`services`, also the compose stack's start-up)."""
