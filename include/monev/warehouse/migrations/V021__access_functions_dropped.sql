-- The role work of `monev access` moved out of the warehouse (monev.transform.access):
-- these functions were owned by the application's login, which could replace them,
-- and the cluster's superuser called them on every grant - running whatever the
-- application's login had put there with the superuser's rights. Nothing privileged
-- calls into the warehouse any more; a DBA grants with `monev access` (docs/BI.md).
DROP FUNCTION IF EXISTS access.beri_akses(text, text, text, text);
DROP FUNCTION IF EXISTS access.cabut_akses(text);
DROP FUNCTION IF EXISTS access.is_bi_login(text);
