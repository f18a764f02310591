-- 002_views.sql: the views monthly statements are rendered from (SPEC §7.2).
--
-- Every view is security_invoker: it reads its tables with the rights of the
-- user who queries it, so row-level security on the tables (003_security.sql)
-- applies through the view and a practice sees, through any view, only what it
-- sees in the tables.  One row set per (pct_code, period) published; a
-- renderer picks a period with WHERE period = 'YYYY-MM'.

-- A reference file's date in any of SPEC §3's forms (YYYY-MM-DD, DD/MM/YYYY,
-- YYYYMMDD); NULL when blank.
CREATE FUNCTION pbc.parse_date(s text) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE
        WHEN s ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN to_date(s, 'YYYY-MM-DD')
        WHEN s ~ '^[0-9]{2}/[0-9]{2}/[0-9]{4}$' THEN to_date(s, 'DD/MM/YYYY')
        WHEN s ~ '^[0-9]{8}$'                   THEN to_date(s, 'YYYYMMDD')
    END;

-- Month number of a reporting month within its financial year (April = 1).
CREATE FUNCTION pbc.month_number(period text) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (substr(period, 6, 2)::integer + 8) % 12 + 1;

-- The m-th month ('YYYY-MM') of financial year fin_year ('2006/07'): m = 1 is April.
CREATE FUNCTION pbc.fin_year_month(fin_year text, m integer) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN to_char(make_date(substr(fin_year, 1, 4)::integer, 4, 1)
                   + make_interval(months => m - 1), 'YYYY-MM');

-- The statement page's headline figures (R-G3), one row per practice and period.
CREATE VIEW pbc.v_statement WITH (security_invoker = true) AS
SELECT s.pct_code,
       s.period,
       pbc.month_number(s.period)                      AS month_number,
       s.fin_year,
       s.practice_code,
       coalesce(p.practice_name, s.practice_name)     AS practice_name,
       coalesce(p.consortium_code, s.consortium_code) AS consortium_code,
       s.annual_budget,
       s.budget_ytd,
       s.spend_ytd,
       s.variance_ytd,
       s.forecast_outturn,
       s.forecast_variance,
       s.freed_up_practice,
       s.freed_up_pct,
       s.risk_pool_ytd,
       s.units_ytd,
       round(100.0 * s.spend_ytd / nullif(s.budget_ytd, 0), 1) AS spend_percent_of_budget_ytd,
       s.load_id
  FROM pbc.statements s
  LEFT JOIN pbc.practices p USING (practice_code);

-- Spend and activity by point of delivery, PRACTICE units only.
CREATE VIEW pbc.v_statement_pod WITH (security_invoker = true) AS
SELECT b.pct_code, b.period, b.practice_code,
       b.key AS pod, d.description AS pod_description,
       b.units, b.cost_pence, b.practice_pence, b.risk_pool_pence
  FROM pbc.statement_breakdown b
  LEFT JOIN pbc.pods d ON d.pod = b.key
 WHERE b.breakdown = 'POD';

-- Spend and activity by provider, PRACTICE units only.
CREATE VIEW pbc.v_statement_provider WITH (security_invoker = true) AS
SELECT b.pct_code, b.period, b.practice_code,
       b.key AS provider_code,
       b.units, b.cost_pence, b.practice_pence, b.risk_pool_pence
  FROM pbc.statement_breakdown b
 WHERE b.breakdown = 'PROVIDER';

