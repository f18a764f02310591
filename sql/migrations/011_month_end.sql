-- 011_month_end.sql: month-end close, the change report between two runs of
-- a month, and prior-month adjustments (docs/month_end.md, issue 10).
--
-- A run for a (PCT, reporting month) still replaces the fact rows of the
-- earlier run in one transaction (001), so readers see one publication at a
-- time.  What this migration adds:
--
--   history      load_units: the unit-level rows (priced_activity) of every
--                load, kept after the load is replaced, so that any two runs
--                can be compared unit by unit; load_deletions: the provider
--                deletions that stood in each load (deletions.csv).  Both are
--                part of the load audit, keyed by load_id, never replaced;
--                old loads' rows are pruned (pbc-publish --keep-history),
--                never those of a current or a closed load.
--   close        periods: one row per published (PCT, period), PROVISIONAL or
--                CLOSED, with who closed or re-opened it and when;
--                period_events: every close and re-open (with its reason),
--                the audit trail.  A closed period cannot be published over
--                until it is re-opened.
--   changes      change_reports, changes (unit level), changes_by_practice
--                (practice x POD): the report between the load a publish
--                replaced and the new load, made in the publish's
--                transaction; prior_month_adjustments: what a load changed in
--                months already closed, against the closed load that signed
--                each month off.
--   functions    pbc.unit_changes(from, to), pbc.practice_changes(from, to),
--                pbc.prior_month_adjustments(load): the rules, in one place,
--                used by pbc-publish and callable by finance from psql.
--   views        v_period_status, v_statement_status, v_statement_changes,
--                v_statement_changes_pod, v_statement_prior_month: what the
--                statement pages show (provisional or closed, and what moved).
--
-- Row-level security as 003: tables with patient-level or practice rows are
-- readable by finance, and by practice and consortium roles for their own
-- practices only (a re-attributed unit is visible to both practices).

-- ---------------------------------------------------------------- provenance

-- priced_activity.csv carries the extract and line of each unit's lowest
-- episode or attendance (docs/outputs.md); the change report quotes them.
ALTER TABLE pbc.priced_activity
    ADD COLUMN source_file text,
    ADD COLUMN source_line bigint;

-- ---------------------------------------------------------------- history

-- The column list is priced_activity's (LIKE), so a unit reads the same in
-- both; pbc-publish copies a load's rows here in its transaction.  A column
-- added to priced_activity later must be added here in the same migration.
CREATE TABLE pbc.load_units (LIKE pbc.priced_activity);
ALTER TABLE pbc.load_units
    ADD PRIMARY KEY (load_id, dataset, unit_id),
    ADD FOREIGN KEY (load_id) REFERENCES pbc.loads ON DELETE CASCADE;
COMMENT ON TABLE pbc.load_units IS
    'Every load''s priced_activity rows, kept after the load is replaced (patient-level)';

CREATE TABLE pbc.load_deletions (
    load_id       bigint NOT NULL REFERENCES pbc.loads ON DELETE CASCADE,
    pct_code      text NOT NULL,
    period        text NOT NULL,
    file          text,
    line          bigint,
    dataset       text NOT NULL,
    cds_unique_id text,
    unit_id       text NOT NULL
);
COMMENT ON TABLE pbc.load_deletions IS
    'deletions.csv of each load: provider deletions (cds_update_type 1) that stood after net change (R-I3)';
CREATE INDEX load_deletions_unit ON pbc.load_deletions (load_id, dataset, unit_id);

-- When a load's history rows were pruned (NULL: still kept).
ALTER TABLE pbc.loads ADD COLUMN units_pruned_at timestamptz;

-- The loads already published keep their units from here on.
INSERT INTO pbc.load_units SELECT * FROM pbc.priced_activity;

-- ---------------------------------------------------------------- close

CREATE TABLE pbc.periods (
    pct_code        text NOT NULL,
    period          text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    status          text NOT NULL CHECK (status IN ('PROVISIONAL', 'CLOSED')),
    current_load_id bigint REFERENCES pbc.loads,  -- the publication standing now
    closed_load_id  bigint REFERENCES pbc.loads,  -- the load signed off (last close)
    closed_at       timestamptz,
    closed_by       text,                         -- database session user
    closed_os_user  text,
    close_note      text,
    reopened_at     timestamptz,                  -- last re-open, if any
    reopened_by     text,
    reopen_reason   text,
    PRIMARY KEY (pct_code, period)
);
COMMENT ON TABLE pbc.periods IS
    'Each published (PCT, reporting month): provisional, or closed by finance';

CREATE TABLE pbc.period_events (
    event_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pct_code        text NOT NULL,
    period          text NOT NULL,
    event           text NOT NULL CHECK (event IN ('CLOSE', 'REOPEN')),
    load_id         bigint REFERENCES pbc.loads,  -- the publication closed or re-opened
    reason          text,                         -- required for REOPEN
    db_session_user text NOT NULL DEFAULT session_user,
    db_current_user text NOT NULL DEFAULT current_user,
    os_user         text,
    client_host     text,
    client_pid      integer,
    event_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (event <> 'REOPEN' OR coalesce(btrim(reason), '') <> '')
);
COMMENT ON TABLE pbc.period_events IS
    'Load audit: every close and re-open of a period, who, when and why';
CREATE INDEX period_events_period ON pbc.period_events (pct_code, period);

-- Periods already published start provisional.
INSERT INTO pbc.periods (pct_code, period, status, current_load_id)
SELECT pct_code, period, 'PROVISIONAL', max(load_id)
  FROM pbc.loads
 WHERE status = 'OK' AND replaced_by IS NULL
 GROUP BY pct_code, period;

-- ---------------------------------------------------------------- changes

