"""Superset's v1 import bundle, written from the dashboard spec (monev.bi.spec).

Why a generator and not a folder of exported YAML: each warehouse BI login gets its own
Superset connection (PostgreSQL's row-level security applies to the connection's role),
and a chart belongs to one dataset of one connection — so every login needs its own
copy of datasets, charts and dashboards. Generating them from one short spec gives each
copy fixed UUIDs derived from (login, object) — a re-import updates the same objects —
and keeps the columns in step with the marts' dbt ymls, which the datasets are read from.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from monev.bi.spec import DASHBOARDS, LABELS, Chart, Dashboard, latest_month, month_condition
from monev.config import settings

NAMESPACE = uuid.UUID("6f1c8f43-6c0b-4d55-9a55-2f6c1f0d3b21")
ROOT = "monev_bundle"


def object_uuid(login: str, kind: str, key: str) -> str:
    """The fixed UUID of one object of one login's copy."""
    return str(uuid.uuid5(NAMESPACE, f"{login}/{kind}/{key}"))


def database_name(login: str) -> str:
    return f"Gudang Monev ({login})"


def database_file(login: str) -> str:
    """The bundle path the import's `passwords` field is keyed by."""
    return f"databases/gudang_{login}.yaml"


def dataset_name(login: str, table: str, months: str | None = None) -> str:
    return f"{table}{' ' + months if months else ''} ({login})"


def dataset_key(table: str, months: str | None) -> str:
    return f"{table}.{months}" if months else table


# The chosen month as SQL, rendered by Superset's Jinja from the dashboard's month filter:
# `remove_filter` takes the filter's own `periode IN (…)` off the outer query, so the
# 12-month trend is not cut to one month. The value is an epoch-ms number (a date
# column's value in a filter) or a date text; it is cast, never pasted in as SQL.
_CHOSEN = ("{% set v = filter_values('periode', remove_filter=True) %}"
           "{% set bulan %}"
           "{% if v and (v[0] is number or (v[0] | string).isdigit()) %}"
           "(timestamp 'epoch' + {{ v[0] | int }} * interval '1 millisecond')::date"
           "{% elif v %}'{{ v[0] | string | replace(\"'\", \"''\") }}'::date"
           "{% else %}{{ latest }}{% endif %}{% endset %}")


def dataset_sql(table: str, months: str | None) -> str:
    """The dataset's query: the mart as it is (RLS applies inside it), cut to the chosen
    month(s) when the charts on it follow the month filter."""
    if months is None:
        return f"SELECT * FROM marts.{table}"
    chosen = _CHOSEN.replace("{{ latest }}", latest_month(table))
    return f"{chosen}SELECT * FROM marts.{table} WHERE {month_condition(months, '{{ bulan }}')}"


def slug(dashboard: Dashboard, login: str) -> str:
    return f"{dashboard.slug}-{login.replace('_', '-')}"


