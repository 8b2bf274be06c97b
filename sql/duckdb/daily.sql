-- The `daily` report of `bounces analyze`, from its --events Parquet files.
-- DuckDB. Before running it, name the files (a glob) and the zone of the
-- days (an IANA name, as `--tz`) once per session:
--   SET VARIABLE events = 'events/**/*.parquet';
--   SET VARIABLE tz = 'UTC';
-- One row per day from the first event's day to the last one's, empty days
-- included, as daily.csv of a run without --since/--until; see sql/README.md.
WITH events AS (
    SELECT * FROM read_parquet(getvariable('events'))
),
days AS (
    -- `time` is a moment (UTC); its day in the zone:
    SELECT CAST(timezone(coalesce(getvariable('tz'), 'UTC'), time) AS DATE) AS day, status
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
calendar AS (
    SELECT CAST(unnest(generate_series(min(day), max(day), INTERVAL 1 DAY)) AS DATE) AS day FROM counts
)
SELECT
    strftime(c.day, '%Y-%m-%d') AS period,
    coalesce(n.delivered, 0) AS delivered,
    coalesce(n.deferred, 0) AS deferred,
    coalesce(n.bounced, 0) AS bounced,
    CASE WHEN coalesce(n.delivered, 0) + coalesce(n.bounced, 0) > 0
        THEN CAST(printf('%.4f', (n.bounced) / (n.delivered + n.bounced)) AS DOUBLE)
    END AS bounce_rate
FROM calendar AS c
LEFT JOIN counts AS n ON n.day = c.day
ORDER BY c.day;
