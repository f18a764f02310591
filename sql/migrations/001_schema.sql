-- 001_schema.sql: the pbc schema's tables (docs/database.md).
--
-- Applied once, in order, by `pbc-publish --migrate` (and at the start of every
-- publish), inside a transaction that also records it in pbc.schema_migrations.
-- Never edit an applied migration: add the next one.
--
-- Three kinds of table:
--   reference dimensions  practices, consortia, pcts, providers, hrgs, pods:
--                         upserted from the run's reference files, never deleted;
--   facts                 one table per output file of a run (docs/outputs.md),
--                         every row carrying pct_code, period and the load_id
--                         that wrote it; a run for (pct_code, period) replaces
--                         all rows of that pair in one transaction;
--   load audit            loads, load_files, load_tables, load_checks.
-- Money is integer pence (bigint) throughout, as in the files.  Months are
-- 'YYYY-MM' text and financial years '2006/07' text, as in the files, so that
-- a row reads the same in the database and in its CSV.

-- ---------------------------------------------------------------- dimensions

CREATE TABLE pbc.pods (
    pod         text PRIMARY KEY,
    dataset     text NOT NULL,
    description text NOT NULL
);
COMMENT ON TABLE pbc.pods IS 'Points of delivery (R-P1), seeded by the migration';

INSERT INTO pbc.pods (pod, dataset, description) VALUES
    ('EL',     'APC', 'Elective inpatient admission'),
    ('DC',     'APC', 'Elective day case'),
    ('NEL',    'APC', 'Non-elective admission'),
    ('REG',    'APC', 'Regular day or night attender'),
    ('OPFA',   'OP',  'Outpatient first attendance'),
    ('OPFU',   'OP',  'Outpatient follow-up attendance'),
    ('OPPROC', 'OP',  'Outpatient procedure'),
    ('OPTEL',  'OP',  'Outpatient telephone consultation'),
    ('AE',     'AE',  'Accident and emergency attendance');

CREATE TABLE pbc.pcts (
    pct_code    text PRIMARY KEY
);
COMMENT ON TABLE pbc.pcts IS 'Primary Care Trusts named by practices.csv or by a run';

CREATE TABLE pbc.consortia (
    consortium_code text PRIMARY KEY,
    pct_code        text
);
COMMENT ON TABLE pbc.consortia IS 'PBC consortia, from practices.csv consortium_code';

CREATE TABLE pbc.practices (
    practice_code   text PRIMARY KEY,
    practice_name   text,
    consortium_code text,
    pct_code        text,
    open_date       date,
    close_date      date,
    successor_code  text,
    load_id         bigint          -- the load that last changed the row
);
COMMENT ON TABLE pbc.practices IS 'GP practices, from the run''s REF/practices.csv';
CREATE INDEX practices_consortium ON pbc.practices (consortium_code);

CREATE TABLE pbc.providers (
    provider_code text PRIMARY KEY,
    load_id       bigint            -- the load that first saw it
);
COMMENT ON TABLE pbc.providers IS 'Providers seen in published activity';

CREATE TABLE pbc.hrgs (
    fin_year text NOT NULL,
    hrg      text NOT NULL,
    hrg_name text,
    PRIMARY KEY (fin_year, hrg)
);
COMMENT ON TABLE pbc.hrgs IS 'HRG names by tariff year, from the run''s REF/tariff_apc.csv';

-- ---------------------------------------------------------------- load audit

CREATE TABLE pbc.loads (
    load_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id           uuid NOT NULL UNIQUE,
    pct_code         text NOT NULL,
    period           text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    fin_year         text,
    month_number     integer,
    budgets_source   text,
    out_dir          text NOT NULL,
    status           text NOT NULL CHECK (status IN ('OK', 'FAILED')),
    message          text,             -- why a FAILED load failed
    db_session_user  text NOT NULL DEFAULT session_user,
    db_current_user  text NOT NULL DEFAULT current_user,
    os_user          text,
    client_host      text,
    client_pid       integer,
    started_at       timestamptz NOT NULL,
    finished_at      timestamptz,
    duration_ms      bigint,
    replaces_load_id bigint,           -- the OK load of (pct, period) this one replaced
    replaced_by      bigint            -- set when a later load replaced this one
);
COMMENT ON TABLE pbc.loads IS 'One row per publish attempt: who, when, what, outcome';
CREATE INDEX loads_pct_period ON pbc.loads (pct_code, period);