@cache
def _mart_columns() -> dict[str, list[tuple[str, str, str]]]:
    """(name, data_type, description) of every marts model, from the dbt ymls."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for path in sorted((Path(settings().dbt_project_dir) / "models" / "marts").rglob("*.yml")):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            out[model["name"]] = [(c["name"], c.get("data_type", "text"),
                                   (c.get("description") or "").strip())
                                  for c in model.get("columns", [])]
    return out


def _database(login: str, uri: str) -> dict[str, Any]:
    return {
        "database_name": database_name(login), "sqlalchemy_uri": uri,
        "cache_timeout": None, "expose_in_sqllab": True, "allow_run_async": False,
        "allow_ctas": False, "allow_cvas": False, "allow_dml": False,
        "allow_file_upload": False,
        # the session is read-only too (defence in depth: the role's grants already
        # allow reads of the marts only, and SQL Lab refuses every statement but a query)
        "extra": {"allows_virtual_table_explore": False,
                  "schemas_allowed_for_file_upload": [], "metadata_params": {},
                  "engine_params": {"connect_args": {
                      "options": "-c default_transaction_read_only=on"}},
                  "metadata_cache_timeout": {}},
        "uuid": object_uuid(login, "database", "gudang"), "version": "1.0.0",
    }


def _dataset(login: str, table: str, months: str | None = None) -> dict[str, Any]:
    columns = [{
        "column_name": name, "verbose_name": LABELS.get(name),
        "is_dttm": dtype in ("date",) or dtype.startswith("timestamp"),
        "is_active": True, "type": dtype.upper(), "advanced_data_type": None,
        "groupby": True, "filterable": True, "expression": None,
        "description": desc or None, "python_date_format": None, "extra": {},
    } for name, dtype, desc in _mart_columns()[table]]
    dttm = "periode" if any(c["column_name"] == "periode" for c in columns) else None
    # A virtual dataset named per login: Superset's SQLite metadata keeps a unique
    # constraint on a physical dataset's table name, so two connections could not both
    # have `marts.<table>`. The query is the mart as it is; RLS applies inside it.
    return {
        "table_name": dataset_name(login, table, months), "main_dttm_col": dttm,
        "description": None, "default_endpoint": None, "offset": 0, "cache_timeout": None,
        "schema": "marts", "sql": dataset_sql(table, months), "params": None,
        "template_params": None, "filter_select_enabled": True,
        "fetch_values_predicate": None, "extra": None, "normalize_columns": False,
        "always_filter_main_dttm": False,
        "uuid": object_uuid(login, "dataset", dataset_key(table, months)),
        "metrics": [{"metric_name": "count", "verbose_name": "Jumlah baris",
                     "metric_type": "count", "expression": "COUNT(*)", "description": None,
                     "d3format": None, "extra": {}, "warning_text": None}],
        "columns": columns, "version": "1.0.0",
        "database_uuid": object_uuid(login, "database", "gudang"),
    }


def _adhoc_metric(m: Any) -> dict[str, Any]:
    return {"expressionType": "SQL", "sqlExpression": m.sql, "label": m.label,
            "hasCustomLabel": True,
            "optionName": "metric_" + uuid.uuid5(NAMESPACE, m.label + m.sql).hex[:12]}


def _form_data(c: Chart) -> dict[str, Any]:
    filters = [{"expressionType": "SQL", "sqlExpression": w, "clause": "WHERE",
                "subject": None, "operator": None, "comparator": None,
                "filterOptionName": f"f{i}"} for i, w in enumerate(c.where)]
    fd: dict[str, Any] = {"viz_type": c.viz, "adhoc_filters": filters, "row_limit": 10000,
                          "extra_form_data": {}, "dashboards": []}
    if c.viz == "table":
        fmt = {col: {"d3NumberFormat": f} for col, f in c.formats.items()}
        fd.update(table_timestamp_format="%B %Y", server_pagination=False,
                  include_search=False, show_cell_bars=False, column_config=fmt,
                  allow_rearrange_columns=False, percent_metrics=[])
        if c.aggregate:
            fd.update(query_mode="aggregate", groupby=_columns(c),
                      metrics=[_adhoc_metric(m) for m in c.metrics],
                      timeseries_limit_metric=None, order_desc=True,
                      all_columns=[], order_by_cols=[])
            fd["column_config"].update({m.label: {"d3NumberFormat": m.format}
                                        for m in c.metrics})
        else:
            fd.update(query_mode="raw", all_columns=list(c.columns), groupby=[], metrics=[],
                      order_by_cols=[json.dumps([col, asc]) for col, asc in c.order])
    elif c.viz == "big_number_total":
        (m,) = c.metrics
        fd.update(metric=_adhoc_metric(m), y_axis_format=m.format, header_font_size=0.4,
                  subheader_font_size=0.15, subheader=m.label)
    else:  # echarts_timeseries_line: x = periode, a series per group-by column value
        fd.update(x_axis="periode", time_grain_sqla="P1M",
                  metrics=[_adhoc_metric(m) for m in c.metrics], groupby=list(c.columns),
                  y_axis_format=c.metrics[0].format, x_axis_time_format="%b %Y",
                  show_legend=True, markerEnabled=True, rich_tooltip=True,
                  truncate_metric=True, order_desc=True, row_limit=10000)
    return fd


def query(c: Chart) -> dict[str, Any]:
    """The one query of the chart's stored query_context (what GET /chart/<id>/data runs)."""
    q: dict[str, Any] = {
        "filters": [], "extras": {"where": " AND ".join(f"({w})" for w in c.where),
                                  "having": ""},
        "applied_time_extras": {}, "annotation_layers": [], "row_limit": 10000,
        "series_limit": 0, "url_params": {}, "custom_params": {}, "custom_form_data": {},
        "post_processing": [],
    }
    if c.viz == "echarts_timeseries_line":
        q.update(columns=[{"columnType": "BASE_AXIS", "sqlExpression": "periode",
                           "label": "periode", "expressionType": "SQL", "timeGrain": "P1M"},
                          *c.columns],
                 metrics=[_adhoc_metric(m) for m in c.metrics],
                 orderby=[], is_timeseries=False)
    elif c.aggregate:
        q.update(columns=_columns(c), metrics=[_adhoc_metric(m) for m in c.metrics],
                 orderby=[[_order_term(c, col), asc] for col, asc in c.order])
    else:
        # no "metrics" key at all: an empty list would make Superset GROUP BY
        q.update(columns=list(c.columns), orderby=[[col, asc] for col, asc in c.order])
    return q


def _columns(c: Chart) -> list[Any]:
    """Group-by columns: the mart's by name, computed ones as SQL with their label."""
    return [{"expressionType": "SQL", "sqlExpression": c.computed[n], "label": n}
            if n in c.computed else n for n in c.columns]


def _order_term(c: Chart, name: str) -> Any:
    m = next((m for m in c.metrics if m.label == name), None)
    if name in c.computed:  # ordered by the expression (an "adhoc metric" to Superset)
        return {"expressionType": "SQL", "sqlExpression": c.computed[name], "label": name,
                "hasCustomLabel": True}
    return _adhoc_metric(m) if m else name


