-- 'stale': a lower revision that arrived after a higher one. It was never published,
-- so it is not 'superseded' (which means: was in force, then replaced).
ALTER TABLE audit.load_batches DROP CONSTRAINT IF EXISTS load_batches_status_check;
ALTER TABLE audit.load_batches ADD CONSTRAINT load_batches_status_check
  CHECK (status IN ('running', 'loaded', 'superseded', 'stale', 'duplicate', 'rejected',
                    'failed', 'validated'));
UPDATE audit.load_batches SET status = 'stale'
 WHERE status = 'superseded' AND published_at IS NULL;

-- Denominators may give kode_wilayah in the BPS scheme (EXTRACTS.md §5, skema_kode).
ALTER TABLE raw.penduduk_bekerja ADD COLUMN IF NOT EXISTS skema_kode text NOT NULL
  DEFAULT 'KEMENDAGRI' CHECK (skema_kode IN ('KEMENDAGRI', 'BPS'));
ALTER TABLE raw.potensi_peserta ADD COLUMN IF NOT EXISTS skema_kode text NOT NULL
  DEFAULT 'KEMENDAGRI' CHECK (skema_kode IN ('KEMENDAGRI', 'BPS'));
-- BPS codes are stored canonical like every other code (PP or PP.KK), so a BPS-coded
-- row and its bridge row meet on the same form.
UPDATE raw.wilayah_bps SET kode_bps = left(kode_bps, 2) || '.' || right(kode_bps, 2)
 WHERE kode_bps ~ '^[0-9]{4}$';

-- Login roles the access functions created: they stay BI logins after a revoke, so
-- they may be granted again; any other existing role is refused.
CREATE TABLE IF NOT EXISTS access.login_bi (
    rolname     text PRIMARY KEY,
    dibuat_pada timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE access.login_bi IS
  'Login roles created by access.beri_akses (BI users); only these may be (re)granted.';
INSERT INTO access.login_bi (rolname) SELECT rolname FROM access.pengguna_wilayah
ON CONFLICT DO NOTHING;

-- A BI login: created by beri_akses, or directly granted monev_bi or monev_analyst.
CREATE OR REPLACE FUNCTION access.is_bi_login(pengguna text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT EXISTS (SELECT 1 FROM access.login_bi AS l WHERE l.rolname = pengguna)
        OR EXISTS (SELECT 1 FROM pg_auth_members m
                   JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
                   WHERE u.rolname = pengguna AND g.rolname IN ('monev_bi', 'monev_analyst'))
$$;

-- BI access is for BI logins only: never the project's own roles, a superuser or any
-- other existing role (beri_akses would otherwise set its password and map it).
CREATE OR REPLACE FUNCTION access.beri_akses(pengguna text, kode_provinsi text,
                                             kata_sandi text DEFAULT NULL,
                                             peran text DEFAULT 'monev_bi')
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r pg_roles%ROWTYPE;
BEGIN
    IF peran IS NULL OR peran NOT IN ('monev_bi', 'monev_analyst') THEN
        RAISE EXCEPTION 'peran harus monev_bi atau monev_analyst';
    END IF;
    IF pengguna IS NULL OR pengguna !~ '^[a-z_][a-z0-9_]{0,62}$' THEN
        RAISE EXCEPTION 'nama pengguna harus huruf kecil, angka dan _ (maks. 63)';
    END IF;
    IF kode_provinsi IS NOT NULL AND kode_provinsi !~ '^[0-9]{2}$' THEN
        RAISE EXCEPTION 'kode provinsi harus dua digit, mis. 62';
    END IF;
    IF pengguna LIKE 'monev%' OR pengguna LIKE 'pg\_%' OR pengguna = session_user
       OR pengguna = current_user
       OR pengguna = (SELECT pg_get_userbyid(datdba) FROM pg_database
                      WHERE datname = current_database()) THEN
        RAISE EXCEPTION 'peran % adalah peran sistem/proyek, bukan pengguna BI', pengguna;
    END IF;
    SELECT * INTO r FROM pg_roles WHERE rolname = pengguna;
    IF FOUND THEN
        IF r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication
           OR r.rolbypassrls OR NOT r.rolcanlogin THEN
            RAISE EXCEPTION 'peran % bukan login BI (hak istimewa atau NOLOGIN)', pengguna;
        END IF;
        IF EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                   WHERE m.member = r.oid AND g.rolname NOT IN ('monev_bi', 'monev_analyst'))
           OR NOT access.is_bi_login(pengguna) THEN
            RAISE EXCEPTION 'peran % sudah ada dan bukan login BI', pengguna;
        END IF;
    ELSE
        EXECUTE format('CREATE ROLE %I LOGIN', pengguna);
        INSERT INTO access.login_bi (rolname) VALUES (pengguna) ON CONFLICT DO NOTHING;
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

CREATE OR REPLACE FUNCTION access.cabut_akses(pengguna text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT access.is_bi_login(pengguna) THEN
        RAISE EXCEPTION 'peran % bukan pengguna BI', pengguna;
    END IF;
    IF pengguna LIKE 'monev%' THEN
        RAISE EXCEPTION 'peran % adalah peran proyek, bukan pengguna BI', pengguna;
    END IF;
    DELETE FROM access.pengguna_wilayah WHERE rolname = pengguna;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = pengguna) THEN
        EXECUTE format('REVOKE monev_bi, monev_analyst FROM %I', pengguna);
    END IF;
END
$$;
REVOKE ALL ON FUNCTION access.beri_akses(text, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION access.cabut_akses(text) FROM PUBLIC;

-- The landing intake records each claimed file's outcome: every batch status can occur.
ALTER TABLE audit.landing_files DROP CONSTRAINT IF EXISTS landing_files_status_check;
ALTER TABLE audit.landing_files ADD CONSTRAINT landing_files_status_check
  CHECK (status IN ('claimed', 'running', 'loaded', 'superseded', 'stale', 'duplicate',
                    'rejected', 'failed', 'validated'));