CREATE TABLE pbc.change_reports (
    report_id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pct_code            text NOT NULL,
    period              text NOT NULL,               -- the later load's period
    from_load_id        bigint REFERENCES pbc.loads, -- NULL: first publication
    to_load_id          bigint NOT NULL REFERENCES pbc.loads,
    created_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    units_added         bigint NOT NULL DEFAULT 0,
    units_removed       bigint NOT NULL DEFAULT 0,
    units_repriced      bigint NOT NULL DEFAULT 0,
    units_reattributed  bigint NOT NULL DEFAULT 0,
    units_redated       bigint NOT NULL DEFAULT 0,
    delta_price_pence   bigint NOT NULL DEFAULT 0,
    delta_practice_pence bigint NOT NULL DEFAULT 0,
    UNIQUE (to_load_id)
);
COMMENT ON TABLE pbc.change_reports IS
    'The change report a publish made: the load it replaced against the new one';

CREATE TABLE pbc.changes (
    report_id             bigint NOT NULL REFERENCES pbc.change_reports ON DELETE CASCADE,
    pct_code              text NOT NULL,
    period                text NOT NULL,
    from_load_id          bigint,
    to_load_id            bigint NOT NULL,
    change                text NOT NULL
        CHECK (change IN ('ADDED', 'REMOVED', 'REPRICED', 'REATTRIBUTED', 'REDATED')),
    reason                text,
    detail                text,
    dataset               text NOT NULL,
    unit_id               text NOT NULL,
    cds_unique_id         text,
    provider_code         text,
    nhs_number            text,
    from_practice_code    text,
    to_practice_code      text,
    from_budget_scope     text,
    to_budget_scope       text,
    from_pod              text,
    to_pod                text,
    from_activity_month   text,
    to_activity_month     text,
    from_hrg              text,
    to_hrg                text,
    from_price_method     text,
    to_price_method       text,
    from_price_pence      bigint,
    to_price_pence        bigint,
    delta_price_pence     bigint NOT NULL,
    from_practice_pence   bigint,
    to_practice_pence     bigint,
    delta_practice_pence  bigint NOT NULL,
    from_risk_pool_pence  bigint,
    to_risk_pool_pence    bigint,
    delta_risk_pool_pence bigint NOT NULL,
    source_file           text,
    source_line           bigint,
    PRIMARY KEY (report_id, dataset, unit_id)
);
COMMENT ON TABLE pbc.changes IS
    'changes.csv: units added, removed, re-priced, re-attributed or re-dated between two loads (patient-level)';
CREATE INDEX changes_from_practice ON pbc.changes (from_practice_code);
CREATE INDEX changes_to_practice ON pbc.changes (to_practice_code);

CREATE TABLE pbc.changes_by_practice (
    report_id              bigint NOT NULL REFERENCES pbc.change_reports ON DELETE CASCADE,
    pct_code               text NOT NULL,
    period                 text NOT NULL,
    from_load_id           bigint,
    to_load_id             bigint NOT NULL,
    practice_code          text NOT NULL,
    pod                    text NOT NULL,
    from_units             bigint NOT NULL,
    to_units               bigint NOT NULL,
    delta_units            bigint NOT NULL,
    from_cost_pence        bigint NOT NULL,
    to_cost_pence          bigint NOT NULL,
    delta_cost_pence       bigint NOT NULL,
    from_practice_pence    bigint NOT NULL,
    to_practice_pence      bigint NOT NULL,
    delta_practice_pence   bigint NOT NULL,
    from_risk_pool_pence   bigint NOT NULL,
    to_risk_pool_pence     bigint NOT NULL,
    delta_risk_pool_pence  bigint NOT NULL,
    PRIMARY KEY (report_id, practice_code, pod)
);
COMMENT ON TABLE pbc.changes_by_practice IS
    'changes_by_practice.csv: PRACTICE units and pence by practice and POD, before and after';
CREATE INDEX changes_by_practice_practice ON pbc.changes_by_practice (practice_code);

CREATE TABLE pbc.prior_month_adjustments (
    load_id                bigint NOT NULL REFERENCES pbc.loads ON DELETE CASCADE,
    pct_code               text NOT NULL,
    period                 text NOT NULL,
    practice_code          text NOT NULL,
    activity_month         text NOT NULL,
    closed_period          text NOT NULL,
    closed_load_id         bigint NOT NULL,
    closed_units           bigint NOT NULL,
    units                  bigint NOT NULL,
    delta_units            bigint NOT NULL,
    closed_cost_pence      bigint NOT NULL,
    cost_pence             bigint NOT NULL,
    delta_cost_pence       bigint NOT NULL,
    closed_practice_pence  bigint NOT NULL,
    practice_pence         bigint NOT NULL,
    delta_practice_pence   bigint NOT NULL,
    closed_risk_pool_pence bigint NOT NULL,
    risk_pool_pence        bigint NOT NULL,
    delta_risk_pool_pence  bigint NOT NULL,
    PRIMARY KEY (load_id, practice_code, activity_month)
);
COMMENT ON TABLE pbc.prior_month_adjustments IS
    'prior_month_adjustments.csv: a load''s restatement of months already closed, by practice and month';
CREATE INDEX prior_month_adjustments_practice ON pbc.prior_month_adjustments (practice_code);

-- ---------------------------------------------------------------- functions

-- 'name a -> b' when a and b differ (blank for NULL), else NULL: one item of
-- a change's detail.
CREATE FUNCTION pbc.field_change(name text, a anyelement, b anyelement) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN a IS DISTINCT FROM b
                      THEN name || ' ' || coalesce(a::text, 'blank') || ' -> '
                           || coalesce(b::text, 'blank') END $$;

