-- Who may see which province in the marts (row-level security for BI users).
-- A login role listed with kode_provinsi NULL is a national user and sees every row;
-- with 'PP' it sees that province's rows and the national rows; a role not listed sees
-- only the national rows. The dbt post-hook (dbt_project/macros/access.sql) puts the
-- policy on every marts table that has a kode_provinsi column, after every rebuild.
CREATE SCHEMA IF NOT EXISTS access;

CREATE TABLE access.pengguna_wilayah (
    rolname       text PRIMARY KEY,
    kode_provinsi text CHECK (kode_provinsi IS NULL OR kode_provinsi ~ '^[0-9]{2}$'),
    dibuat_pada   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE access.pengguna_wilayah IS
  'BI login roles and the province they may see in the marts (NULL = national, all rows).';

-- The policy passes current_user in: inside a SECURITY DEFINER function current_user
-- would be the definer. SECURITY DEFINER lets the policy read the mapping without the
-- BI roles reading each other's entries.
CREATE FUNCTION access.akses_nasional(pengguna name) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, access AS $$
    SELECT EXISTS (SELECT 1 FROM access.pengguna_wilayah p
                   WHERE p.rolname = pengguna::text AND p.kode_provinsi IS NULL)
$$;

CREATE FUNCTION access.provinsi_pengguna(pengguna name) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, access AS $$
    SELECT p.kode_provinsi FROM access.pengguna_wilayah p WHERE p.rolname = pengguna::text
$$;

-- Creates (or updates) a BI login user limited to one province, or national with NULL.
-- Password optional: without one the role is created without a password (peer/cert auth).
CREATE FUNCTION access.beri_akses(pengguna text, kode_provinsi text, kata_sandi text DEFAULT NULL,
                                  peran text DEFAULT 'monev_bi')
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF peran NOT IN ('monev_bi', 'monev_analyst') THEN
        RAISE EXCEPTION 'peran harus monev_bi atau monev_analyst';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = pengguna) THEN
        EXECUTE format('CREATE ROLE %I LOGIN', pengguna);
    END IF;
    IF kata_sandi IS NOT NULL THEN
        EXECUTE format('ALTER ROLE %I PASSWORD %L', pengguna, kata_sandi);
    END IF;
    EXECUTE format('GRANT %I TO %I', peran, pengguna);
    INSERT INTO access.pengguna_wilayah (rolname, kode_provinsi)
    VALUES (pengguna, kode_provinsi)
    ON CONFLICT (rolname) DO UPDATE SET kode_provinsi = EXCLUDED.kode_provinsi;
END
$$;

CREATE FUNCTION access.cabut_akses(pengguna text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM access.pengguna_wilayah WHERE rolname = pengguna;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = pengguna) THEN
        EXECUTE format('REVOKE monev_bi, monev_analyst FROM %I', pengguna);
    END IF;
END
$$;

REVOKE ALL ON FUNCTION access.beri_akses(text, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION access.cabut_akses(text) FROM PUBLIC;
REVOKE ALL ON SCHEMA access FROM PUBLIC;
GRANT USAGE ON SCHEMA access TO monev_bi, monev_analyst;
GRANT EXECUTE ON FUNCTION access.akses_nasional(name), access.provinsi_pengguna(name)
    TO monev_bi, monev_analyst;
