"""Benchmark (not a test): the dashboards through Superset on synthetic marts — cold
start of the BI server to the first dashboard served, and p50/p95 of the chart-data
requests of the national dashboard (national login) and the provincial dashboard
(a provincial login, through row-level security).

    .venv/bin/python bench/bench_bi.py [--months 24] [--rentan-months 3]
        [--rentan-rows 6000000] [--end 2024-12] [--repeat 20] [--port 18398]

The warehouse is built as bench/bench_transform.py --dashboards-only builds it (the
history, then the new month incrementally). Targets (issue 22): chart p95 <= 1 s at 24
national months; start to served <= 30 s once installed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_transform import dashboards_warehouse
from harness import quiet, scratch_warehouse

from monev.bi import assets, bundle, server, spec
from monev.bi.api import Superset
from monev.config import PROJECT_ROOT, reset_settings

PASSWORD = "bench-bi-Pw-1"  # throw-away logins of a scratch database


def _dashboard_charts(api: Superset, login: str, key: str) -> list[int]:
    d = next(d for d in spec.DASHBOARDS if d.key == key)
    return [api.find("chart", uuid=bundle.object_uuid(login, "chart", c.key))[0]["id"]
            for c in d.charts]


def _serve_dashboard(api: Superset, login: str, key: str) -> None:
    """What a browser asks for a dashboard: its definition, then every chart's data."""
    d = next(d for d in spec.DASHBOARDS if d.key == key)
    api.call("GET", f"/api/v1/dashboard/{bundle.slug(d, login)}")
    for chart in _dashboard_charts(api, login, key):
        api.call("GET", f"/api/v1/chart/{chart}/data/")


def _timings(base: str, login: str, key: str, repeat: int) -> dict[str, list[float]]:
    """Seconds of each chart's data requests, by chart key."""
    d = next(d for d in spec.DASHBOARDS if d.key == key)
    with Superset(base, login, PASSWORD) as api:
        charts = dict(zip([c.key for c in d.charts], _dashboard_charts(api, login, key),
                          strict=True))
        out: dict[str, list[float]] = {k: [] for k in charts}
        for _ in range(repeat):
            for k, chart in charts.items():
                t = time.perf_counter()
                api.call("GET", f"/api/v1/chart/{chart}/data/")
                out[k].append(time.perf_counter() - t)
    return out


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--rentan-months", type=int, default=3)
    ap.add_argument("--rentan-rows", type=int, default=6_000_000)
    ap.add_argument("--end", default="2024-12")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--port", type=int, default=18398)
    args = ap.parse_args()
    quiet()
    if not server.installed():
        raise SystemExit("Superset is not installed: run `make setup`")

    with scratch_warehouse("monev_bench_bi") as (cluster, url, work):
        # BI logins are cluster roles: made by the superuser (`monev access` does the same)
        os.environ["WAREHOUSE_ADMIN_URL"] = cluster.admin_url("monev_bench_bi")
        reset_settings()
        t = time.perf_counter()
        dashboards_warehouse(url, work, args.months, args.rentan_months, args.rentan_rows,
                             args.end)
        print(f"warehouse ready in {time.perf_counter() - t:.0f}s")

        from monev.transform import access

        monev = str(Path(sys.executable).parent / "monev")
        env = {**os.environ}
        base = f"http://127.0.0.1:{args.port}"
        try:
            # cold: first start ever (metadata from the template, admin, bundle import)
            t = time.perf_counter()
            done = subprocess.run([monev, "bi", "up", "--port", str(args.port)], env=env,
                                  cwd=PROJECT_ROOT, capture_output=True, text=True)
            if done.returncode:
                raise SystemExit(done.stdout + done.stderr)
            with assets.admin_session(base) as api:
                _serve_dashboard(api, assets.DEFAULT_LOGIN, "nasional")
            first = time.perf_counter() - t
            subprocess.run([monev, "bi", "down"], env=env, capture_output=True, check=True)
            # warm: a restart of an installed, initialised server
            t = time.perf_counter()
            subprocess.run([monev, "bi", "up", "--port", str(args.port)], env=env,
                           cwd=PROJECT_ROOT, capture_output=True, check=True)
            with assets.admin_session(base) as api:
                _serve_dashboard(api, assets.DEFAULT_LOGIN, "nasional")
            restart = time.perf_counter() - t

            access.grant("bench_bi_nasional", None, PASSWORD)
            access.grant("bench_bi_62", "62", PASSWORD)
            for login in ("bench_bi_nasional", "bench_bi_62"):
                assets.add_login(login, PASSWORD, base)
            nas = _timings(base, "bench_bi_nasional", "nasional", args.repeat)
            prov = _timings(base, "bench_bi_62", "provinsi", args.repeat)
        finally:
            subprocess.run([monev, "bi", "down"], env=env, capture_output=True)
            import psycopg

            # roles are the cluster's, and only its superuser may drop what they own
            with psycopg.connect(cluster.admin_url("monev_bench_bi"), autocommit=True) as conn:
                for role in ("bench_bi_nasional", "bench_bi_62", assets.DEFAULT_LOGIN):
                    if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                                    (role,)).fetchone():
                        conn.execute(f'DROP OWNED BY "{role}"')
                        conn.execute(f'DROP ROLE "{role}"')
        print(f"{'':34}{'p50':>9}{'p95':>9}{'max':>9}  requests")
        for name, by_chart in (("national dashboard (national)", nas),
                               ("provincial dashboard (62)", prov)):
            xs = [x for v in by_chart.values() for x in v]
            print(f"{name:34}{_p(xs, 50) * 1000:8.0f}ms{_p(xs, 95) * 1000:8.0f}ms"
                  f"{max(xs) * 1000:8.0f}ms  {len(xs)}")
            for k, v in sorted(by_chart.items(), key=lambda kv: -_p(kv[1], 95)):
                print(f"  {k:32}{_p(v, 50) * 1000:8.0f}ms{_p(v, 95) * 1000:8.0f}ms")
        print(f"cold start to first dashboard served: {first:.1f}s (first start: metadata, "
              f"admin, bundle); restart to served: {restart:.1f}s (target <= 30 s)")


if __name__ == "__main__":
    main()