-- The file name of a path (load_files holds absolute paths).
CREATE FUNCTION pbc.base_name(path text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN regexp_replace(path, '^.*/', '');

-- The reference files (by name) whose content differs between two loads,
-- among those whose name (before its first dot) is in kinds, comma-separated
-- in name order, or NULL when none does.
CREATE FUNCTION pbc.changed_references(from_load bigint, to_load bigint, kinds text[])
    RETURNS text
    LANGUAGE sql STABLE
    AS $$
    SELECT string_agg(name, ', ' ORDER BY name COLLATE "C")
      FROM (SELECT coalesce(f.name, t.name) AS name
              FROM (SELECT pbc.base_name(path) AS name, sha256 FROM pbc.load_files
                     WHERE load_id = from_load AND kind = 'reference') f
              FULL JOIN (SELECT pbc.base_name(path) AS name, sha256 FROM pbc.load_files
                          WHERE load_id = to_load AND kind = 'reference') t
                ON t.name = f.name
             WHERE f.sha256 IS DISTINCT FROM t.sha256) x
     WHERE split_part(name, '.', 1) = ANY (kinds)
    $$;

-- The unit-level change report from load from_load to load to_load (docs/month_end.md).
--
-- Units are matched on (dataset, unit_id).  When the loads are of different
-- periods of one financial year, only the months both cover are compared
-- (activity_month up to the earlier period).  One row per unit whose money,
-- practice or month moved; change, by precedence:
--   ADDED         in to_load only
--   REMOVED       in from_load only
--   REATTRIBUTED  practice_code differs, or the scope moved in or out of
--                 UNATTRIBUTED / OUT_OF_AREA (attribution, R-A, R-G1)
--   REPRICED      price_pence, practice_pence, risk_pool_pence, POD or budget
--                 scope differ
--   REDATED       only the activity month moved (charge date changed)
-- reason, first that applies:
--   LATE_RECORD                 ADDED: activity the earlier run did not have
--   PROVIDER_DELETION           a deletion (cds_update_type 1) standing in
--                               to_load and not in from_load names the unit
--                               (the whole unit, or an episode of its spell)
--   NOT_RESUBMITTED             REMOVED: the unit's source extract (by file
--                               name) was not read by the later run
--   PROVIDER_REPLACEMENT        the provider's record changed (a field the
--                               hospital submits differs), or, REMOVED, a
--                               later version took it out of the range or
--                               left its spell unfinished
--   REGISTRATION_CHANGE         re-attributed through Exeter: the
--                               registration's practice, the Exeter reason or
--                               an Exeter method differs (R-A1, R-A2)
--   HIGH_COST_SPLIT             REPRICED with the price unchanged: the
--                               practice / risk-pool split moved because the
--                               patient's other units did (R-G2)
--   TARIFF_OR_REFERENCE_CHANGE  otherwise: the record is the same, its price
--                               or attribution moved with the reference data
--                               (tariffs, MFF, local prices, exclusions,
--                               practices, pbc.conf); detail names the
--                               reference files whose content differs
-- A practice or consortium role calling this sees only what row-level
-- security lets it see; practices read the stored reports (pbc.changes).
CREATE FUNCTION pbc.unit_changes(from_load bigint, to_load bigint)
RETURNS TABLE (
    change text, reason text, detail text,
    dataset text, unit_id text, cds_unique_id text, provider_code text, nhs_number text,
    from_practice_code text, to_practice_code text,
    from_budget_scope text, to_budget_scope text,
    from_pod text, to_pod text,
    from_activity_month text, to_activity_month text,
    from_hrg text, to_hrg text,
    from_price_method text, to_price_method text,
    from_price_pence bigint, to_price_pence bigint, delta_price_pence bigint,
    from_practice_pence bigint, to_practice_pence bigint, delta_practice_pence bigint,
    from_risk_pool_pence bigint, to_risk_pool_pence bigint, delta_risk_pool_pence bigint,
    source_file text, source_line bigint)
    LANGUAGE sql STABLE
    AS $$
    WITH lim AS (
        SELECT least(f.period, t.period) AS last_month
          FROM pbc.loads f, pbc.loads t
         WHERE f.load_id = from_load AND t.load_id = to_load),
    a AS (SELECT u.* FROM pbc.load_units u, lim
           WHERE u.load_id = from_load AND u.activity_month <= lim.last_month),
    b AS (SELECT u.* FROM pbc.load_units u, lim
           WHERE u.load_id = to_load AND u.activity_month <= lim.last_month),
    new_deletions AS (
        SELECT DISTINCT ON (d.dataset, d.unit_id) d.dataset, d.unit_id, d.file, d.line,
               d.cds_unique_id
          FROM pbc.load_deletions d
         WHERE d.load_id = to_load
           AND NOT EXISTS (SELECT 1 FROM pbc.load_deletions o
                            WHERE o.load_id = from_load AND o.dataset = d.dataset
                              AND o.cds_unique_id IS NOT DISTINCT FROM d.cds_unique_id)
         ORDER BY d.dataset, d.unit_id, d.file, d.line),
    later_inputs AS (
        SELECT DISTINCT pbc.base_name(path) AS name FROM pbc.load_files
         WHERE load_id = to_load AND kind = 'input'),
    -- the reference files behind prices (R-P) and behind attribution (R-A, R-G1)
    refs AS (SELECT pbc.changed_references(from_load, to_load,
                        ARRAY['tariff_apc', 'tariff_op', 'tariff_op_procedure', 'tariff_ae',
                              'tariff_params', 'mff', 'local_prices', 'exclusions', 'pbc'])
                        AS price_names,
                    pbc.changed_references(from_load, to_load,
                        ARRAY['practices', 'registrations', 'pbc']) AS attribution_names),
    j AS (
        SELECT a.unit_id IS NULL AS added,
               b.unit_id IS NULL AS removed,
               coalesce(b.dataset, a.dataset) AS dataset,
               coalesce(b.unit_id, a.unit_id) AS unit_id,
               -- the fields the hospital submits (SPEC §3.1), as the unit carries them
               (a.provider_code, a.nhs_number, a.date_of_birth, a.cds_practice_code,
                a.commissioner_code, a.admission_method, a.patient_classification,
                a.admission_date, a.discharge_date, a.attribution_date, a.charge_date, a.hrg,
                a.treatment_function_code, a.first_attendance, a.attended_or_dna,
                a.referral_source, a.ae_attendance_category, a.episodes)
               IS DISTINCT FROM
               (b.provider_code, b.nhs_number, b.date_of_birth, b.cds_practice_code,
                b.commissioner_code, b.admission_method, b.patient_classification,
                b.admission_date, b.discharge_date, b.attribution_date, b.charge_date, b.hrg,
                b.treatment_function_code, b.first_attendance, b.attended_or_dna,
                b.referral_source, b.ae_attendance_category, b.episodes) AS record_changed,
               concat_ws('; ',
                   pbc.field_change('nhs_number', a.nhs_number, b.nhs_number),
                   pbc.field_change('date_of_birth', a.date_of_birth, b.date_of_birth),
                   pbc.field_change('gp_practice_code', a.cds_practice_code, b.cds_practice_code),
                   pbc.field_change('commissioner_code', a.commissioner_code, b.commissioner_code),
                   pbc.field_change('admission_method', a.admission_method, b.admission_method),
                   pbc.field_change('patient_classification', a.patient_classification,
                                    b.patient_classification),
                   pbc.field_change('admission_date', a.admission_date, b.admission_date),
                   pbc.field_change('discharge_date', a.discharge_date, b.discharge_date),
                   CASE WHEN coalesce(b.dataset, a.dataset) <> 'APC' THEN
                       pbc.field_change('date', a.charge_date, b.charge_date) END,
                   pbc.field_change('hrg', a.hrg, b.hrg),
                   pbc.field_change('treatment_function_code', a.treatment_function_code,
                                    b.treatment_function_code),
                   pbc.field_change('first_attendance', a.first_attendance, b.first_attendance),
                   pbc.field_change('attended_or_dna', a.attended_or_dna, b.attended_or_dna),
                   pbc.field_change('referral_source', a.referral_source, b.referral_source),
                   pbc.field_change('ae_attendance_category', a.ae_attendance_category,
                                    b.ae_attendance_category),
                   pbc.field_change('episodes', a.episodes, b.episodes),
                   pbc.field_change('provider_code', a.provider_code, b.provider_code))
                   AS record_detail,
               (a.exeter_practice_code, a.exeter_reason) IS DISTINCT FROM
               (b.exeter_practice_code, b.exeter_reason)
               OR (a.attribution_method IS DISTINCT FROM b.attribution_method
                   AND (a.attribution_method IN ('EXETER', 'EXETER_NEAREST')
                        OR b.attribution_method IN ('EXETER', 'EXETER_NEAREST')))
                   AS registration_changed,
               concat_ws('; ',
                   pbc.field_change('practice_code', a.practice_code, b.practice_code),
                   pbc.field_change('budget_scope', a.budget_scope, b.budget_scope),
                   pbc.field_change('attribution_method', a.attribution_method,
                                    b.attribution_method),
                   pbc.field_change('exeter_practice_code', a.exeter_practice_code,
                                    b.exeter_practice_code),
                   pbc.field_change('exeter_reason', a.exeter_reason, b.exeter_reason),
                   pbc.field_change('original_practice_code', a.original_practice_code,
                                    b.original_practice_code),
                   pbc.field_change('unattributed_reason', a.unattributed_reason,
                                    b.unattributed_reason),
                   pbc.field_change('practice_pct_code', a.practice_pct_code,
                                    b.practice_pct_code)) AS attribution_detail,
               concat_ws('; ',
                   pbc.field_change('pod', a.pod, b.pod),
                   pbc.field_change('fin_year', a.fin_year, b.fin_year),
                   pbc.field_change('price_method', a.price_method, b.price_method),
                   pbc.field_change('base_pence', a.base_pence, b.base_pence),
                   pbc.field_change('excess_bed_days', a.excess_bed_days, b.excess_bed_days),
                   pbc.field_change('excess_pence', a.excess_pence, b.excess_pence),
                   pbc.field_change('sse_applied', a.sse_applied, b.sse_applied),
                   pbc.field_change('mff', a.mff, b.mff),
                   pbc.field_change('price_pence', a.price_pence, b.price_pence),
                   pbc.field_change('budget_scope', a.budget_scope, b.budget_scope))
                   AS price_detail,
               concat_ws('; ',
                   pbc.field_change('practice_pence', a.practice_pence, b.practice_pence),
                   pbc.field_change('risk_pool_pence', a.risk_pool_pence, b.risk_pool_pence))
                   AS split_detail,
               a.price_pence IS NOT DISTINCT FROM b.price_pence
               AND a.budget_scope IS NOT DISTINCT FROM b.budget_scope AS price_same,
               a.source_file AS a_source_file, a.source_line AS a_source_line,
               b.source_file AS b_source_file, b.source_line AS b_source_line,
               coalesce(b.cds_unique_id, a.cds_unique_id) AS cds_unique_id,
               coalesce(b.provider_code, a.provider_code) AS provider_code,
               coalesce(b.nhs_number, a.nhs_number) AS nhs_number,
               a.practice_code AS from_practice_code, b.practice_code AS to_practice_code,
               a.budget_scope AS from_budget_scope, b.budget_scope AS to_budget_scope,
               a.pod AS from_pod, b.pod AS to_pod,
               a.activity_month AS from_activity_month, b.activity_month AS to_activity_month,
               a.hrg AS from_hrg, b.hrg AS to_hrg,
               a.price_method AS from_price_method, b.price_method AS to_price_method,
               a.price_pence AS from_price_pence, b.price_pence AS to_price_pence,
               a.practice_pence AS from_practice_pence, b.practice_pence AS to_practice_pence,
               a.risk_pool_pence AS from_risk_pool_pence, b.risk_pool_pence AS to_risk_pool_pence
          FROM a FULL JOIN b ON b.dataset = a.dataset AND b.unit_id = a.unit_id),
    k AS (
        SELECT j.*,
               CASE
                   WHEN j.added THEN 'ADDED'
                   WHEN j.removed THEN 'REMOVED'
                   WHEN j.from_practice_code IS DISTINCT FROM j.to_practice_code
                        OR (j.from_budget_scope <> j.to_budget_scope
                            AND (j.from_budget_scope IN ('UNATTRIBUTED', 'OUT_OF_AREA')
                                 OR j.to_budget_scope IN ('UNATTRIBUTED', 'OUT_OF_AREA')))
                       THEN 'REATTRIBUTED'
                   WHEN (j.from_price_pence, j.from_practice_pence, j.from_risk_pool_pence,
                         j.from_pod, j.from_budget_scope)
                        IS DISTINCT FROM
                        (j.to_price_pence, j.to_practice_pence, j.to_risk_pool_pence,
                         j.to_pod, j.to_budget_scope)
                       THEN 'REPRICED'
                   WHEN j.from_activity_month IS DISTINCT FROM j.to_activity_month
                       THEN 'REDATED'
               END AS change,
               d.file AS del_file, d.line AS del_line, d.cds_unique_id AS del_id,
               d.unit_id IS NOT NULL AS deleted,
               j.removed AND j.a_source_file IS NOT NULL
               AND EXISTS (SELECT 1 FROM later_inputs)
               AND j.a_source_file NOT IN (SELECT name FROM later_inputs) AS not_resubmitted
          FROM j
          LEFT JOIN new_deletions d ON d.dataset = j.dataset AND d.unit_id = j.unit_id),
    r AS (
        SELECT k.*,
               CASE
                   WHEN k.added THEN 'LATE_RECORD'
                   WHEN k.deleted THEN 'PROVIDER_DELETION'
                   WHEN k.not_resubmitted THEN 'NOT_RESUBMITTED'
                   WHEN k.removed OR k.record_changed THEN 'PROVIDER_REPLACEMENT'
                   WHEN k.change = 'REATTRIBUTED' AND k.registration_changed
                       THEN 'REGISTRATION_CHANGE'
                   WHEN k.change = 'REPRICED' AND k.price_same AND k.from_pod = k.to_pod
                       THEN 'HIGH_COST_SPLIT'
                   ELSE 'TARIFF_OR_REFERENCE_CHANGE'
               END AS reason
          FROM k
         WHERE k.change IS NOT NULL)
    SELECT r.change, r.reason,
           CASE r.reason
               WHEN 'LATE_RECORD' THEN
                   'first in ' || coalesce(r.b_source_file || ' line ' || r.b_source_line,
                                           'the later run')
               WHEN 'PROVIDER_DELETION' THEN
                   concat_ws('; ', 'deletion of ' || coalesce(r.del_id, 'the record')
                                   || ' in ' || r.del_file || ' line ' || r.del_line,
                             CASE WHEN NOT r.removed THEN nullif(r.record_detail, '') END)
               WHEN 'NOT_RESUBMITTED' THEN
                   r.a_source_file || ' was not among the later run''s extracts'
               WHEN 'PROVIDER_REPLACEMENT' THEN
                   CASE WHEN r.removed
                        THEN 'a later version took the unit out of the run''s months'
                             || ' or left its spell unfinished'
                        ELSE nullif(r.record_detail, '') END
               WHEN 'REGISTRATION_CHANGE' THEN nullif(r.attribution_detail, '')
               WHEN 'HIGH_COST_SPLIT' THEN
                   r.split_detail || '; price unchanged: the patient''s other units moved'
                   || ' the running total against the high-cost threshold (R-G2)'
               WHEN 'TARIFF_OR_REFERENCE_CHANGE' THEN
                   CASE WHEN r.change = 'REATTRIBUTED'
                        THEN concat_ws('; ', nullif(r.attribution_detail, ''),
                                       'reference files changed: '
                                       || coalesce((SELECT attribution_names FROM refs), 'none'))
                        ELSE concat_ws('; ', nullif(r.price_detail, ''),
                                       'reference files changed: '
                                       || coalesce((SELECT price_names FROM refs), 'none'))
                   END
           END,
           r.dataset, r.unit_id, r.cds_unique_id, r.provider_code, r.nhs_number,
           r.from_practice_code, r.to_practice_code, r.from_budget_scope, r.to_budget_scope,
           r.from_pod, r.to_pod, r.from_activity_month, r.to_activity_month,
           r.from_hrg, r.to_hrg, r.from_price_method, r.to_price_method,
           r.from_price_pence, r.to_price_pence,
           coalesce(r.to_price_pence, 0) - coalesce(r.from_price_pence, 0),
           r.from_practice_pence, r.to_practice_pence,
           coalesce(r.to_practice_pence, 0) - coalesce(r.from_practice_pence, 0),
           r.from_risk_pool_pence, r.to_risk_pool_pence,
           coalesce(r.to_risk_pool_pence, 0) - coalesce(r.from_risk_pool_pence, 0),
           CASE WHEN r.deleted THEN r.del_file
                WHEN r.removed THEN r.a_source_file ELSE r.b_source_file END,
           CASE WHEN r.deleted THEN r.del_line
                WHEN r.removed THEN r.a_source_line ELSE r.b_source_line END
      FROM r
    $$;

