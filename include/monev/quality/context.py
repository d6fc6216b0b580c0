"""The GX context, configured in code: nothing is generated into the repository.

Expectation suites and checkpoints live in memory (they are rebuilt from
`expectations/` on every run); validation results go to a folder under the state
directory so the Data Docs site can list the whole history, not only the last run.
"""

from __future__ import annotations

from typing import Any

from monev.config import settings

DOCS_SITE = "monev"


def results_dir() -> Any:
    return settings().state_dir / "gx" / "validations"


def gx_context() -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        analytics_enabled=False,
    )
    config.stores["validation_results_store"] = {
        "class_name": "ValidationResultsStore",
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(results_dir()),
        },
    }
    config.validation_results_store_name = "validation_results_store"
    config.data_docs_sites = {
        DOCS_SITE: {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(settings().data_docs_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    }
    return gx.get_context(project_config=config, mode="ephemeral")
