#!/usr/bin/env bash
# One-time (and idempotent) set-up of a fresh machine: system packages, the project
# virtualenv with the pinned stack, and the `monev` command. Re-running is cheap: each
# step is skipped when what it makes is already there and up to date.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${MONEV_PYTHON:-python3.11}
VENV=.venv
STAMP=$VENV/.monev-installed

# System packages: PostgreSQL server binaries for the embedded warehouse, Pango for
# WeasyPrint, poppler for PDF checks, Chromium for the HTML report test, OpenSSH for
# the SFTP landing test (chromium-driver: the dashboards' browser test), docker-compose
# to validate the deployment file offline, Redis
# (a private broker on its own port) for the CeleryExecutor test; Debian's Docker daemon,
# debootstrap and iproute2 for the compose tier (tests/compose: it builds its own base
# images from the Debian mirror, since no image registry may be reachable).
apt_pkgs=(postgresql postgresql-contrib libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
          fonts-dejavu-core fonts-liberation2 poppler-utils chromium chromium-driver openssh-server
          openssh-client docker-compose locales redis-server docker.io debootstrap iproute2)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v uv >/dev/null 2>&1 || "$PY" -m pip install -q "uv==0.13.8"

want=$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ]; then
  [ -x "$VENV/bin/python" ] || uv venv -q --python "$PY" "$VENV"
  # Bytecode is compiled at install time: the machine sets PYTHONDONTWRITEBYTECODE,
  # and without .pyc files importing Airflow takes ~8 s instead of ~3 s.
  uv pip install -q --python "$VENV/bin/python" --compile-bytecode -r requirements.txt
  uv pip install -q --python "$VENV/bin/python" --compile-bytecode --no-deps -e .
  echo "$want" > "$STAMP"
fi
# Apache Superset (the BI server, `monev bi`) in its own virtualenv: it needs SQLAlchemy 1.4,
# pandas < 2.2 and numpy < 2.3, which the warehouse's stack has left behind. The whole
# frozen set is committed (deploy/superset/constraints.txt); nothing downloads at run time.
# `--no-bi` (make demo): not now — the demo does not start it, and its install and
# metadata template are most of a fresh machine's set-up; the demo then says to run
# `make setup` for the dashboards.
[ "${1:-}" = "--no-bi" ] && SKIP_BI=1 || SKIP_BI=0
SVENV=.venv-superset
SSTAMP=$SVENV/.monev-installed
# the metadata template below depends on the config and init script too
swant=$(cat deploy/superset/constraints.txt deploy/superset/init.py \
        deploy/superset/superset_config.py | sha256sum | cut -d' ' -f1)
if [ "$SKIP_BI" = 0 ] && { [ ! -f "$SSTAMP" ] || [ "$(cat "$SSTAMP")" != "$swant" ]; }; then
  [ -x "$SVENV/bin/python" ] || uv venv -q --python "$PY" "$SVENV"
  uv pip install -q --python "$SVENV/bin/python" --compile-bytecode \
    -r deploy/superset/constraints.txt
  # A migrated metadata template (no users, no secrets): a first `monev bi up` copies it
  # instead of running Superset's ~300 migrations.
  tmpl=$(mktemp -d)
  head -c 48 /dev/urandom | base64 > "$tmpl/secret_key"
  SUPERSET_CONFIG_PATH=deploy/superset/superset_config.py MONEV_SUPERSET_STATE="$tmpl" \
    PYTHONWARNINGS=ignore "$SVENV/bin/python" deploy/superset/init.py --template \
    > "$tmpl/init.log" 2>&1 || { cat "$tmpl/init.log"; exit 1; }
  mv "$tmpl/superset.db" "$SVENV/monev-metadata-template.db"
  rm -rf "$tmpl"
  echo "$swant" > "$SSTAMP"
fi
# The dbt manifest the Airflow DAG renders its cosmos task group from (parsed only when
# the dbt project changed; needs no database).
"$VENV/bin/python" -c 'from monev.orchestration.dbt_group import ensure_manifest; ensure_manifest()'
echo "setup: ready ($VENV)"