-- PRACTICE units (the ones that count against budgets, R-G1) by practice and
-- POD in each of two loads, and the differences; only (practice, POD) pairs
-- where something differs.  Summed over a practice's PODs, delta_practice_pence
-- is the change in its statement's spend_ytd.  Months as pbc.unit_changes.
CREATE FUNCTION pbc.practice_changes(from_load bigint, to_load bigint)
RETURNS TABLE (
    practice_code text, pod text,
    from_units bigint, to_units bigint, delta_units bigint,
    from_cost_pence bigint, to_cost_pence bigint, delta_cost_pence bigint,
    from_practice_pence bigint, to_practice_pence bigint, delta_practice_pence bigint,
    from_risk_pool_pence bigint, to_risk_pool_pence bigint, delta_risk_pool_pence bigint)
    LANGUAGE sql STABLE
    AS $$
    WITH lim AS (
        SELECT least(f.period, t.period) AS last_month
          FROM pbc.loads f, pbc.loads t
         WHERE f.load_id = from_load AND t.load_id = to_load),
    a AS (SELECT u.practice_code, u.pod, count(*)::bigint AS n, sum(u.price_pence)::bigint AS c,
                 sum(u.practice_pence)::bigint AS p, sum(u.risk_pool_pence)::bigint AS r
            FROM pbc.load_units u, lim
           WHERE u.load_id = from_load AND u.budget_scope = 'PRACTICE'
             AND u.activity_month <= lim.last_month
           GROUP BY 1, 2),
    b AS (SELECT u.practice_code, u.pod, count(*)::bigint AS n, sum(u.price_pence)::bigint AS c,
                 sum(u.practice_pence)::bigint AS p, sum(u.risk_pool_pence)::bigint AS r
            FROM pbc.load_units u, lim
           WHERE u.load_id = to_load AND u.budget_scope = 'PRACTICE'
             AND u.activity_month <= lim.last_month
           GROUP BY 1, 2)
    SELECT coalesce(b.practice_code, a.practice_code), coalesce(b.pod, a.pod),
           coalesce(a.n, 0), coalesce(b.n, 0), coalesce(b.n, 0) - coalesce(a.n, 0),
           coalesce(a.c, 0), coalesce(b.c, 0), coalesce(b.c, 0) - coalesce(a.c, 0),
           coalesce(a.p, 0), coalesce(b.p, 0), coalesce(b.p, 0) - coalesce(a.p, 0),
           coalesce(a.r, 0), coalesce(b.r, 0), coalesce(b.r, 0) - coalesce(a.r, 0)
      FROM a FULL JOIN b ON b.practice_code = a.practice_code AND b.pod = a.pod
     WHERE (coalesce(a.n, 0), coalesce(a.c, 0), coalesce(a.p, 0), coalesce(a.r, 0))
           <> (coalesce(b.n, 0), coalesce(b.c, 0), coalesce(b.p, 0), coalesce(b.r, 0))
    $$;

