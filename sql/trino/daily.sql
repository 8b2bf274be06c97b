-- The `daily` report of `bounces analyze`, from its --events Parquet files.
-- Trino. The events are the table `events` of the Hive connector over
-- the directory of Parquet files (sql/trino/create-table.sql); run it
-- in that catalog and schema (USE hive.mail).
-- The zone of the days is the one after AT TIME ZONE below (an IANA
-- name, as `--tz`; 'UTC' here).
-- One row per day from the first event's day to the last one's, empty days
-- included, as daily.csv of a run without --since/--until; see sql/README.md.
WITH days AS (
    -- `time` is a moment (UTC); its day in the zone:
    SELECT CAST(with_timezone(time, 'UTC') AT TIME ZONE 'UTC' AS DATE) AS day, status
    FROM events
    WHERE kind = 'delivery' AND time IS NOT NULL
),
counts AS (
    SELECT
        day,
        count(*) FILTER (WHERE status = 'delivered') AS delivered,
        count(*) FILTER (WHERE status = 'deferred') AS deferred,
        count(*) FILTER (WHERE status = 'bounced') AS bounced
    FROM days
    GROUP BY day
),
counts_range AS (
    SELECT min(day) AS first_day, max(day) AS last_day FROM counts
),
calendar AS (
    SELECT day FROM counts_range CROSS JOIN UNNEST(sequence(first_day, last_day, INTERVAL '1' DAY)) AS t (day)
)
SELECT
    CAST(c.day AS VARCHAR) AS period,
    coalesce(n.delivered, 0) AS delivered,
    coalesce(n.deferred, 0) AS deferred,
    coalesce(n.bounced, 0) AS bounced,
    CASE WHEN coalesce(n.delivered, 0) + coalesce(n.bounced, 0) > 0
        THEN round(CAST(n.bounced AS DOUBLE) / (n.delivered + n.bounced), 4)
    END AS bounce_rate
FROM calendar AS c
LEFT JOIN counts AS n ON n.day = c.day
ORDER BY c.day;
