-- The `daily` report of `bounces analyze`, from its --events Parquet files.
-- ClickHouse. The events are read by the file() table function below (a
-- glob under the server's user_files_path; clickhouse-local reads any path),
-- or s3('https://bucket.s3.amazonaws.com/events/**/*.parquet', 'Parquet').
-- The zone of the days is the one in toDate below (an IANA name, as
-- `--tz`; 'UTC' here).
-- One row per day from the first event's day to the last one's, empty days
-- included, as daily.csv of a run without --since/--until; see sql/README.md.
WITH events AS (
    SELECT * FROM file('events/**/*.parquet', 'Parquet')  -- the files: change the glob
),
days AS (
    -- `time` is a moment (UTC); its day in the zone:
    SELECT toDate(time, 'UTC') AS day, status
    FROM events
    WHERE kind = 'delivery' AND time IS NOT NULL
),
counts AS (
    SELECT
        day,
        countIf(status = 'delivered') AS delivered,
        countIf(status = 'deferred') AS deferred,
        countIf(status = 'bounced') AS bounced
    FROM days
    GROUP BY day
),
counts_range AS (
    SELECT min(day) AS first_day, max(day) AS last_day FROM counts
),
calendar AS (
    SELECT arrayJoin(arrayMap(i -> addDays(first_day, i), range(toUInt32(dateDiff('day', first_day, last_day)) + 1))) AS day
    FROM counts_range
)
SELECT
    toString(c.day) AS period,
    coalesce(n.delivered, 0) AS delivered,
    coalesce(n.deferred, 0) AS deferred,
    coalesce(n.bounced, 0) AS bounced,
    CASE WHEN coalesce(n.delivered, 0) + coalesce(n.bounced, 0) > 0
        THEN toFloat64(printf('%.4f', CAST(n.bounced AS Float64) / (n.delivered + n.bounced)))
    END AS bounce_rate
FROM calendar AS c
LEFT JOIN counts AS n ON n.day = c.day
ORDER BY c.day
SETTINGS join_use_nulls = 1;
