#!/bin/sh
# One-shot: finish Metabase's first-run set-up and register the warehouse marts,
# connected with the read-only BI login. Idempotent: exits quietly once set up.
set -eu
MB=${MB_URL:-http://metabase:3000}
until curl -fsS "$MB/api/health" >/dev/null 2>&1; do sleep 5; done
TOKEN=$(curl -fsS "$MB/api/session/properties" | sed -n 's/.*"setup-token":"\([^"]*\)".*/\1/p')
if [ -z "$TOKEN" ]; then echo "metabase already set up"; exit 0; fi
curl -fsS -X POST "$MB/api/setup" -H 'Content-Type: application/json' -d @- <<JSON
{"token": "$TOKEN",
 "user": {"email": "$MB_ADMIN_EMAIL", "password": "$MB_ADMIN_PASSWORD",
          "first_name": "Monev", "last_name": "Admin", "site_name": "Monev Jamsostek"},
 "database": {"engine": "postgres", "name": "Monev marts",
              "details": {"host": "postgres", "port": 5432, "dbname": "$WAREHOUSE_DB_NAME",
                          "user": "$MONEV_BI_USER", "password": "$MONEV_BI_PASSWORD",
                          "schema-filters-type": "inclusion", "schema-filters-patterns": "marts",
                          "ssl": false}},
 "prefs": {"site_name": "Monev Jamsostek", "allow_tracking": false}}
JSON
echo "metabase set up with the marts (read-only role)"
