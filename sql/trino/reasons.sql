-- The `reasons` report of `bounces analyze`, from its --events Parquet files.
-- Trino. The events are the table `events` of the Hive connector over
-- the directory of Parquet files (sql/trino/create-table.sql); run it
-- in that catalog and schema (USE hive.mail).
-- Same columns, same rows, same order as reasons.csv; see sql/README.md.
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
rows AS (
    SELECT
        domain,
        settled_reason AS reason,
        bounce_type,
        count(*) FILTER (WHERE status = 'deferred') AS deferred,
        count(*) FILTER (WHERE status = 'bounced') AS bounced,
        -- The example: the reply text that sorts first (an empty one, null
        -- here, sorts before any other).
        CASE WHEN bool_or(text IS NULL) THEN '' ELSE min(text) END AS example
    FROM settled
    WHERE status IN ('deferred', 'bounced')
    GROUP BY domain, settled_reason, bounce_type
)
SELECT
    r.domain AS domain,
    r.reason AS reason,
    r.bounce_type AS bounce_type,
    r.deferred AS deferred,
    r.bounced AS bounced,
    r.example AS example
FROM rows AS r
LEFT JOIN reason_order AS ro ON ro.reason = r.reason
LEFT JOIN bounce_type_order AS bo ON bo.bounce_type = r.bounce_type
ORDER BY r.bounced DESC, r.deferred DESC, r.domain, ro.pos, bo.pos;