-- Month by month spend, cumulative spend and the phased budget
-- round(annual_budget * m / 12) for m = 1 .. the reporting month: the chart
-- of cumulative spend against budget.  In the reporting month the phased
-- budget equals budget_ytd and the cumulative spend equals spend_ytd.
CREATE VIEW pbc.v_cumulative_spend WITH (security_invoker = true) AS
SELECT s.pct_code,
       s.period,
       s.practice_code,
       g.m                                         AS month_number,
       pbc.fin_year_month(s.fin_year, g.m)         AS activity_month,
       coalesce(pm.units, 0)                       AS units,
       coalesce(pm.practice_pence, 0)              AS spend_pence,
       sum(coalesce(pm.practice_pence, 0))
           OVER (PARTITION BY s.pct_code, s.period, s.practice_code ORDER BY g.m)
                                                   AS cumulative_spend_pence,
       round(s.annual_budget * g.m / 12.0)::bigint AS phased_budget_pence
  FROM pbc.statements s
 CROSS JOIN LATERAL generate_series(1, pbc.month_number(s.period)) AS g(m)
  LEFT JOIN LATERAL (
        SELECT sum(x.units)::bigint AS units, sum(x.practice_pence)::bigint AS practice_pence
          FROM pbc.practice_month x
         WHERE x.pct_code = s.pct_code AND x.period = s.period
           AND x.practice_code = s.practice_code
           AND x.activity_month = pbc.fin_year_month(s.fin_year, g.m)) pm ON true;

-- The patient-level charges behind a statement: the practice's PRACTICE units,
-- whose practice_pence add up to the statement's spend_ytd.
CREATE VIEW pbc.v_patient_charges WITH (security_invoker = true) AS
SELECT a.pct_code, a.period, a.practice_code,
       a.unit_id, a.dataset, a.pod, a.provider_code,
       a.nhs_number, a.date_of_birth,
       a.attribution_method, a.cds_practice_code, a.original_practice_code,
       a.admission_date, a.discharge_date, a.attribution_date, a.charge_date,
       a.activity_month, a.fin_year, a.hrg, h.hrg_name, a.treatment_function_code,
       a.referral_source, a.los, a.excess_bed_days,
       a.base_pence, a.excess_pence, a.sse_applied, a.mff, a.price_pence, a.price_method,
       a.practice_pence, a.risk_pool_pence
  FROM pbc.priced_activity a
  LEFT JOIN pbc.hrgs h ON h.fin_year = a.fin_year AND h.hrg = a.hrg
 WHERE a.budget_scope = 'PRACTICE';

-- Benchmarks against the PCT (R-G4).
CREATE VIEW pbc.v_benchmarks WITH (security_invoker = true) AS
SELECT b.pct_code, b.period, b.practice_code, b.measure,
       CASE b.measure
           WHEN 'EL_ADMISSIONS'        THEN 'Elective admissions (EL + DC)'
           WHEN 'NEL_ADMISSIONS'       THEN 'Non-elective admissions'
           WHEN 'OP_FIRST'             THEN 'First outpatient attendances'
           WHEN 'GP_REFERRALS'         THEN 'GP referrals'
           WHEN 'CONSULTANT_REFERRALS' THEN 'Consultant-to-consultant referrals'
           WHEN 'OP_FOLLOW_UP_RATIO'   THEN 'Outpatient follow-ups per first attendance'
           WHEN 'AE_ATTENDANCES'       THEN 'A&E attendances'
           ELSE b.measure
       END AS description,
       b.count, b.weighted_population, b.rate_per_1000,
       b.pct_count, b.pct_weighted_population, b.pct_rate_per_1000, b.ratio_to_pct
  FROM pbc.benchmarks b;

-- The loads, newest first, with whether each is the one standing for its
-- (pct_code, period).
CREATE VIEW pbc.v_loads WITH (security_invoker = true) AS
SELECT l.load_id, l.run_id, l.pct_code, l.period, l.status,
       (l.status = 'OK' AND l.replaced_by IS NULL) AS current,
       l.started_at, l.duration_ms, l.db_session_user, l.os_user, l.out_dir,
       (SELECT sum(t.rows_loaded) FROM pbc.load_tables t WHERE t.load_id = l.load_id) AS rows_loaded,
       l.replaces_load_id, l.replaced_by, l.message
  FROM pbc.loads l
 ORDER BY l.load_id DESC;
