-- The `domains` report of `bounces analyze`, from its --events Parquet files.
-- ClickHouse. The events are read by the file() table function below (a
-- glob under the server's user_files_path; clickhouse-local reads any path),
-- or s3('https://bucket.s3.amazonaws.com/events/**/*.parquet', 'Parquet').
-- Same columns, same rows, same order as domains.csv; sql/README.md says
-- where it can differ (no `(other)` row; the `expired` column's reading).
WITH events AS (
    SELECT * FROM file('events/**/*.parquet', 'Parquet')  -- the files: change the glob
),
deliveries AS (
    SELECT * FROM events WHERE kind = 'delivery'
),
counts AS (
    SELECT
        domain,
        countIf(status = 'delivered') AS delivered,
        countIf(status = 'deferred') AS deferred,
        -- A bounce whose reason is `expired` counts as expired, not bounced.
        countIf(status = 'bounced' AND coalesce(reason, '') != 'expired') AS bounced,
        countIf(status = 'bounced' AND reason = 'expired') AS expired
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
        ON coalesce(d.host, '') = coalesce(x.host, '') AND d.queue_id = x.queue_id
    WHERE d.mta = 'postfix' AND d.time <= x.time
),
expired_in_queue AS (
    SELECT domain, count() AS n
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
            nullif(arrayStringConcat(arrayFilter(x -> x IS NOT NULL, [toString(code), enhanced,
                CASE note
                    WHEN 'null_mx' THEN 'null MX'
                    WHEN 'recipient_not_found' THEN 'recipient not found'
                    WHEN 'unrouteable' THEN 'unrouteable'
                END]), ' '), ''),
            'no code') AS label
    FROM deliveries
    WHERE status = 'deferred' OR (status = 'bounced' AND coalesce(reason, '') != 'expired')
),
labels AS (
    SELECT
        domain,
        status,
        label,
        row_number() OVER (PARTITION BY domain, status ORDER BY count() DESC, label) AS rank
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
        THEN toFloat64(printf('%.4f', CAST(r.bounced + r.expired AS Float64) / (r.delivered + r.bounced + r.expired)))
    END AS bounce_rate,
    b.label AS top_bounce,
    f.label AS top_deferral
FROM report AS r
LEFT JOIN tops AS b ON b.domain = r.domain AND b.status = 'bounced'
LEFT JOIN tops AS f ON f.domain = r.domain AND f.status = 'deferred'
ORDER BY r.bounced + r.expired DESC, r.delivered + r.deferred + r.bounced + r.expired DESC, r.domain
SETTINGS join_use_nulls = 1;