-- Prior-month adjustments of load to_load: for each month of its range that a
-- closed period of the same PCT and financial year covers, the PRACTICE units
-- and pence of each practice in that month, against the closed load that
-- signed the month off (the latest closed period covering it, other than the
-- load's own); only practice-months that differ.  The closed load's figures
-- stay as they were published.
CREATE FUNCTION pbc.prior_month_adjustments(to_load bigint)
RETURNS TABLE (
    practice_code text, activity_month text, closed_period text, closed_load_id bigint,
    closed_units bigint, units bigint, delta_units bigint,
    closed_cost_pence bigint, cost_pence bigint, delta_cost_pence bigint,
    closed_practice_pence bigint, practice_pence bigint, delta_practice_pence bigint,
    closed_risk_pool_pence bigint, risk_pool_pence bigint, delta_risk_pool_pence bigint)
    LANGUAGE sql STABLE
    AS $$
    WITH l AS (SELECT pct_code, period, fin_year FROM pbc.loads WHERE load_id = to_load),
    closed AS (
        SELECT p.period, p.closed_load_id
          FROM pbc.periods p
          JOIN pbc.loads c ON c.load_id = p.closed_load_id, l
         WHERE p.pct_code = l.pct_code AND p.status = 'CLOSED' AND p.period <> l.period
           AND c.fin_year = l.fin_year),
    months AS (
        SELECT m.activity_month, c.period AS closed_period, c.closed_load_id
          FROM l
         CROSS JOIN LATERAL generate_series(1, pbc.month_number(l.period)) AS g(i)
         CROSS JOIN LATERAL (SELECT pbc.fin_year_month(l.fin_year, g.i) AS activity_month) m
         CROSS JOIN LATERAL (SELECT x.period, x.closed_load_id FROM closed x
                              WHERE x.period >= m.activity_month
                              ORDER BY x.period DESC LIMIT 1) c),
    a AS (SELECT m.activity_month, u.practice_code, count(*)::bigint AS n,
                 sum(u.price_pence)::bigint AS c, sum(u.practice_pence)::bigint AS p,
                 sum(u.risk_pool_pence)::bigint AS r
            FROM months m
            JOIN pbc.load_units u ON u.load_id = m.closed_load_id
                                 AND u.activity_month = m.activity_month
           WHERE u.budget_scope = 'PRACTICE'
           GROUP BY 1, 2),
    b AS (SELECT m.activity_month, u.practice_code, count(*)::bigint AS n,
                 sum(u.price_pence)::bigint AS c, sum(u.practice_pence)::bigint AS p,
                 sum(u.risk_pool_pence)::bigint AS r
            FROM months m
            JOIN pbc.load_units u ON u.load_id = to_load AND u.activity_month = m.activity_month
           WHERE u.budget_scope = 'PRACTICE'
           GROUP BY 1, 2)
    SELECT coalesce(b.practice_code, a.practice_code), m.activity_month, m.closed_period,
           m.closed_load_id,
           coalesce(a.n, 0), coalesce(b.n, 0), coalesce(b.n, 0) - coalesce(a.n, 0),
           coalesce(a.c, 0), coalesce(b.c, 0), coalesce(b.c, 0) - coalesce(a.c, 0),
           coalesce(a.p, 0), coalesce(b.p, 0), coalesce(b.p, 0) - coalesce(a.p, 0),
           coalesce(a.r, 0), coalesce(b.r, 0), coalesce(b.r, 0) - coalesce(a.r, 0)
      FROM a
      FULL JOIN b ON b.activity_month = a.activity_month AND b.practice_code = a.practice_code
      JOIN months m ON m.activity_month = coalesce(b.activity_month, a.activity_month)
     WHERE (coalesce(a.n, 0), coalesce(a.c, 0), coalesce(a.p, 0), coalesce(a.r, 0))
           <> (coalesce(b.n, 0), coalesce(b.c, 0), coalesce(b.p, 0), coalesce(b.r, 0))
    $$;

-- The status of a published month, 'PROVISIONAL' or 'CLOSED'; NULL when
-- nothing is published for it.  The statement renderer asks for this
-- function (docs/statements.md); nothing else depends on it.
CREATE FUNCTION pbc.period_status(pct text, period text) RETURNS text
    LANGUAGE sql STABLE
    AS $$ SELECT p.status FROM pbc.periods p WHERE p.pct_code = $1 AND p.period = $2 $$;

-- ---------------------------------------------------------------- views

-- Whether each published month is provisional or closed, and by whom.
CREATE VIEW pbc.v_period_status WITH (security_invoker = true) AS
SELECT p.pct_code, p.period, p.status,
       p.status = 'CLOSED' AS closed,
       p.current_load_id, p.closed_load_id, p.closed_at, p.closed_by, p.close_note,
       p.reopened_at, p.reopened_by, p.reopen_reason
  FROM pbc.periods p;

-- A statement with its month's status and the change report that came with
-- its publication (statement pages: the provisional / closed flag and the
-- link to what changed since the previous run).
CREATE VIEW pbc.v_statement_status WITH (security_invoker = true) AS
SELECT s.pct_code, s.period, s.practice_code,
       coalesce(p.status, 'PROVISIONAL') AS status,
       p.closed_at, p.closed_by,
       s.load_id,
       r.report_id, r.from_load_id,
       (SELECT count(*) FROM pbc.changes c
         WHERE c.report_id = r.report_id
           AND (c.from_practice_code = s.practice_code OR c.to_practice_code = s.practice_code))
                                        AS units_changed,
       (SELECT coalesce(sum(x.delta_practice_pence), 0)::bigint FROM pbc.changes_by_practice x
         WHERE x.report_id = r.report_id AND x.practice_code = s.practice_code)
                                        AS delta_spend_pence,
       (SELECT count(*) FROM pbc.prior_month_adjustments a
         WHERE a.load_id = s.load_id AND a.practice_code = s.practice_code)
                                        AS prior_month_adjustments,
       (SELECT coalesce(sum(a.delta_practice_pence), 0)::bigint
          FROM pbc.prior_month_adjustments a
         WHERE a.load_id = s.load_id AND a.practice_code = s.practice_code)
                                        AS prior_month_delta_pence
  FROM pbc.statements s
  LEFT JOIN pbc.periods p ON p.pct_code = s.pct_code AND p.period = s.period
  LEFT JOIN pbc.change_reports r ON r.to_load_id = s.load_id;

-- The units of a statement's practice that changed since the previous run
-- (the change report of the current publication), from either side.
CREATE VIEW pbc.v_statement_changes WITH (security_invoker = true) AS
SELECT s.pct_code, s.period, s.practice_code,
       c.from_load_id, c.to_load_id, c.change, c.reason, c.detail, c.dataset, c.unit_id,
       c.cds_unique_id, c.provider_code, c.nhs_number,
       c.from_practice_code, c.to_practice_code, c.from_budget_scope, c.to_budget_scope,
       c.from_pod, c.to_pod, c.from_activity_month, c.to_activity_month,
       c.from_price_pence, c.to_price_pence, c.delta_price_pence,
       CASE WHEN c.from_practice_code = s.practice_code AND c.from_budget_scope = 'PRACTICE'
            THEN c.from_practice_pence ELSE 0 END AS from_practice_pence,
       CASE WHEN c.to_practice_code = s.practice_code AND c.to_budget_scope = 'PRACTICE'
            THEN c.to_practice_pence ELSE 0 END   AS to_practice_pence,
       (CASE WHEN c.to_practice_code = s.practice_code AND c.to_budget_scope = 'PRACTICE'
             THEN coalesce(c.to_practice_pence, 0) ELSE 0 END)
       - (CASE WHEN c.from_practice_code = s.practice_code AND c.from_budget_scope = 'PRACTICE'
               THEN coalesce(c.from_practice_pence, 0) ELSE 0 END)
                                                  AS delta_spend_pence,
       c.source_file, c.source_line
  FROM pbc.statements s
  JOIN pbc.change_reports r ON r.to_load_id = s.load_id
  JOIN pbc.changes c ON c.report_id = r.report_id
                    AND (c.from_practice_code = s.practice_code
                         OR c.to_practice_code = s.practice_code);

-- A statement's change in units and pence by POD since the previous run.
CREATE VIEW pbc.v_statement_changes_pod WITH (security_invoker = true) AS
SELECT s.pct_code, s.period, s.practice_code, x.pod, d.description AS pod_description,
       x.from_load_id, x.to_load_id,
       x.from_units, x.to_units, x.delta_units,
       x.from_cost_pence, x.to_cost_pence, x.delta_cost_pence,
       x.from_practice_pence, x.to_practice_pence, x.delta_practice_pence,
       x.from_risk_pool_pence, x.to_risk_pool_pence, x.delta_risk_pool_pence
  FROM pbc.statements s
  JOIN pbc.change_reports r ON r.to_load_id = s.load_id
  JOIN pbc.changes_by_practice x ON x.report_id = r.report_id
                                AND x.practice_code = s.practice_code
  LEFT JOIN pbc.pods d ON d.pod = x.pod;

-- A statement's prior-month adjustments: its restatement of closed months.
CREATE VIEW pbc.v_statement_prior_month WITH (security_invoker = true) AS
SELECT s.pct_code, s.period, s.practice_code, a.activity_month, a.closed_period,
       a.closed_load_id, a.closed_units, a.units, a.delta_units,
       a.closed_cost_pence, a.cost_pence, a.delta_cost_pence,
       a.closed_practice_pence, a.practice_pence, a.delta_practice_pence,
       a.closed_risk_pool_pence, a.risk_pool_pence, a.delta_risk_pool_pence
  FROM pbc.statements s
  JOIN pbc.prior_month_adjustments a ON a.load_id = s.load_id
                                    AND a.practice_code = s.practice_code;

-- ---------------------------------------------------------------- security

GRANT SELECT, INSERT, UPDATE, DELETE ON pbc.load_units, pbc.load_deletions, pbc.periods,
    pbc.period_events, pbc.change_reports, pbc.changes, pbc.changes_by_practice,
    pbc.prior_month_adjustments TO pbc_loader;
GRANT SELECT ON pbc.load_units, pbc.load_deletions, pbc.periods, pbc.period_events,
    pbc.change_reports, pbc.changes, pbc.changes_by_practice, pbc.prior_month_adjustments,
    pbc.v_period_status, pbc.v_statement_status, pbc.v_statement_changes,
    pbc.v_statement_changes_pod, pbc.v_statement_prior_month TO pbc_finance;
-- Practices: the status of their months and their own rows of the reports.
-- Not load_deletions, period_events or the comparison functions, which read
-- the PCT's load audit.
GRANT SELECT ON pbc.periods, pbc.change_reports, pbc.changes, pbc.changes_by_practice,
    pbc.prior_month_adjustments, pbc.load_units,
    pbc.v_period_status, pbc.v_statement_status, pbc.v_statement_changes,
    pbc.v_statement_changes_pod, pbc.v_statement_prior_month TO pbc_reader;
REVOKE EXECUTE ON FUNCTION pbc.unit_changes(bigint, bigint), pbc.practice_changes(bigint, bigint),
    pbc.prior_month_adjustments(bigint), pbc.changed_references(bigint, bigint, text[])
    FROM PUBLIC, pbc_reader;
REVOKE EXECUTE ON FUNCTION pbc.field_change(text, anyelement, anyelement), pbc.base_name(text)
    FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION pbc.period_status(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pbc.period_status(text, text) TO pbc_loader, pbc_finance, pbc_reader;
GRANT EXECUTE ON FUNCTION pbc.unit_changes(bigint, bigint), pbc.practice_changes(bigint, bigint),
    pbc.prior_month_adjustments(bigint), pbc.changed_references(bigint, bigint, text[]),
    pbc.field_change(text, anyelement, anyelement), pbc.base_name(text)
    TO pbc_loader, pbc_finance;

-- Practice rows: finance all, practice and consortium roles their own.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['load_units', 'changes_by_practice', 'prior_month_adjustments']
    LOOP
        EXECUTE format('ALTER TABLE pbc.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY finance_all ON pbc.%I FOR SELECT TO pbc_finance USING (true)', t);
        EXECUTE format('CREATE POLICY own_practices ON pbc.%I FOR SELECT TO pbc_reader '
                       'USING (practice_code = ANY ((SELECT pbc.visible_practices())::text[]))', t);
    END LOOP;
    -- PCT-level: finance only.
    FOREACH t IN ARRAY ARRAY['load_deletions', 'period_events']
    LOOP
        EXECUTE format('ALTER TABLE pbc.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY finance_all ON pbc.%I FOR SELECT TO pbc_finance USING (true)', t);
    END LOOP;
END
$$;

-- A unit that moved between practices belongs to both sides' reports.
ALTER TABLE pbc.changes ENABLE ROW LEVEL SECURITY;
CREATE POLICY finance_all ON pbc.changes FOR SELECT TO pbc_finance USING (true);
CREATE POLICY own_practices ON pbc.changes FOR SELECT TO pbc_reader
    USING (from_practice_code = ANY ((SELECT pbc.visible_practices())::text[])
           OR to_practice_code = ANY ((SELECT pbc.visible_practices())::text[]));

-- Month status and report headers hold no practice rows: every reader sees them.
ALTER TABLE pbc.periods ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone ON pbc.periods FOR SELECT TO pbc_finance, pbc_reader USING (true);
ALTER TABLE pbc.change_reports ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone ON pbc.change_reports FOR SELECT TO pbc_finance, pbc_reader USING (true);
