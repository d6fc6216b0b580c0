"""Running the dbt project in-process: profile from the warehouse URL, build, summary."""