def _chart(login: str, c: Chart) -> dict[str, Any]:
    fd = _form_data(c)
    context = {"datasource": {"id": 0, "type": "table"}, "force": False,
               "queries": [query(c)], "form_data": fd, "result_format": "json",
               "result_type": "full"}
    return {
        "slice_name": c.title, "description": None, "certified_by": None,
        "certification_details": None, "viz_type": c.viz, "params": fd,
        "query_context": json.dumps(context), "cache_timeout": None,
        "uuid": object_uuid(login, "chart", c.key), "version": "1.0.0",
        "dataset_uuid": object_uuid(login, "dataset", dataset_key(c.table, c.months)),
    }


def _position(login: str, d: Dashboard) -> dict[str, Any]:
    """Rows of charts filling 12 grid columns, in spec order."""
    pos: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [],
                    "parents": ["ROOT_ID"]},
        "HEADER_ID": {"type": "HEADER", "id": "HEADER_ID", "meta": {"text": d.title}},
    }
    rows: list[list[Chart]] = [[]]
    for c in d.charts:
        if sum(x.width for x in rows[-1]) + c.width > 12:
            rows.append([])
        rows[-1].append(c)
    for i, row in enumerate(rows):
        rid = f"ROW-{d.key}-{i}"
        pos["GRID_ID"]["children"].append(rid)
        pos[rid] = {"type": "ROW", "id": rid, "children": [],
                    "parents": ["ROOT_ID", "GRID_ID"],
                    "meta": {"background": "BACKGROUND_TRANSPARENT"}}
        for c in row:
            cid = f"CHART-{c.key}"
            pos[rid]["children"].append(cid)
            pos[cid] = {"type": "CHART", "id": cid, "children": [],
                        "parents": ["ROOT_ID", "GRID_ID", rid],
                        "meta": {"width": c.width, "height": c.height, "chartId": 0,
                                 "sliceName": c.title,
                                 "uuid": object_uuid(login, "chart", c.key)}}
    return pos


def _dashboard(login: str, d: Dashboard) -> dict[str, Any]:
    return {
        "dashboard_title": d.title, "description": None, "css": "", "slug": slug(d, login),
        "certified_by": None, "certification_details": None, "published": True,
        "uuid": object_uuid(login, "dashboard", d.key), "position": _position(login, d),
        "metadata": {"color_scheme": "supersetColors", "refresh_frequency": 0,
                     "expanded_slices": {}, "label_colors": {}, "timed_refresh_immune_slices": [],
                     "cross_filters_enabled": False,
                     "native_filter_configuration": [_month_filter(login)] if d.month_filter
                     else [],
                     "shared_label_colors": [], "color_scheme_domain": []},
        "version": "1.0.0",
    }


MONTH_FILTER_ID = "NATIVE_FILTER-bulan"
MONTH_FILTER_TABLE = "mart_monev_wilayah_bulanan"  # the months offered: this mart's


def _month_filter(login: str) -> dict[str, Any]:
    """"Bulan": one month, required, the first of the months sorted newest first (the
    latest) by default; every chart of the dashboard is in its scope."""
    return {
        "id": MONTH_FILTER_ID, "name": "Bulan", "filterType": "filter_select",
        "type": "NATIVE_FILTER", "description": "Bulan data (bawaan: bulan terakhir)",
        "targets": [{"datasetUuid": object_uuid(login, "dataset", MONTH_FILTER_TABLE),
                     "column": {"name": "periode"}}],
        "controlValues": {"enableEmptyFilter": True, "defaultToFirstItem": True,
                          "multiSelect": False, "searchAllOptions": False,
                          "inverseSelection": False, "sortAscending": False},
        "defaultDataMask": {"extraFormData": {}, "filterState": {}, "ownState": {}},
        "cascadeParentIds": [], "scope": {"rootPath": ["ROOT_ID"], "excluded": []},
    }


def files(login: str, uri: str, dashboards: tuple[Dashboard, ...] | None = None
          ) -> dict[str, str]:
    """The bundle's files (path inside the root folder -> YAML text) of one login's copy.
    `uri` carries no password: it is sent in the import's `passwords` field."""
    out = {"metadata.yaml": {"version": "1.0.0", "type": "assets",
                             "timestamp": "2026-01-01T00:00:00+00:00"},
           database_file(login): _database(login, uri)}
    for d in dashboards or DASHBOARDS:
        if d.month_filter:
            out[f"datasets/gudang_{login}/{MONTH_FILTER_TABLE}.yaml"] = _dataset(
                login, MONTH_FILTER_TABLE)
        for c in d.charts:
            key = dataset_key(c.table, c.months)
            out[f"datasets/gudang_{login}/{key}.yaml"] = _dataset(login, c.table, c.months)
            out[f"charts/{c.key}_{login}.yaml"] = _chart(login, c)
        out[f"dashboards/{d.key}_{login}.yaml"] = _dashboard(login, d)
    return {k: yaml.safe_dump(v, allow_unicode=True, sort_keys=False) for k, v in out.items()}


def zipped(contents: dict[str, str]) -> bytes:
    """The ZIP the import endpoint takes: one top-level folder."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in contents.items():
            z.writestr(f"{ROOT}/{name}", text)
    return buf.getvalue()
