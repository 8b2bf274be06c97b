-- The `codes` report of `bounces analyze`, from its --events Parquet files.
-- Trino. The events are the table `events` of the Hive connector over
-- the directory of Parquet files (sql/trino/create-table.sql); run it
-- in that catalog and schema (USE hive.mail).
-- Same rows, same order as codes.csv, without its `description` column
-- (a table in the program: `bounces explain CODE` prints it); see
-- sql/README.md.
WITH deliveries AS (
    SELECT * FROM events WHERE kind = 'delivery'
),
-- The reports' order of reasons and bounce types: the program's, not
-- the alphabet's.
reason_order AS (
    SELECT * FROM (
        VALUES
            ('delivered', 0), ('userunknown', 1), ('hostunknown', 2), ('notaccept', 3),
            ('hasmoved', 4), ('mailboxfull', 5), ('suspend', 6), ('filtered', 7),
            ('suppressed', 8), ('emailtoolarge', 9), ('ratelimited', 10), ('greylisted', 11),
            ('blocked', 12), ('badreputation', 13), ('spamdetected', 14), ('virusdetected', 15),
            ('authfailure', 16), ('requireptr', 17), ('failedstarttls', 18), ('securityerror', 19),
            ('norelaying', 20), ('policyviolation', 21), ('rejected', 22), ('contenterror', 23),
            ('notcompliantrfc', 24), ('networkerror', 25), ('expired', 26), ('systemerror', 27),
            ('systemfull', 28), ('syntaxerror', 29), ('mailererror', 30), ('onhold', 31),
            ('undefined', 32)
    ) AS v (reason, pos)
),
bounce_type_order AS (
    SELECT * FROM (
        VALUES
            ('hard', 0), ('soft', 1), ('block', 2), ('undetermined', 3)
    ) AS v (bounce_type, pos)
),
-- Exim's `Unrouteable address` (note `unrouteable`) read with the whole
-- log, as the reports read it: at a domain the log shows a local delivery
-- to, it is no such user (userunknown), not no such domain (hostunknown).
local_domains AS (
    SELECT domain FROM deliveries GROUP BY domain HAVING bool_or(local)
),
settled AS (
    SELECT
        d.*,
        CASE
            WHEN d.note = 'unrouteable' AND d.reason = 'hostunknown' AND l.domain IS NOT NULL THEN 'userunknown'
            ELSE d.reason
        END AS settled_reason
    FROM deliveries AS d
    LEFT JOIN local_domains AS l ON l.domain = d.domain
),
stage_order AS (
    SELECT * FROM (
        VALUES
            ('CONNECT', 0), ('HELO', 1), ('STARTTLS', 2), ('AUTH', 3), ('MAIL', 4), ('RCPT', 5),
            ('DATA', 6)
    ) AS v (stage, pos)
),
rows AS (
    SELECT
        domain,
        status,
        code,
        enhanced,
        class,
        settled_reason AS reason,
        bounce_type,
        note,
        -- A 554's meaning depends on the command it answered: a row per stage.
        CASE WHEN code = 554 THEN stage END AS code_stage,
        count(*) AS count
    FROM settled
    GROUP BY domain, status, code, enhanced, class, settled_reason, bounce_type, note,
        CASE WHEN code = 554 THEN stage END
)
SELECT
    r.domain AS domain,
    r.status AS status,
    r.code AS code,
    r.enhanced AS enhanced,
    r.class AS class,
    r.reason AS reason,
    r.bounce_type AS bounce_type,
    r.count AS count
FROM rows AS r
LEFT JOIN reason_order AS ro ON ro.reason = r.reason
LEFT JOIN stage_order AS so ON so.stage = r.code_stage
ORDER BY
    r.domain,
    CASE r.status WHEN 'delivered' THEN 0 WHEN 'deferred' THEN 1 ELSE 2 END,
    r.count DESC,
    r.code NULLS FIRST,
    -- Enhanced codes in numeric order: 5.1.2 before 5.1.10.
    CAST(split_part(r.enhanced, '.', 1) AS INTEGER) NULLS FIRST,
    CAST(split_part(r.enhanced, '.', 2) AS INTEGER) NULLS FIRST,
    CAST(split_part(r.enhanced, '.', 3) AS INTEGER) NULLS FIRST,
    r.note NULLS FIRST,
    ro.pos,
    so.pos NULLS FIRST;
