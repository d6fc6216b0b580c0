-- Each login learns its own access only. The two functions the province policy calls
-- are SECURITY DEFINER and executable by every BI role, so with any name as argument a
-- provincial login could ask which province every other login sees. They now answer
-- only for a role the session's login may act as (itself, or a role it is a member
-- of); for any other name they answer as for an unmapped role (no province, not
-- national). The policy passes current_user, which for a BI login is its own name.
CREATE OR REPLACE FUNCTION access.akses_nasional(pengguna name) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, access AS $$
    SELECT pg_has_role(session_user, pengguna, 'MEMBER')
       AND EXISTS (SELECT 1 FROM access.pengguna_wilayah p
                   WHERE p.rolname = pengguna::text AND p.kode_provinsi IS NULL)
$$;

CREATE OR REPLACE FUNCTION access.provinsi_pengguna(pengguna name) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, access AS $$
    SELECT p.kode_provinsi FROM access.pengguna_wilayah p
     WHERE p.rolname = pengguna::text AND pg_has_role(session_user, pengguna, 'MEMBER')
$$;
