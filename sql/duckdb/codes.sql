-- The `codes` report of `bounces analyze`, from its --events Parquet files.
-- DuckDB. Before running it, name the files (a glob) once per session:
--   SET VARIABLE events = 'events/**/*.parquet';
-- Same rows, same order as codes.csv, without the `description` column
-- (a fixed table in the program: `bounces explain CODE` prints it); see
-- sql/README.md.
WITH events AS (
    SELECT * FROM read_parquet(getvariable('events'))
),
deliveries AS (
    SELECT * FROM events WHERE kind = 'delivery'
),
-- The reports' order of reasons and bounce types (their order in the
-- program, not the alphabet).
reason_order (reason, pos) AS (
    VALUES
        ('delivered', 0), ('userunknown', 1), ('hostunknown', 2), ('notaccept', 3),
        ('hasmoved', 4), ('mailboxfull', 5), ('suspend', 6), ('filtered', 7), ('suppressed', 8),
        ('emailtoolarge', 9), ('ratelimited', 10), ('greylisted', 11), ('blocked', 12),
        ('badreputation', 13), ('spamdetected', 14), ('virusdetected', 15), ('authfailure', 16),
        ('requireptr', 17), ('failedstarttls', 18), ('securityerror', 19), ('norelaying', 20),
        ('policyviolation', 21), ('rejected', 22), ('contenterror', 23), ('notcompliantrfc', 24),
        ('networkerror', 25), ('expired', 26), ('systemerror', 27), ('systemfull', 28),
        ('syntaxerror', 29), ('mailererror', 30), ('onhold', 31), ('undefined', 32)
),
bounce_type_order (bounce_type, pos) AS (
    VALUES ('hard', 0), ('soft', 1), ('block', 2), ('undetermined', 3)
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
stage_order (stage, pos) AS (
    VALUES ('CONNECT', 0), ('HELO', 1), ('STARTTLS', 2), ('AUTH', 3), ('MAIL', 4), ('RCPT', 5), ('DATA', 6)
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
        CASE WHEN code = 554 THEN stage END AS stage,
        count(*) AS count
    FROM settled
    GROUP BY ALL
)
SELECT r.domain, r.status, r.code, r.enhanced, r.class, r.reason, r.bounce_type, r.count
FROM rows AS r
LEFT JOIN reason_order AS ro ON ro.reason = r.reason
LEFT JOIN stage_order AS so ON so.stage = r.stage
ORDER BY
    r.domain,
    CASE r.status WHEN 'delivered' THEN 0 WHEN 'deferred' THEN 1 ELSE 2 END,
    r.count DESC,
    r.code NULLS FIRST,
    [CAST(x AS INTEGER) FOR x IN string_split(r.enhanced, '.')] NULLS FIRST,
    r.note NULLS FIRST,
    ro.pos,
    so.pos NULLS FIRST;