CREATE TABLE pbc.load_files (
    load_id    bigint NOT NULL REFERENCES pbc.loads ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('output', 'input', 'reference', 'run')),
    path       text NOT NULL,
    size_bytes bigint NOT NULL,
    sha256     text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    PRIMARY KEY (load_id, kind, path)
);
COMMENT ON TABLE pbc.load_files IS 'Every file a load read or that its run read, with SHA-256 and size';

CREATE TABLE pbc.load_tables (
    load_id      bigint NOT NULL REFERENCES pbc.loads ON DELETE CASCADE,
    table_name   text NOT NULL,
    file_name    text NOT NULL,
    rows_loaded  bigint NOT NULL,
    rows_deleted bigint NOT NULL,      -- rows of the replaced load removed
    PRIMARY KEY (load_id, table_name)
);
COMMENT ON TABLE pbc.load_tables IS 'Rows loaded per table by each load';

CREATE TABLE pbc.load_checks (
    load_id    bigint NOT NULL REFERENCES pbc.loads ON DELETE CASCADE,
    seq        integer NOT NULL,
    check_name text NOT NULL,
    expected   numeric,
    actual     numeric,
    status     text NOT NULL CHECK (status IN ('OK', 'FAIL')),
    PRIMARY KEY (load_id, seq)
);
COMMENT ON TABLE pbc.load_checks IS 'The totals checks a load passed before commit';

-- ---------------------------------------------------------------- facts
-- Every fact table: load_id, pct_code, period first, then the file's columns
-- under the file's names (a reserved word gets a suffix: check -> check_name).

CREATE TABLE pbc.priced_activity (
    load_id                 bigint NOT NULL,
    pct_code                text NOT NULL,
    period                  text NOT NULL,
    unit_id                 text NOT NULL,
    dataset                 text NOT NULL CHECK (dataset IN ('APC', 'OP', 'AE')),
    pod                     text,
    provider_code           text NOT NULL,
    nhs_number              text,
    practice_code           text,
    attribution_method      text NOT NULL,
    cds_practice_code       text,
    attribution_date        date,
    charge_date             date,
    activity_month          text,
    fin_year                text,
    hrg                     text,
    treatment_function_code text,
    los                     integer,
    excess_bed_days         integer,
    base_pence              bigint,
    excess_pence            bigint,
    sse_applied             boolean,
    mff                     numeric(12, 6),
    price_pence             bigint NOT NULL,
    price_method            text NOT NULL,
    budget_scope            text NOT NULL,
    practice_pence          bigint NOT NULL,
    risk_pool_pence         bigint NOT NULL,
    original_practice_code  text,
    exeter_practice_code    text,
    exeter_reason           text,
    cds_reason              text,
    unattributed_reason     text,
    mismatch                boolean,
    practice_pct_code       text,
    consortium_code         text,
    commissioner_code       text,
    admission_method        text,
    patient_classification  text,
    admission_date          date,
    discharge_date          date,
    first_attendance        text,
    attended_or_dna         text,
    referral_source         text,
    ae_attendance_category  text,
    date_of_birth           date,
    cds_unique_id           text,
    episodes                integer,
    PRIMARY KEY (pct_code, period, dataset, unit_id)
);
COMMENT ON TABLE pbc.priced_activity IS 'priced_activity.csv: one row per unit of activity (patient-level)';
CREATE INDEX priced_activity_practice ON pbc.priced_activity (practice_code, period);

CREATE TABLE pbc.practice_month (
    load_id         bigint NOT NULL,
    pct_code        text NOT NULL,
    period          text NOT NULL,
    practice_code   text NOT NULL,
    activity_month  text NOT NULL,
    pod             text NOT NULL,
    units           bigint NOT NULL,
    cost_pence      bigint NOT NULL,
    practice_pence  bigint NOT NULL,
    risk_pool_pence bigint NOT NULL,
    PRIMARY KEY (pct_code, period, practice_code, activity_month, pod)
);
COMMENT ON TABLE pbc.practice_month IS 'practice_month.csv: PRACTICE units by practice, month and POD';
CREATE INDEX practice_month_practice ON pbc.practice_month (practice_code, period);

