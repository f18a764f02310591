-- 010_statement_views.sql: the views the statement pages need beyond 002's
-- (pbc-statements, docs/statements.md; SPEC §7.2).
--
-- Like 002, every view is security_invoker: it reads its tables with the
-- querying user's rights, so row-level security (003) applies through it and
-- a practice or consortium role sees only its own practices' rows; a
-- consortium or PCT total is the total of the practices the reader may see.
-- The renderer reads these and 002's views, never the CSV files, so that what
-- practices read is what finance reads.

-- Modulus 11 (NHS Data Dictionary), as lib/nhs.c: ten digits, weights 10..2
-- on the first nine, check digit 11 - (sum mod 11), where 11 means 0 and 10
-- means no valid number.  R-G2: only valid NHS numbers are patients whose
-- units the risk pool can take.
CREATE FUNCTION pbc.nhs_number_valid(s text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE
        WHEN s IS NULL OR s !~ '^[0-9]{10}$' THEN false
        ELSE (SELECT CASE 11 - sum(substr(s, i, 1)::integer * (11 - i)) % 11
                         WHEN 11 THEN 0
                         WHEN 10 THEN -1
                         ELSE 11 - sum(substr(s, i, 1)::integer * (11 - i)) % 11
                     END = substr(s, 10, 1)::integer
                FROM generate_series(1, 9) AS g(i))
    END;

-- How a statement's indicative budget was set (R-B5): the run's components
-- when the run set the budgets (budget_set_by RUN), "set by the PCT" when a
-- budget came from REF/budgets.csv (PCT), none when the practice has no
-- budget (NONE: annual_budget 0, e.g. a practice opened after 1 April).
CREATE VIEW pbc.v_statement_budget WITH (security_invoker = true) AS
SELECT s.pct_code, s.period, s.practice_code, s.fin_year,
       CASE WHEN b.practice_code IS NOT NULL THEN 'RUN'
            WHEN s.annual_budget <> 0 THEN 'PCT'
            ELSE 'NONE'
       END                       AS budget_set_by,
       s.annual_budget           AS statement_annual_budget,
       b.historic, b.uplifted_historic, b.fair_share, b.distance_from_target,
       b.budget, b.contingency, b.annual_budget, b.weighted_population
  FROM pbc.statements s
  LEFT JOIN pbc.budgets b
         ON b.pct_code = s.pct_code AND b.period = s.period
        AND b.practice_code = s.practice_code AND b.fin_year = s.fin_year;

-- The attribution quality of a statement's units (R-A): its PRACTICE units
-- by attribution method, with the R-A7 mismatches (hospital code and Exeter
-- practice differ) and the units handed over from a closed practice (R-A5).
CREATE VIEW pbc.v_statement_attribution WITH (security_invoker = true) AS
SELECT a.pct_code, a.period, a.practice_code, a.attribution_method,
       count(*)::bigint                                       AS units,
       sum(a.price_pence)::bigint                             AS cost_pence,
       sum(a.practice_pence)::bigint                          AS practice_pence,
       count(*) FILTER (WHERE a.mismatch)::bigint             AS mismatches,
       count(*) FILTER (WHERE a.original_practice_code IS NOT NULL
                          AND a.original_practice_code <> a.practice_code)::bigint
                                                              AS handed_over
  FROM pbc.priced_activity a
 WHERE a.budget_scope = 'PRACTICE'
 GROUP BY a.pct_code, a.period, a.practice_code, a.attribution_method;

-- A statement's patients by cost, year to date: its PRACTICE units grouped by
-- valid NHS number (R-G2), with what the practice paid and what the PCT risk
-- pool covered; rank 1 is the costliest (ties: NHS number in byte order).
-- Units without a valid NHS number are nobody's: wholly practice_pence.
CREATE VIEW pbc.v_statement_top_patients WITH (security_invoker = true) AS
SELECT a.pct_code, a.period, a.practice_code, a.nhs_number,
       count(*)::bigint                AS units,
       sum(a.price_pence)::bigint      AS cost_pence,
       sum(a.practice_pence)::bigint   AS practice_pence,
       sum(a.risk_pool_pence)::bigint  AS risk_pool_pence,
       min(a.charge_date)              AS first_charge_date,
       max(a.charge_date)              AS last_charge_date,
       row_number() OVER (PARTITION BY a.pct_code, a.period, a.practice_code
                          ORDER BY sum(a.price_pence) DESC, a.nhs_number COLLATE "C")
                                       AS rank
  FROM pbc.priced_activity a
 WHERE a.budget_scope = 'PRACTICE' AND pbc.nhs_number_valid(a.nhs_number)
 GROUP BY a.pct_code, a.period, a.practice_code, a.nhs_number;

-- Consortium totals of the statements (the sum of its practices' figures,
-- each rounded on its own as R-G3 rounds it).
CREATE VIEW pbc.v_statement_consortium WITH (security_invoker = true) AS
SELECT v.pct_code, v.period, v.month_number, v.fin_year, v.consortium_code,
       count(*)::bigint                   AS practices,
       sum(v.annual_budget)::bigint       AS annual_budget,
       sum(v.budget_ytd)::bigint          AS budget_ytd,
       sum(v.spend_ytd)::bigint           AS spend_ytd,
       sum(v.variance_ytd)::bigint        AS variance_ytd,
       sum(v.forecast_outturn)::bigint    AS forecast_outturn,
       sum(v.forecast_variance)::bigint   AS forecast_variance,
       sum(v.freed_up_practice)::bigint   AS freed_up_practice,
       sum(v.freed_up_pct)::bigint        AS freed_up_pct,
       sum(v.risk_pool_ytd)::bigint       AS risk_pool_ytd,
       sum(v.units_ytd)::bigint           AS units_ytd,
       round(100.0 * sum(v.spend_ytd) / nullif(sum(v.budget_ytd), 0), 1)
                                          AS spend_percent_of_budget_ytd
  FROM pbc.v_statement v
 GROUP BY v.pct_code, v.period, v.month_number, v.fin_year, v.consortium_code;

-- PCT totals of the statements: every practice's statement summed, so that
-- they add up to all practice spend (R-G3).
CREATE VIEW pbc.v_statement_pct WITH (security_invoker = true) AS
SELECT v.pct_code, v.period, v.month_number, v.fin_year,
       count(*)::bigint                   AS practices,
       sum(v.annual_budget)::bigint       AS annual_budget,
       sum(v.budget_ytd)::bigint          AS budget_ytd,
       sum(v.spend_ytd)::bigint           AS spend_ytd,
       sum(v.variance_ytd)::bigint        AS variance_ytd,
       sum(v.forecast_outturn)::bigint    AS forecast_outturn,
       sum(v.forecast_variance)::bigint   AS forecast_variance,
       sum(v.freed_up_practice)::bigint   AS freed_up_practice,
       sum(v.freed_up_pct)::bigint        AS freed_up_pct,
       sum(v.risk_pool_ytd)::bigint       AS risk_pool_ytd,
       sum(v.units_ytd)::bigint           AS units_ytd,
       round(100.0 * sum(v.spend_ytd) / nullif(sum(v.budget_ytd), 0), 1)
                                          AS spend_percent_of_budget_ytd
  FROM pbc.v_statement v
 GROUP BY v.pct_code, v.period, v.month_number, v.fin_year;

REVOKE EXECUTE ON FUNCTION pbc.nhs_number_valid(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pbc.nhs_number_valid(text) TO pbc_loader, pbc_finance, pbc_reader;
GRANT SELECT ON pbc.v_statement_budget, pbc.v_statement_attribution, pbc.v_statement_top_patients,
                pbc.v_statement_consortium, pbc.v_statement_pct
    TO pbc_finance, pbc_reader;
