-- 004_default_privileges.sql: tables and views that later migrations create
-- get the same privileges as 003_security.sql gave the existing ones, so a
-- new fact table is writable by the loader and readable by finance without
-- a GRANT of its own.  (Practice-facing ones still need their GRANT to
-- pbc_reader and their row-level security, deliberately.)  Default
-- privileges apply to objects created by the role running the migrations.

ALTER DEFAULT PRIVILEGES IN SCHEMA pbc
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO pbc_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA pbc
    GRANT USAGE ON SEQUENCES TO pbc_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA pbc
    GRANT SELECT ON TABLES TO pbc_finance;
ALTER DEFAULT PRIVILEGES IN SCHEMA pbc
    REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA pbc
    GRANT EXECUTE ON FUNCTIONS TO pbc_loader, pbc_finance, pbc_reader;
