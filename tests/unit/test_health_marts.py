"""The data-health marts accept exactly the batch statuses the ingestion writes."""

from __future__ import annotations

import yaml

from monev.config import PROJECT_ROOT
from monev.records import BATCH_STATUSES


def test_mart_kesehatan_muatan_statuses_equal_batch_statuses() -> None:
    doc = yaml.safe_load((PROJECT_ROOT / "dbt_project/models/marts/health/"
                          "mart_kesehatan_muatan.yml").read_text(encoding="utf-8"))
    [status] = [c for c in doc["models"][0]["columns"] if c["name"] == "status"]
    [accepted] = [t["accepted_values"] for t in status["data_tests"]
                  if isinstance(t, dict) and "accepted_values" in t]
    assert set(accepted["arguments"]["values"]) == set(BATCH_STATUSES)
