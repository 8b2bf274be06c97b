-- The `daily` report of `bounces analyze`, from its --events Parquet files.
-- Spark SQL. The events are the view `events`, registered first:
--   spark.read.parquet("events/").createOrReplaceTempView("events")
-- (with recursiveFileLookup=true for files in subdirectories).
-- The zone of the days is the one in from_utc_timestamp below (an IANA
-- name, as `--tz`; 'UTC' here); run with spark.sql.session.timeZone=UTC.
-- One row per day from the first event's day to the last one's, empty days
-- included, as daily.csv of a run without --since/--until; see sql/README.md.
WITH days AS (
    -- `time` is a moment (UTC); its day in the zone:
    SELECT to_date(from_utc_timestamp(time, 'UTC')) AS day, status
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
    SELECT explode(sequence(min(day), max(day), INTERVAL 1 DAY)) AS day FROM counts
)
SELECT
    date_format(c.day, 'yyyy-MM-dd') AS period,
    coalesce(n.delivered, 0) AS delivered,
    coalesce(n.deferred, 0) AS deferred,
    coalesce(n.bounced, 0) AS bounced,
    CASE WHEN coalesce(n.delivered, 0) + coalesce(n.bounced, 0) > 0
        THEN CAST(format_number((n.bounced) / (n.delivered + n.bounced), 4) AS DOUBLE)
    END AS bounce_rate
FROM calendar AS c
LEFT JOIN counts AS n ON n.day = c.day
ORDER BY c.day;