CREATE TABLE pbc.statements (
    load_id           bigint NOT NULL,
    pct_code          text NOT NULL,
    period            text NOT NULL,
    practice_code     text NOT NULL,
    fin_year          text NOT NULL,
    reporting_month   text NOT NULL,
    annual_budget     bigint NOT NULL,
    budget_ytd        bigint NOT NULL,
    spend_ytd         bigint NOT NULL,
    variance_ytd      bigint NOT NULL,
    forecast_outturn  bigint NOT NULL,
    forecast_variance bigint NOT NULL,
    freed_up_practice bigint NOT NULL,
    freed_up_pct      bigint NOT NULL,
    risk_pool_ytd     bigint NOT NULL,
    practice_name     text,
    consortium_code   text,
    units_ytd         bigint,
    PRIMARY KEY (pct_code, period, practice_code)
);
COMMENT ON TABLE pbc.statements IS 'statements.csv: one monthly statement per practice (R-G3)';
CREATE INDEX statements_practice ON pbc.statements (practice_code, period);

CREATE TABLE pbc.statement_breakdown (
    load_id         bigint NOT NULL,
    pct_code        text NOT NULL,
    period          text NOT NULL,
    practice_code   text NOT NULL,
    breakdown       text NOT NULL CHECK (breakdown IN ('POD', 'PROVIDER')),
    key             text NOT NULL,
    units           bigint NOT NULL,
    cost_pence      bigint NOT NULL,
    practice_pence  bigint NOT NULL,
    risk_pool_pence bigint NOT NULL,
    PRIMARY KEY (pct_code, period, practice_code, breakdown, key)
);
COMMENT ON TABLE pbc.statement_breakdown IS 'statement_breakdown.csv: statement spend by POD and by provider';
CREATE INDEX statement_breakdown_practice ON pbc.statement_breakdown (practice_code, period);

CREATE TABLE pbc.budgets (
    load_id              bigint NOT NULL,
    pct_code             text NOT NULL,
    period               text NOT NULL,
    practice_code        text NOT NULL,
    fin_year             text NOT NULL,
    historic             bigint NOT NULL,
    uplifted_historic    bigint NOT NULL,
    fair_share           bigint NOT NULL,
    distance_from_target numeric,
    budget               bigint NOT NULL,
    contingency          bigint NOT NULL,
    annual_budget        bigint NOT NULL,
    weighted_population  numeric,
    PRIMARY KEY (pct_code, period, practice_code, fin_year)
);
COMMENT ON TABLE pbc.budgets IS 'budgets.csv: budget components (R-B5), when the run set the budgets';
CREATE INDEX budgets_practice ON pbc.budgets (practice_code, period);

CREATE TABLE pbc.benchmarks (
    load_id                 bigint NOT NULL,
    pct_code                text NOT NULL,
    period                  text NOT NULL,
    practice_code           text NOT NULL,
    measure                 text NOT NULL,
    count                   bigint,
    weighted_population     numeric,
    rate_per_1000           numeric,
    pct_count               bigint,
    pct_weighted_population numeric,
    pct_rate_per_1000       numeric,
    ratio_to_pct            numeric,
    PRIMARY KEY (pct_code, period, practice_code, measure)
);
COMMENT ON TABLE pbc.benchmarks IS 'benchmarks.csv: year-to-date rates per 1,000 weighted population (R-G4)';
CREATE INDEX benchmarks_practice ON pbc.benchmarks (practice_code, period);

CREATE TABLE pbc.data_quality (
    load_id        bigint NOT NULL,
    pct_code       text NOT NULL,
    period         text NOT NULL,
    provider_code  text,
    activity_month text,
    measure        text NOT NULL,
    reason         text,
    count          bigint NOT NULL
);
COMMENT ON TABLE pbc.data_quality IS 'data_quality.csv: counts per provider and activity month (R-G5)';
CREATE INDEX data_quality_pct_period ON pbc.data_quality (pct_code, period);

CREATE TABLE pbc.attribution_audit (
    load_id             bigint NOT NULL,
    pct_code            text NOT NULL,
    period              text NOT NULL,
    provider_code       text,
    activity_month      text,
    attribution_method  text NOT NULL,
    exeter_reason       text,
    cds_reason          text,
    unattributed_reason text,
    units               bigint NOT NULL,
    price_pence         bigint NOT NULL
);
COMMENT ON TABLE pbc.attribution_audit IS 'attribution_audit.csv: units by attribution method and reason (R-A)';
CREATE INDEX attribution_audit_pct_period ON pbc.attribution_audit (pct_code, period);

