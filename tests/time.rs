//! Timestamps, `--since`/`--until`, the daily and hourly reports, and
//! journald input.

use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::util::{self, run, run_with_stdin, sample, stderr, stdout};

/// Copies a sample into `dir` with a fixed modification time: the year of
/// BSD syslog stamps is inferred from it.
fn with_mtime(dir: &tempfile::TempDir, name: &str, unix_secs: u64) -> String {
    let path = dir.path().join(name);
    std::fs::copy(sample(name), &path).unwrap();
    set_mtime(&path, unix_secs);
    path.to_str().unwrap().to_string()
}

fn set_mtime(path: &Path, unix_secs: u64) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(unix_secs)).unwrap();
}

/// 2026-01-02T00:00:00Z: `times.log` was last written on January 1st.
const JAN_2_2026: u64 = 1_767_312_000;

fn report(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn every_stamp_shape_lands_in_its_hour() {
    let dir = tempfile::tempdir().unwrap();
    let log = with_mtime(&dir, "times.log", JAN_2_2026);
    // The December line belongs to 2025 (year rollover); the line without
    // a stamp counts in the domains report but in no period.
    let hourly = report(&["analyze", "-q", "--tz", "UTC", "--report", "hourly", &log]);
    let want = "period,delivered,deferred,bounced,bounce_rate\r\n\
                2025-12-31T23:00,1,0,0,0.0000\r\n\
                2026-01-01T00:00,1,1,1,0.5000\r\n\
                2026-01-01T01:00,0,0,0,\r\n\
                2026-01-01T02:00,0,1,0,\r\n\
                2026-01-01T03:00,1,0,0,0.0000\r\n\
                2026-01-01T04:00,0,0,1,1.0000\r\n\
                2026-01-01T05:00,0,0,0,\r\n\
                2026-01-01T06:00,0,0,0,\r\n\
                2026-01-01T07:00,1,0,0,0.0000\r\n";
    util::assert_same_text("hourly", &hourly, want);
    let daily = report(&["analyze", "-q", "--tz", "UTC", "--report", "daily", &log]);
    let want = "period,delivered,deferred,bounced,bounce_rate\r\n\
                2025-12-31,1,0,0,0.0000\r\n\
                2026-01-01,3,2,2,0.4000\r\n";
    util::assert_same_text("daily", &daily, want);
    let out = run(&["analyze", "--tz", "UTC", "--report", "daily", &log]);
    assert!(stderr(&out).contains("1 delivery event without a readable timestamp"), "{}", stderr(&out));
}

#[test]
fn periods_follow_the_zone() {
    let dir = tempfile::tempdir().unwrap();
    let log = with_mtime(&dir, "times.log", JAN_2_2026);
    // At +05:00 the zone-less stamps (BSD, Exim without offset) are read as
    // local time too, so they move; stamps with an offset stay put.
    let daily = report(&["analyze", "-q", "--tz", "+05:00", "--report", "daily", &log]);
    let want = "period,delivered,deferred,bounced,bounce_rate\r\n\
                2025-12-31,1,0,0,0.0000\r\n\
                2026-01-01,3,2,2,0.4000\r\n";
    util::assert_same_text("daily at +05:00", &daily, want);
    let hourly = report(&["analyze", "-q", "--tz", "+05:00", "--report", "hourly", &log]);
    let rows: Vec<&str> = hourly.lines().skip(1).collect();
    assert_eq!(rows[..2], ["2025-12-31T23:00,1,0,0,0.0000", "2026-01-01T00:00,1,0,0,0.0000"], "{hourly}");
    // 00:00:01.5Z and 01:00+01:00 are both 05:00 at +05:00.
    assert_eq!(rows[6], "2026-01-01T05:00,0,1,1,1.0000", "{hourly}");
}

#[test]
fn window_edges_are_exact() {
    let dir = tempfile::tempdir().unwrap();
    let log = with_mtime(&dir, "times.log", JAN_2_2026);
    // The bounce at exactly --since counts; the bounce at exactly --until
    // does not; neither does the line without a stamp.
    let args = ["--tz", "UTC", "--since", "2026-01-01T00:00:01.5Z", "--until", "2026-01-01T04:00:00.250Z"];
    let domains = report(&[&["analyze", "-q"][..], &args, &[&log]].concat());
    let want = "domain,total,delivered,deferred,bounced,expired,bounce_rate,top_bounce,top_deferral\r\n\
                two.example,2,1,0,1,0,0.5000,550 5.1.1,\r\n\
                one.example,1,1,0,0,0,0.0000,,\r\n\
                three.example,1,0,1,0,0,,,421 4.7.0\r\n";
    util::assert_same_text("domains in the window", &domains, want);
    let hourly = report(&[&["analyze", "-q", "--report", "hourly"][..], &args, &[&log]].concat());
    let want = "period,delivered,deferred,bounced,bounce_rate\r\n\
                2026-01-01T00:00,1,0,1,0.5000\r\n\
                2026-01-01T01:00,0,0,0,\r\n\
                2026-01-01T02:00,0,1,0,\r\n\
                2026-01-01T03:00,1,0,0,0.0000\r\n\
                2026-01-01T04:00,0,0,0,\r\n";
    util::assert_same_text("hourly in the window", &hourly, want);
    let out = run(&[&["analyze", "--report", "hourly"][..], &args, &[&log]].concat());
    let err = stderr(&out);
    assert!(err.contains("4 delivery events outside --since/--until not counted"), "{err}");
    assert!(err.contains("1 delivery event without a readable timestamp left out of every report"), "{err}");
}

#[test]
fn an_empty_window_still_lists_its_days() {
    let dir = tempfile::tempdir().unwrap();
    let log = with_mtime(&dir, "times.log", JAN_2_2026);
    let daily = report(&[
        "analyze",
        "-q",
        "--tz",
        "UTC",
        "--report",
        "daily",
        "--since",
        "2026-02-27",
        "--until",
        "2026-03-02",
        &log,
    ]);
    let want = "period,delivered,deferred,bounced,bounce_rate\r\n\
                2026-02-27,0,0,0,\r\n\
                2026-02-28,0,0,0,\r\n\
                2026-03-01,0,0,0,\r\n";
    util::assert_same_text("empty window", &daily, want);
}

#[test]
fn bad_windows_and_zones_are_usage_errors() {
    for args in [
        &["--since", "tomorrowish"][..],
        &["--until", "2026-13-01"],
        &["--since", "2026-01-02", "--until", "2026-01-01"],
        &["--tz", "Mars/Olympus_Mons"],
    ] {
        let out = run(&[&["analyze"][..], args, &["samples/times.log"]].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).starts_with("bounces: --"), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn journald_json_gives_the_same_reports_as_the_text_log() {
    let dir = tempfile::tempdir().unwrap();
    // The JSON export holds the same records as postfix.log, with exact UTC
    // times (the BSD stamps read as UTC in 2026).
    let text = with_mtime(&dir, "postfix.log", 1_793_923_200 + 86_400);
    let json = sample("postfix.journal.json");
    let json = json.to_str().unwrap();
    let piped = std::fs::read(json).unwrap();
    for kind in ["domains", "codes", "reasons", "daily", "hourly"] {
        let want = report(&["analyze", "-q", "--tz", "UTC", "--report", kind, &text]);
        let from_file = report(&["analyze", "-q", "--tz", "UTC", "--report", kind, json]);
        util::assert_same_text(&format!("{kind} from JSON"), &from_file, &want);
        let out = run_with_stdin(&["analyze", "-q", "--tz", "UTC", "--report", kind, "-"], Some(&piped));
        util::assert_same_text(&format!("{kind} from piped JSON"), &stdout(&out), &want);
    }
    let out = run(&["analyze", "--tz", "UTC", json]);
    assert!(stderr(&out).contains("1 journal record without a MESSAGE"), "{}", stderr(&out));
}

#[test]
fn broken_journald_records_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let good = r#"{"__REALTIME_TIMESTAMP":"1767225601000000","_HOSTNAME":"mx1","SYSLOG_IDENTIFIER":"postfix/smtp","SYSLOG_PID":"7","MESSAGE":"1A2B3C4D5E: to=<a@one.example>, relay=r, dsn=2.0.0, status=sent (250 ok)"}"#;
    let data = format!("{good}\n{{\"MESSAGE\": \"cut off\n{good}\nnot json at all\n");
    let path = util::temp_file(&dir, "journal.json", data.as_bytes());
    let out = run(&["analyze", "--tz", "UTC", &path]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("one.example,2,2,0,0"), "{}", stdout(&out));
    assert!(stderr(&out).contains("2 records of journald's JSON could not be read"), "{}", stderr(&out));
}

/// A chronological Postfix log of `days` days, one delivery a minute.
fn long_log(days: u32) -> Vec<u8> {
    let mut log = Vec::new();
    for minute in 0..days * 24 * 60 {
        let (day, hour, min) = (1 + minute / 1440, minute / 60 % 24, minute % 60);
        let (status, domain) = if minute % 7 == 0 {
            ("bounced (host mx[192.0.2.1] said: 550 5.1.1 no such user (in reply to RCPT TO command))", "b.example")
        } else {
            ("sent (250 2.0.0 Ok)", "a.example")
        };
        log.extend(
            format!(
                "2026-03-{day:02}T{hour:02}:{min:02}:00+00:00 mx1 postfix/smtp[1]: {minute:010X}: to=<u{minute}@{domain}>, \
                 relay=mx[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status={status}\n\
                 2026-03-{day:02}T{hour:02}:{min:02}:00+00:00 mx1 postfix/qmgr[2]: {minute:010X}: removed\n"
            )
            .as_bytes(),
        );
    }
    log
}

#[test]
fn a_window_in_a_long_file_skips_what_is_outside() {
    let dir = tempfile::tempdir().unwrap();
    let data = long_log(20);
    let path = util::temp_file(&dir, "long.log", &data);
    let window = ["--tz", "UTC", "--since", "2026-03-10T12:34:00Z", "--until", "2026-03-12"];
    for kind in ["domains", "daily"] {
        let args = [&["analyze", "--report", kind][..], &window].concat();
        let from_file = run(&[&args[..], &[&path]].concat());
        // The same bytes on stdin cannot be searched: everything is read.
        let from_stdin = run_with_stdin(&[&args[..], &["-"]].concat(), Some(&data));
        util::assert_same_text(kind, &stdout(&from_file), &stdout(&from_stdin));
        assert!(stderr(&from_file).contains("not read (found by binary search)"), "{}", stderr(&from_file));
    }
    // From March 10th 12:34 to March 12th 00:00: 2,126 minutes, one delivery each.
    let out = run(&[&["analyze", "-q"][..], &window, &[&path]].concat());
    let total: u64 = stdout(&out).lines().skip(1).map(|l| l.split(',').nth(1).unwrap().parse::<u64>().unwrap()).sum();
    assert_eq!(total, 2_126, "{}", stdout(&out));
}
