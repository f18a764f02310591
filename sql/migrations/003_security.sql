-- 003_security.sql: roles, privileges and row-level security (SPEC §7.2).
--
--   pbc_loader   writes: the only role with INSERT/UPDATE/DELETE; BYPASSRLS,
--                because COPY FROM refuses tables with row-level security
--                for roles subject to it.  pbc-publish does SET ROLE pbc_loader
--                for the load, so the connecting user must be a member.
--   pbc_finance  reads every table and view.
--   pbc_reader   the group of every practice and consortium role: SELECT on the
--                practice-facing tables and views, filtered by row-level
--                security to the practices in pbc.visible_practices().
--   pbc_practice_<code> / pbc_consortium_<code>: created by
--                `pbc-publish --create-roles --ref REF`, members of pbc_reader,
--                mapped to their practices in pbc.role_practices.  Grant them to
--                login users: GRANT pbc_practice_a81001 TO alice.
-- Creating a BYPASSRLS role needs a superuser: run the first migration as one,
-- or have a DBA create the three group roles beforehand.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pbc_loader') THEN
        CREATE ROLE pbc_loader NOLOGIN BYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pbc_finance') THEN
        CREATE ROLE pbc_finance NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pbc_reader') THEN
        CREATE ROLE pbc_reader NOLOGIN;
    END IF;
END
$$;

-- Which practices each practice or consortium role may see.
CREATE TABLE pbc.role_practices (
    role_name     text NOT NULL,
    practice_code text NOT NULL,
    PRIMARY KEY (role_name, practice_code)
);
COMMENT ON TABLE pbc.role_practices IS 'Practice and consortium roles and the practices they see (--create-roles)';

-- The practices the current user may see: those mapped to any role it is a
-- member of (directly, or by SET ROLE).  Invoker's rights: it reads
-- role_practices through that table's own policy below.  Policies call it as
-- (SELECT pbc.visible_practices()) so that it runs once per query.
CREATE FUNCTION pbc.visible_practices() RETURNS text[]
    LANGUAGE sql STABLE SECURITY INVOKER PARALLEL SAFE
    SET search_path = pg_catalog
    RETURN (SELECT coalesce(array_agg(DISTINCT rp.practice_code), '{}')
              FROM pbc.role_practices rp);

-- --------------------------------------------------------- privileges

REVOKE ALL ON SCHEMA pbc FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA pbc FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA pbc FROM PUBLIC;
GRANT USAGE ON SCHEMA pbc TO pbc_loader, pbc_finance, pbc_reader;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA pbc TO pbc_loader, pbc_finance, pbc_reader;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA pbc TO pbc_loader;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA pbc TO pbc_loader;
GRANT SELECT ON ALL TABLES IN SCHEMA pbc TO pbc_finance;

-- What practices see: their statements and the rows behind them, the
-- dimensions, and the statement views.  Not the run-level audits (rejects,
-- data quality, recharges, loads), which are the PCT's.
GRANT SELECT ON pbc.pods, pbc.pcts, pbc.consortia, pbc.providers, pbc.hrgs,
                pbc.practices, pbc.role_practices,
                pbc.priced_activity, pbc.practice_month, pbc.statements,
                pbc.statement_breakdown, pbc.budgets, pbc.benchmarks,
                pbc.v_statement, pbc.v_statement_pod, pbc.v_statement_provider,
                pbc.v_cumulative_spend, pbc.v_patient_charges, pbc.v_benchmarks
    TO pbc_reader;

-- --------------------------------------------------------- row-level security
-- Every table whose rows belong to a practice: finance sees all, practice and
-- consortium roles their own practices' rows.  The loader bypasses RLS.

ALTER TABLE pbc.role_practices ENABLE ROW LEVEL SECURITY;
CREATE POLICY finance_all ON pbc.role_practices FOR SELECT TO pbc_finance USING (true);
CREATE POLICY own_roles ON pbc.role_practices FOR SELECT TO pbc_reader
    USING (role_name IN (SELECT r.rolname FROM pg_catalog.pg_roles r
                          WHERE pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER')));

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['practices', 'priced_activity', 'practice_month', 'statements',
                             'statement_breakdown', 'budgets', 'benchmarks', 'out_of_area']
    LOOP
        EXECUTE format('ALTER TABLE pbc.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY finance_all ON pbc.%I FOR SELECT TO pbc_finance USING (true)', t);
        EXECUTE format('CREATE POLICY own_practices ON pbc.%I FOR SELECT TO pbc_reader '
                       'USING (practice_code = ANY ((SELECT pbc.visible_practices())::text[]))', t);
    END LOOP;
    -- No practice column, or PCT-level: finance only (and no grant to readers).
    FOREACH t IN ARRAY ARRAY['attribution_mismatch', 'rejects', 'data_quality',
                             'attribution_audit', 'file_reconciliation', 'reconciliation',
                             'pricing_audit', 'unpriced', 'top_hrgs']
    LOOP
        EXECUTE format('ALTER TABLE pbc.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY finance_all ON pbc.%I FOR SELECT TO pbc_finance USING (true)', t);
    END LOOP;
END
$$;
