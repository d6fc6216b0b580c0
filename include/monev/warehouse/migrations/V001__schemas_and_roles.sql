-- Schemas: raw (published, typed loads), stage (one table per batch, before the gate),
-- audit (what was loaded, rejected, validated, reported). dbt owns staging,
-- intermediate and marts and creates them itself.
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS stage;
CREATE SCHEMA IF NOT EXISTS audit;

-- Group roles (NOLOGIN). Login users are granted one of them.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'monev_loader') THEN
    CREATE ROLE monev_loader NOLOGIN;       -- ingestion: writes stage, raw, audit
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'monev_transformer') THEN
    CREATE ROLE monev_transformer NOLOGIN;  -- dbt: reads raw/audit, owns staging..marts
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'monev_analyst') THEN
    CREATE ROLE monev_analyst NOLOGIN;      -- analysts with a need: marts incl. pseudonymised participants
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'monev_bi') THEN
    CREATE ROLE monev_bi NOLOGIN;           -- BI tools and report builder: marts only, read-only
  END IF;
END
$$;

GRANT USAGE, CREATE ON SCHEMA raw, stage, audit TO monev_loader;
GRANT USAGE ON SCHEMA raw, audit TO monev_transformer;
ALTER DEFAULT PRIVILEGES IN SCHEMA raw GRANT SELECT ON TABLES TO monev_transformer;
ALTER DEFAULT PRIVILEGES IN SCHEMA audit GRANT SELECT ON TABLES TO monev_transformer;
ALTER DEFAULT PRIVILEGES IN SCHEMA raw GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO monev_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA audit GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO monev_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA audit GRANT USAGE ON SEQUENCES TO monev_loader;
