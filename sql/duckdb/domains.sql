-- The `domains` report of `bounces analyze`, from its --events Parquet files.
-- DuckDB. Before running it, name the files (a glob) once per session:
--   SET VARIABLE events = 'events/**/*.parquet';
-- Same columns, same rows, same order as domains.csv; sql/README.md says
-- where it can differ (no `(other)` row; the `expired` column's reading).
WITH events AS (
    SELECT * FROM read_parquet(getvariable('events'))
),
deliveries AS (
    SELECT * FROM events WHERE kind = 'delivery'
),
counts AS (
    SELECT
        domain,
        count(*) FILTER (WHERE status = 'delivered') AS delivered,
        count(*) FILTER (WHERE status = 'deferred') AS deferred,
        -- A bounce whose reason is `expired` counts as expired, not bounced.
        count(*) FILTER (WHERE status = 'bounced' AND reason IS DISTINCT FROM 'expired') AS bounced,
        count(*) FILTER (WHERE status = 'bounced' AND reason = 'expired') AS expired
    FROM deliveries
    GROUP BY domain
),
-- Postfix's expiry of a queue id names no recipient: its recipients are
-- those of the queue id (on that host) whose last line before the expiry
-- was a deferral.
expiries AS (
    SELECT host, queue_id, max(time) AS time
    FROM events
    WHERE kind = 'expiry'
    GROUP BY host, queue_id
),
last_before_expiry AS (
    SELECT
        d.domain,
        d.status,
        row_number() OVER (
            PARTITION BY d.host, d.queue_id, d.recipient ORDER BY d.time DESC, d.file DESC, d.line DESC
        ) AS latest
    FROM deliveries AS d
    JOIN expiries AS x
        ON d.host IS NOT DISTINCT FROM x.host AND d.queue_id = x.queue_id
    WHERE d.mta = 'postfix' AND d.time <= x.time
),
expired_in_queue AS (
    SELECT domain, count(*) AS n
    FROM last_before_expiry
    WHERE latest = 1 AND status = 'deferred'
    GROUP BY domain
),
-- The label of a failure's codes: `550 5.1.1`, `5.4.4`, `null MX`, `no code`.
failures AS (
    SELECT
        domain,
        status,
        coalesce(
            nullif(concat_ws(' ', CAST(code AS VARCHAR), enhanced,
                CASE note
                    WHEN 'null_mx' THEN 'null MX'
                    WHEN 'recipient_not_found' THEN 'recipient not found'
                    WHEN 'unrouteable' THEN 'unrouteable'
                END), ''),
            'no code') AS label
    FROM deliveries
    WHERE status = 'deferred' OR (status = 'bounced' AND reason IS DISTINCT FROM 'expired')
),
labels AS (
    SELECT
        domain,
        status,
        label,
        row_number() OVER (PARTITION BY domain, status ORDER BY count(*) DESC, label) AS rank
    FROM failures
    GROUP BY domain, status, label
),
-- The most frequent label; of equal counts, the one that sorts first.
tops AS (
    SELECT domain, status, label FROM labels WHERE rank = 1
),
report AS (
    SELECT
        c.domain,
        c.delivered,
        c.deferred,
        c.bounced,
        c.expired + coalesce(q.n, 0) AS expired
    FROM counts AS c
    LEFT JOIN expired_in_queue AS q ON q.domain = c.domain
)
SELECT
    r.domain AS domain,
    r.delivered + r.deferred + r.bounced + r.expired AS total,
    r.delivered AS delivered,
    r.deferred AS deferred,
    r.bounced AS bounced,
    r.expired AS expired,
    CASE WHEN r.delivered + r.bounced + r.expired > 0
        THEN CAST(printf('%.4f', (r.bounced + r.expired) / (r.delivered + r.bounced + r.expired)) AS DOUBLE)
    END AS bounce_rate,
    b.label AS top_bounce,
    f.label AS top_deferral
FROM report AS r
LEFT JOIN tops AS b ON b.domain = r.domain AND b.status = 'bounced'
LEFT JOIN tops AS f ON f.domain = r.domain AND f.status = 'deferred'
ORDER BY r.bounced + r.expired DESC, r.delivered + r.deferred + r.bounced + r.expired DESC, r.domain;