CREATE TABLE pbc.attribution_mismatch (
    load_id              bigint NOT NULL,
    pct_code             text NOT NULL,
    period               text NOT NULL,
    cds_practice_code    text,
    exeter_practice_code text,
    units                bigint NOT NULL
);
COMMENT ON TABLE pbc.attribution_mismatch IS 'attribution_mismatch.csv: hospital vs Exeter practice (R-A7)';
CREATE INDEX attribution_mismatch_pct_period ON pbc.attribution_mismatch (pct_code, period);

CREATE TABLE pbc.out_of_area (
    load_id           bigint NOT NULL,
    pct_code          text NOT NULL,
    period            text NOT NULL,
    practice_code     text,
    practice_pct_code text,
    provider_code     text,
    units             bigint NOT NULL,
    price_pence       bigint NOT NULL
);
COMMENT ON TABLE pbc.out_of_area IS 'out_of_area.csv: the recharge list (R-A6)';
CREATE INDEX out_of_area_pct_period ON pbc.out_of_area (pct_code, period);

CREATE TABLE pbc.rejects (
    load_id     bigint NOT NULL,
    pct_code    text NOT NULL,
    period      text NOT NULL,
    file        text,
    line        bigint,
    dataset     text,
    reason      text NOT NULL,
    column_name text,
    raw_record  text
);
COMMENT ON TABLE pbc.rejects IS 'rejects.csv: every rejected input row (R-I1; patient-level)';
CREATE INDEX rejects_pct_period ON pbc.rejects (pct_code, period);

CREATE TABLE pbc.file_reconciliation (
    load_id    bigint NOT NULL,
    pct_code   text NOT NULL,
    period     text NOT NULL,
    file       text NOT NULL,
    dataset    text,
    read       bigint NOT NULL,
    accepted   bigint NOT NULL,
    superseded bigint NOT NULL,
    rejected   bigint NOT NULL
);
COMMENT ON TABLE pbc.file_reconciliation IS 'file_reconciliation.csv: read = accepted + superseded + rejected per file (R-I1)';
CREATE INDEX file_reconciliation_pct_period ON pbc.file_reconciliation (pct_code, period);

CREATE TABLE pbc.reconciliation (
    load_id     bigint NOT NULL,
    pct_code    text NOT NULL,
    period      text NOT NULL,
    check_name  text NOT NULL,
    scope       text,
    left_value  bigint,
    right_value bigint,
    difference  bigint,
    status      text NOT NULL
);
COMMENT ON TABLE pbc.reconciliation IS 'reconciliation.csv: the run''s reconciliation identities';
CREATE INDEX reconciliation_pct_period ON pbc.reconciliation (pct_code, period);

CREATE TABLE pbc.pricing_audit (
    load_id       bigint NOT NULL,
    pct_code      text NOT NULL,
    period        text NOT NULL,
    pod           text,
    price_method  text NOT NULL,
    provider_code text,
    units         bigint NOT NULL,
    price_pence   bigint NOT NULL
);
COMMENT ON TABLE pbc.pricing_audit IS 'pricing_audit.csv: units and pence by POD, price method and provider';
CREATE INDEX pricing_audit_pct_period ON pbc.pricing_audit (pct_code, period);

CREATE TABLE pbc.unpriced (
    load_id       bigint NOT NULL,
    pct_code      text NOT NULL,
    period        text NOT NULL,
    fin_year      text,
    dataset       text,
    pod           text,
    code          text,
    provider_code text,
    units         bigint NOT NULL
);
COMMENT ON TABLE pbc.unpriced IS 'unpriced.csv: activity with no price (R-P7)';
CREATE INDEX unpriced_pct_period ON pbc.unpriced (pct_code, period);

CREATE TABLE pbc.top_hrgs (
    load_id     bigint NOT NULL,
    pct_code    text NOT NULL,
    period      text NOT NULL,
    rank        integer NOT NULL,
    hrg         text,
    units       bigint NOT NULL,
    price_pence bigint NOT NULL
);
COMMENT ON TABLE pbc.top_hrgs IS 'top_hrgs.csv: the twenty highest-spend HRGs';
CREATE INDEX top_hrgs_pct_period ON pbc.top_hrgs (pct_code, period);
