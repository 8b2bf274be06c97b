-- Trino: the events of `bounces analyze --events` as a table of the Hive
-- connector over the directory the Parquet files are collected into
-- (events/HOST/DATE.parquet). The catalog needs
--   hive.recursive-directories=true   (the files are in one directory per host)
--   hive.parquet.time-zone=UTC        (`time` is UTC; read it as such)
-- in etc/catalog/hive.properties. Change the location to yours.
CREATE SCHEMA IF NOT EXISTS hive.mail;

CREATE TABLE hive.mail.events (
    time timestamp(6),
    host varchar,
    mta varchar,
    kind varchar,
    queue_id varchar,
    recipient varchar,
    domain varchar,
    status varchar,
    code integer,
    enhanced varchar,
    class varchar,
    reason varchar,
    bounce_type varchar,
    stage varchar,
    note varchar,
    local boolean,
    expired boolean,
    relay varchar,
    delay_s double,
    text varchar,
    client varchar,
    file varchar,
    line bigint
)
WITH (external_location = 's3://mail-reports/events/', format = 'PARQUET');
