//! The `overview` report: the samples against their goldens, every number
//! in it against the CSV reports of the same run, its width, and the short
//! page of an input without delivery events.

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::{self, csv_count, csv_records, run, sample, stdout};

/// The widest line, in characters.
const WIDTH: usize = 80;

/// The overview of `paths` on stdout, with the zone fixed.
fn overview(extra: &[&str], paths: &[&str]) -> String {
    let mut args = vec!["analyze", "-q", "--tz", "UTC", "--report", "overview"];
    args.extend_from_slice(extra);
    args.extend_from_slice(paths);
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    stdout(&out)
}

fn check_golden(name: &str) {
    let got = overview(&[], &[&format!("samples/{name}.log")]);
    util::assert_golden(&format!("{name} overview"), &got, &sample(&format!("expected/{name}.overview.txt")));
}

#[test]
fn postfix_overview() {
    check_golden("postfix");
}

#[test]
fn exim_overview() {
    check_golden("exim");
}

/// Every line fits in 80 characters (not bytes), and nothing is coloured.
fn assert_fits(text: &str) {
    for line in text.lines() {
        assert!(line.chars().count() <= WIDTH, "wider than {WIDTH}: {line:?}");
        assert!(!line.contains('\x1b'), "a control sequence: {line:?}");
    }
}

/// The second day of the two-day sample: with the change against the
/// first.
const SECOND_DAY: [&str; 4] = ["--since", "2026-11-05", "--until", "2026-11-06"];

#[test]
fn two_days_overview() {
    let got = overview(&SECOND_DAY, &["samples/two-days.log"]);
    util::assert_golden("two-days overview", &got, &sample("expected/two-days.overview.txt"));
}

/// The delivered, deferred and bounced events of a `domains.csv`, added up,
/// and per domain.
fn domain_counts(dir: &Path) -> ([u64; 3], BTreeMap<String, [u64; 3]>) {
    let rows = csv(dir, "domains");
    let of = |r: &BTreeMap<String, String>| ["delivered", "deferred", "bounced"].map(|c| csv_count(r, c));
    let total = rows.iter().map(of).fold([0; 3], |[a, b, c], [x, y, z]| [a + x, b + y, c + z]);
    (total, rows.iter().map(|r| (r["domain"].clone(), of(r))).collect())
}

/// The domains report of `window` over the two-day sample, written by a
/// run that also writes the overview; and that overview.
fn two_days_run(window: &[&str]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_string_lossy().into_owned();
    let args = ["analyze", "-q", "--tz", "UTC", "-o", &path, "--report", "overview", "--report", "domains"];
    let out = run(&[&args[..], window, &["samples/two-days.log"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    let text = util::read(&dir.path().join("overview.txt"));
    (dir, text)
}

/// The change's two columns are the domains reports of the window and of
/// the previous day, each run on its own; the domains whose rate jumped
/// are those the documented rule picks from the two reports.
#[test]
fn the_change_equals_the_domains_reports_of_both_periods() {
    let (now_dir, text) = two_days_run(&SECOND_DAY);
    let (before_dir, _) = two_days_run(&["--since", "2026-11-04", "--until", "2026-11-05"]);
    let (now, now_domains) = domain_counts(now_dir.path());
    let (before, before_domains) = domain_counts(before_dir.path());
    let change = section(&text, "Change against the previous day");
    for (i, label) in ["delivered", "deferred", "bounced"].iter().enumerate() {
        let line = change.iter().find(|l| l.trim_start().starts_with(label)).expect(label);
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!((number(cells[1]), number(cells[2])), (now[i], before[i]), "{label}");
    }
    let rate = |c: [u64; 3]| c[2] as f64 / (c[0] + c[2]) as f64 * 100.0;
    let line = change.iter().find(|l| l.contains("bounce rate  ")).expect("rate");
    assert!(line.contains(&format!("{:.2}%", rate(now))) && line.contains(&format!("{:.2}%", rate(before))), "{line}");
    // The rule: 20 delivered and bounced events or more, up 10 points or
    // more, at least doubled; the biggest jump first.
    let mut want: Vec<(String, f64)> = now_domains
        .iter()
        .filter_map(|(domain, &c)| {
            let b = *before_domains.get(domain)?;
            let (r, was) = (rate(c), (b[0] + b[2] > 0).then(|| rate(b))?);
            (c[0] + c[2] >= 20 && r - was >= 10.0 && r >= 2.0 * was).then(|| (domain.clone(), r - was))
        })
        .collect();
    want.sort_by(|a, b| b.1.total_cmp(&a.1));
    let attention = section(&text, "Needs attention");
    let got: Vec<(String, f64)> = attention
        .iter()
        .skip_while(|l| !l.contains("Bounce rate jumped"))
        .skip(1)
        .map_while(|l| {
            let (points, rest) = l.trim().split_once("  ")?;
            Some((rest.split_once(':')?.0.to_string(), points.parse().ok()?))
        })
        .collect();
    assert!(!got.is_empty(), "{text}");
    assert_eq!(got.len(), want.len(), "{got:?} {want:?}");
    for ((domain, points), (want_domain, want_points)) in got.iter().zip(&want) {
        assert_eq!(domain, want_domain);
        assert!((points - want_points).abs() < 0.006, "{domain}: {points} {want_points}");
    }
}

/// With the overview asked for, reading a file sorted by time starts at
/// the previous period's start, not the window's: the page of a file read
/// by binary search is that of the same bytes on stdin, read whole.
#[test]
fn seeking_starts_at_the_previous_period() {
    let mut log = String::new();
    // Three days of a line every 30 s (8,640 lines, about 1.3 MB): the
    // first day is before the previous period, which the seek skips.
    for i in 0..8_640 {
        let t = 1_762_214_400 + i * 30; // 2025-11-04T00:00:00Z
        let time = chrono_free_rfc3339(t);
        let outcome = match i % 7 == 0 && i > 5_760 {
            true => "dsn=5.1.1, status=bounced (host x said: 550 5.1.1 user unknown)",
            false => "dsn=2.0.0, status=sent (250 2.0.0 ok)",
        };
        log.push_str(&format!(
            "{time} mx1 postfix/smtp[9]: 5B{i:08X}: to=<u{i}@d{}.example>, relay=x, delay=1, delays=0/0/0/1, \
             {outcome}\n",
            i % 5
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = util::temp_file(&dir, "three-days.log", log.as_bytes());
    let window = ["--since", "2025-11-06", "--until", "2025-11-07"];
    let args = ["analyze", "--tz", "UTC", "--report", "overview"];
    let out = run(&[&args[..], &window, &[&path]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    assert!(util::stderr(&out).contains("not read (found by binary search)"), "{}", util::stderr(&out));
    let sought = stdout(&out);
    assert!(sought.contains("Change against the previous day"), "{sought}");
    let whole = util::run_with_stdin(&[&args[..], &["-q"], &window, &["-"]].concat(), Some(log.as_bytes()));
    // The same page but for the lines read.
    let read = |page: &str| page.lines().filter(|l| !l.starts_with("  read ")).collect::<Vec<_>>().join("\n");
    assert_eq!(read(&sought), read(&stdout(&whole)));
}

/// `t` (seconds since the epoch, in November 2025) as RFC 3339 in UTC.
fn chrono_free_rfc3339(t: u64) -> String {
    let day = (t - 1_761_955_200) / 86_400 + 1; // 2025-11-01 is day 1
    let (h, m, s) = (t % 86_400 / 3_600, t % 3_600 / 60, t % 60);
    format!("2025-11-{day:02}T{h:02}:{m:02}:{s:02}Z")
}

/// Without a window, or when the input does not reach back to the start
/// of the previous period, the page says nothing of change.
#[test]
fn no_change_without_a_window_or_the_previous_period() {
    for window in [&[][..], &["--since", "2026-11-04", "--until", "2026-11-05"], &["--until", "2026-11-05"]] {
        let text = overview(window, &["samples/two-days.log"]);
        assert!(!text.contains("Change against"), "{window:?}: {text}");
        assert!(!text.contains("Bounce rate jumped"), "{window:?}: {text}");
    }
    // Starting at the window: the previous period reaches back before the
    // log.
    let text = overview(&["--since", "2026-11-05T12:00:00Z", "--until", "2026-11-06"], &["samples/two-days.log"]);
    assert!(text.contains("Change against the previous period"), "{text}");
    let text = overview(&["--since", "2026-11-05T00:00:00Z", "--until", "2026-11-07"], &["samples/two-days.log"]);
    assert!(!text.contains("Change against"), "{text}");
}

/// The change is the same whatever the threads, the block size and the
/// order of the files the log is split into.
#[test]
fn the_change_does_not_depend_on_threads_blocks_or_file_order() {
    let want = overview(&SECOND_DAY, &["samples/two-days.log"]);
    assert!(want.contains("Change against the previous day"), "{want}");
    let log = util::read(std::path::Path::new("samples/two-days.log"));
    let lines: Vec<&str> = log.lines().collect();
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = lines.split_at(lines.len() / 3);
    let a = util::temp_file(&dir, "a.log", format!("{}\n", first.join("\n")).as_bytes());
    let b = util::temp_file(&dir, "b.log", format!("{}\n", second.join("\n")).as_bytes());
    for threads in ["1", "2", "4"] {
        for block in ["512", "4096", "1048576"] {
            let extra = [&SECOND_DAY[..], &["-j", threads, "--block-size", block]].concat();
            let whole = overview(&extra, &["samples/two-days.log"]);
            assert_eq!(whole, want, "-j{threads} --block-size {block}");
            // Two files, either order: the inputs line says 2.
            for files in [[&a, &b], [&b, &a]] {
                let split = overview(&extra, &[files[0], files[1]]);
                assert_eq!(split.replace("2 inputs", "1 input"), want, "-j{threads} --block-size {block} split");
            }
        }
    }
}

/// The senders are on the page only when a sender report is written in the
/// same run (following them costs too much for the overview alone).
#[test]
fn senders_only_with_a_sender_report() {
    let text = overview(&[], &["samples/postfix.log"]);
    assert!(!text.contains("\nSenders\n"), "{text}");
    for report in ["senders", "sender-domains"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_string_lossy().into_owned();
        let args = ["analyze", "-q", "-o", &path, "--report", "overview", "--report", report, "samples/postfix.log"];
        assert_eq!(run(&args).status.code(), Some(0));
        let text = util::read(&dir.path().join("overview.txt"));
        assert!(text.contains("\nSenders\n  received      30 messages"), "{report}: {text}");
        assert!(text.contains("          6  hr@corp.example\n             of 6 recipients, userunknown"), "{text}");
        assert_fits(&text);
    }
}

/// What the summary flags (a damaged input, unparsable and over-long
/// lines, probes, domains folded) is under "needs attention" in the
/// summary's words, each followed by what to do.
#[test]
fn the_summary_flags_are_under_needs_attention() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut log = std::fs::read("samples/postfix.log").unwrap();
    log.extend(b"Nov  5 18:00:00 mx1 postfix/smtp[7]: 1A2B3C4D5E: to=<a@b.example>, x=");
    log.extend(vec![b'y'; 1_100_000]);
    log.extend(b"\n");
    let plain = util::temp_file(&dir, "long.log", &log);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..20_000 {
        let line = format!(
            "Nov  5 19:00:00 mx1 postfix/smtp[8]: 4A1B2C{i:04X}: to=<u@d{i}.example>, relay=x, delay=1, \
             delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 ok)\n"
        );
        gz.write_all(line.as_bytes()).unwrap();
    }
    let mut gz = gz.finish().unwrap();
    gz.truncate(gz.len() * 2 / 3);
    let damaged = util::temp_file(&dir, "damaged.log.gz", &gz);
    let args = ["analyze", "--tz", "UTC", "--report", "overview", "--max-domains", "3", &plain, &damaged];
    let out = run(&args);
    assert_eq!(out.status.code(), Some(2), "{}", util::stderr(&out));
    let text = stdout(&out);
    let flat = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let attention = flat(&section(&text, "Needs attention").join("\n"));
    let summary = util::stderr(&out);
    let flagged = ["damaged", "could not be parsed", "longer than", "address-verification probe", "--max-domains"];
    for kind in flagged {
        let line = summary.lines().find(|l| l.contains(kind)).unwrap_or_else(|| panic!("{kind}: {summary}"));
        let what = flat(line.trim_start_matches("bounces: ").trim_end_matches("; -v shows examples"));
        let at = attention.find(&format!("{what}:")).unwrap_or_else(|| panic!("{what:?} in {attention}"));
        // Then what to do: a sentence.
        assert!(attention[at + what.len() + 1..].trim_start().starts_with(char::is_uppercase), "{kind}");
    }
    assert_fits(&text);
}

/// A delivery line at `time` (RFC 3339).
fn sent_at(time: &str, i: usize) -> String {
    format!(
        "{time} mx1 postfix/smtp[9]: 5A00{i:06X}: to=<u{i}@a.example>, relay=x, delay=1, delays=0/0/0/1, \
         dsn=2.0.0, status=sent (250 2.0.0 ok)\n"
    )
}

/// The per-day table and chart are spaced by time: a day without events
/// is a row of zeros and a slot of the chart; over more than 62 periods,
/// the last 62 are shown and the page says so.
#[test]
fn periods_are_spaced_by_time_and_capped() {
    let dir = tempfile::tempdir().unwrap();
    let log = [sent_at("2026-11-01T10:00:00Z", 1), sent_at("2026-11-04T10:00:00Z", 2)].concat();
    let path = util::temp_file(&dir, "gap.log", log.as_bytes());
    let text = overview(&[], &[&path]);
    let table = section(&text, "Per day");
    let days: Vec<&str> = table[1..].iter().map(|l| l.split_whitespace().next().unwrap()).collect();
    assert_eq!(days, ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"], "{text}");
    assert_eq!(table[2].split_whitespace().collect::<Vec<_>>(), ["2026-11-02", "0", "0", "0"], "{text}");
    let out = run(&["analyze", "-q", "--tz", "UTC", "--report", "overview", "--format", "html", &path]);
    let html = stdout(&out);
    assert!(html.contains("2026-11-02: 0 delivered, 0 deferred, 0 bounced; 2026-11-03: 0"), "{html}");

    let log = [sent_at("2026-01-01T10:00:00Z", 1), sent_at("2026-12-31T10:00:00Z", 2)].concat();
    let path = util::temp_file(&dir, "year.log", log.as_bytes());
    let text = overview(&[], &[&path]);
    let table = section(&text, "Per day");
    assert_eq!(table.len(), 1 + 62 + 1, "{text}");
    assert!(table[1].trim_start().starts_with("2026-10-31"), "{text}");
    assert_eq!(table[62].split_whitespace().take(2).collect::<Vec<_>>(), ["2026-12-31", "1"], "{text}");
    assert_eq!(table[63], "  (the last 62 of 365 periods; the daily report has them all)");
    assert_fits(&text);
}

#[test]
fn no_line_is_wider_than_80_columns() {
    for name in ["postfix", "exim", "messages", "messages.exim", "times", "two-days"] {
        assert_fits(&overview(&[], &[&format!("samples/{name}.log")]));
    }
    assert_fits(&overview(&SECOND_DAY, &["samples/two-days.log"]));
    // With the message level followed (another report in -o DIR).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_string_lossy().into_owned();
    let args = ["analyze", "-q", "-o", &path, "--report", "overview", "--report", "messages", "samples/messages.log"];
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    let text = util::read(&dir.path().join("overview.txt"));
    assert!(text.contains("Recipients, by final outcome"), "{text}");
    assert_fits(&text);
    // A domain of 200 letters, not ASCII: cut, in characters.
    let dir = tempfile::tempdir().unwrap();
    let domain = format!("{}.example", "\u{e9}".repeat(200));
    let line = format!(
        "Nov  5 10:00:00 mx postfix/smtp[1]: 4A1B2C3D4E: to=<a@{domain}>, relay=none, delay=1, \
         delays=0/0/1/0, dsn=5.1.1, status=bounced (host x said: 550 5.1.1 user unknown)\n"
    );
    let path = util::temp_file(&dir, "long.log", line.as_bytes());
    let text = overview(&[], &[&path]);
    assert!(text.contains("..."), "{text}");
    assert_fits(&text);
}

/// `--top N` names N domains in each top list (the Postfix sample has 16
/// domains with bounces); 0 is a usage error.
#[test]
fn top_names_as_many_domains_as_asked() {
    for (n, want) in [("1", 1), ("3", 3), ("1000", 16)] {
        let text = overview(&["--top", n], &["samples/postfix.log"]);
        assert_eq!(ranked(&section(&text, "Top domains by bounces")).len(), want, "--top {n}");
        assert!(ranked(&section(&text, "Top domains by deferrals")).len() <= want, "--top {n}");
    }
    let default = overview(&[], &["samples/postfix.log"]);
    assert_eq!(ranked(&section(&default, "Top domains by bounces")).len(), 10);
    let out = run(&["analyze", "--report", "overview", "--top", "0", "samples/postfix.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(util::stderr(&out).contains("--top must be at least 1"), "{}", util::stderr(&out));
}

#[test]
fn an_empty_input_gives_a_short_page_that_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = util::temp_file(&dir, "empty.log", b"");
    // Nothing read at all is the wrong input (exit 1), but the page is written.
    let out = run(&["analyze", "-q", "--report", "overview", &path]);
    assert_eq!(out.status.code(), Some(1), "{}", util::stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("No delivery event"), "{text}");
    // What the summary flags is under "needs attention", with what to do.
    assert!(text.contains("Needs attention\n  ") && text.contains("the file is empty"), "{text}");
    assert!(text.lines().count() < 16, "{text}");
    // A window without events: the same short page, and no error.
    let text = overview(&["--since", "2030-01-01T00:00:00Z"], &["samples/postfix.log"]);
    assert!(text.contains("No delivery event"), "{text}");
    assert!(text.contains("window"), "{text}");
    // The summary's flags of the whole input (unparsable lines, probes)
    // are still under "needs attention".
    assert!(text.contains("4 address-verification probes"), "{text}");
    assert!(text.lines().count() < 20, "{text}");
}

#[test]
fn out_dir_writes_the_overview_by_default_or_when_named_as_text_and_page_whatever_the_format() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["analyze", "-q", "--tz", "UTC", "-o", &dir.path().to_string_lossy(), "samples/postfix.log"]);
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    // Among the default reports, with the recipients' outcomes.
    let text = util::read(&dir.path().join("overview.txt"));
    assert!(text.contains("Recipients"), "{text}");
    // The same page as on stdout: the overview follows recipients itself.
    assert_eq!(text, overview(&[], &["samples/postfix.log"]));
    assert!(util::read(&dir.path().join("overview.html")).starts_with("<!DOCTYPE html>"));
    let dir = tempfile::tempdir().unwrap();
    let args = ["analyze", "-q", "-o", &dir.path().to_string_lossy(), "--report", "domains", "samples/postfix.log"];
    assert_eq!(run(&args).status.code(), Some(0));
    assert!(!dir.path().join("overview.txt").exists(), "only when named, or by default");
    let on_stdout = overview(&[], &["samples/postfix.log"]);
    for format in ["json", "xlsx"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_string_lossy().into_owned();
        let args = ["analyze", "-q", "--tz", "UTC", "--format", format, "-o", &path, "--report", "overview"];
        let out = run(&[&args[..], &["--report", "domains", "samples/postfix.log"]].concat());
        assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
        assert_eq!(util::read(&dir.path().join("overview.txt")), on_stdout, "{format}");
        assert!(dir.path().join("overview.html").exists(), "{format}");
        let table = if format == "xlsx" { "bounces.xlsx" } else { "domains.json" };
        assert!(dir.path().join(table).exists(), "{format}");
    }
    let text = overview(&["--format", "json"], &["samples/postfix.log"]);
    assert_eq!(text, on_stdout);
}

/// The lines of the section titled `title` (up to the next blank line),
/// without the title; empty when there is no such section.
fn section<'a>(text: &'a str, title: &str) -> Vec<&'a str> {
    let mut lines = text.lines().skip_while(|l| *l != title);
    if lines.next().is_none() {
        return Vec::new();
    }
    lines.take_while(|l| !l.is_empty()).collect()
}

/// A number as the overview writes it: `1,234`.
fn number(text: &str) -> u64 {
    text.replace(',', "").parse().unwrap_or_else(|_| panic!("not a count: {text:?}"))
}

/// The `  label   1,234` lines of a section, by label.
fn counts(lines: &[&str]) -> BTreeMap<String, u64> {
    lines
        .iter()
        .filter_map(|l| {
            let (label, n) = l.trim().rsplit_once(' ')?;
            n.chars().all(|c| c.is_ascii_digit() || c == ',').then(|| (label.trim().to_string(), number(n)))
        })
        .collect()
}

/// The `  1,234  name` lines of a section, in order.
fn ranked(lines: &[&str]) -> Vec<(u64, String)> {
    lines
        .iter()
        .filter_map(|l| {
            let (n, name) = l.trim().split_once("  ")?;
            n.chars().all(|c| c.is_ascii_digit() || c == ',').then(|| (number(n), name.to_string()))
        })
        .collect()
}

/// The sum of `column` over `rows` that `keep`.
fn sum(rows: &[BTreeMap<String, String>], column: &str, keep: impl Fn(&BTreeMap<String, String>) -> bool) -> u64 {
    rows.iter().filter(|r| keep(r)).map(|r| csv_count(r, column)).sum()
}

fn csv(dir: &Path, name: &str) -> Vec<BTreeMap<String, String>> {
    csv_records(&util::read(&dir.join(format!("{name}.csv"))))
}

/// Every number the overview writes is one the CSV reports of the same run
/// hold, or their sum.
fn check_against_csv(log: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_string_lossy().into_owned();
    let mut args = vec!["analyze", "--tz", "UTC", "-o", &path, "--report", "overview"];
    for kind in ["domains", "codes", "reasons", "daily", "hourly", "messages", "senders"] {
        args.extend(["--report", kind]);
    }
    args.push(log);
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    let text = util::read(&dir.path().join("overview.txt"));
    let all = |_: &BTreeMap<String, String>| true;

    let domains = csv(dir.path(), "domains");
    let events = counts(&section(&text, "Delivery events"));
    for column in ["delivered", "deferred", "bounced"] {
        assert_eq!(events[column], sum(&domains, column, all), "{log}: {column}");
    }
    assert_eq!(events.get("expired").copied().unwrap_or(0), sum(&domains, "expired", all), "{log}: expired");

    // The overview follows every recipient itself.
    let recipients = counts(&section(&text, "Recipients, by final outcome"));
    let rows = csv(dir.path(), "messages");
    for (label, column) in [
        ("recipients", "recipients"),
        ("delivered", "delivered"),
        ("bounced", "bounced"),
        ("expired", "expired"),
        ("pending", "pending"),
    ] {
        assert_eq!(recipients[label], sum(&rows, column, all), "{log}: recipients {label}");
    }

    // The senders: the volume as the summary says it, the top senders as
    // their rows in senders.csv.
    let senders = section(&text, "Senders");
    let received = senders.iter().find_map(|l| l.trim().strip_prefix("received")).expect("received");
    let summary = util::stderr(&out);
    assert!(summary.contains(&format!("bounces: received {}", received.trim())), "{log}: {received} {summary}");
    let rows = csv(dir.path(), "senders");
    let top = ranked(&senders);
    assert!(!top.is_empty(), "{log}");
    let failed = |r: &BTreeMap<String, String>| csv_count(r, "bounced") + csv_count(r, "expired");
    let want: Vec<(u64, String)> = rows
        .iter()
        .filter(|r| failed(r) > 0 && r["sender"] != "(unknown)")
        .take(10)
        .map(|r| (failed(r), r["sender"].clone()))
        .collect();
    assert_eq!(top, want, "{log}: top senders");
    for (line, (_, sender)) in senders.iter().filter(|l| l.trim_start().starts_with("of ")).zip(&want) {
        let row = rows.iter().find(|r| &r["sender"] == sender).expect("sender");
        let n = csv_count(row, "recipients");
        assert!(line.trim().starts_with(&format!("of {n} recipient")), "{log}: {sender}: {line}");
    }

    let reasons = csv(dir.path(), "reasons");
    let types = counts(&section(&text, "Bounces by type"));
    assert!(!types.is_empty(), "{log}");
    for (kind, n) in &types {
        assert_eq!(*n, sum(&reasons, "bounced", |r| &r["bounce_type"] == kind), "{log}: {kind}");
    }
    for (n, reason) in ranked(&section(&text, "Top bounce reasons")) {
        let (name, kind) = reason.trim_end_matches(')').split_once(" (").expect("reason (type)");
        let want = sum(&reasons, "bounced", |r| r["reason"] == name && r["bounce_type"] == kind);
        assert_eq!(n, want, "{log}: reason {reason}");
    }

    let by_domain: BTreeMap<&str, &BTreeMap<String, String>> =
        domains.iter().map(|r| (r["domain"].as_str(), r)).collect();
    let top = ranked(&section(&text, "Top domains by bounces"));
    assert!(!top.is_empty(), "{log}");
    for (n, domain) in &top {
        let row = by_domain[domain.as_str()];
        assert_eq!(*n, csv_count(row, "bounced") + csv_count(row, "expired"), "{log}: {domain}");
    }
    let most = domains.iter().map(|r| csv_count(r, "bounced") + csv_count(r, "expired")).max();
    assert_eq!(Some(top[0].0), most, "{log}");
    for (n, domain) in ranked(&section(&text, "Top domains by deferrals")) {
        assert_eq!(n, csv_count(by_domain[domain.as_str()], "deferred"), "{log}: {domain}");
    }

    let codes = csv(dir.path(), "codes");
    let attention = section(&text, "Needs attention");
    let null_mx: Vec<(u64, String)> =
        ranked(&attention.iter().copied().skip_while(|l| !l.contains("accept no mail")).skip(1).collect::<Vec<_>>())
            .into_iter()
            .take_while(|(_, name)| !name.contains(' '))
            .collect();
    // The codes rows of a domain that accepts no mail: a failure with a
    // null MX (its description says so), 556, 5.1.10 other than
    // Microsoft's unknown recipient, or the reason notaccept.
    let accepts_none = |r: &BTreeMap<String, String>| {
        r["status"] != "delivered"
            && (r["description"].starts_with("null MX")
                || r["code"] == "556"
                || (r["enhanced"] == "5.1.10" && !r["description"].contains("RecipientNotFound"))
                || r["reason"] == "notaccept")
    };
    let mut want: BTreeMap<String, u64> = BTreeMap::new();
    for row in codes.iter().filter(|r| accepts_none(r)) {
        *want.entry(row["domain"].clone()).or_default() += csv_count(row, "count");
    }
    let got: BTreeMap<String, u64> = null_mx.into_iter().map(|(n, domain)| (domain, n)).collect();
    assert_eq!(got, want, "{log}: domains that accept no mail");

    for (title, report) in [("Per day", "daily"), ("Per hour", "hourly")] {
        let table = section(&text, title);
        if table.is_empty() {
            continue;
        }
        let rows = csv(dir.path(), report);
        assert_eq!(table.len(), rows.len() + 1, "{log}: {report}");
        for (line, row) in table[1..].iter().zip(&rows) {
            let cells: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(cells[0], row["period"], "{log}: {report}");
            for (cell, column) in cells[1..4].iter().zip(["delivered", "deferred", "bounced"]) {
                assert_eq!(number(cell), csv_count(row, column), "{log}: {report} {column}");
            }
        }
    }
}

#[test]
fn every_number_equals_the_csv_reports_of_the_same_run() {
    for log in ["postfix", "exim", "messages", "messages.exim"] {
        check_against_csv(&format!("samples/{log}.log"));
    }
}

/// The inputs section names the hosts that wrote the delivery events, with
/// their counts, whatever the threads or how the hosts' logs are given;
/// `--host` names those of lines without one.
#[test]
fn the_hosts_are_named_with_their_events() {
    // The sample holds invalid UTF-8 on purpose: bytes, not text.
    let one = std::fs::read(sample("postfix.log")).unwrap();
    let two: Vec<u8> = String::from_utf8_lossy(&one).replace(" mx1 ", " mx2 ").into_bytes();
    let one: Vec<u8> = String::from_utf8_lossy(&one).into_owned().into_bytes();
    let dir = tempfile::tempdir().unwrap();
    let a = util::temp_file(&dir, "mx1.log", &one);
    let b = util::temp_file(&dir, "mx2.log", &two);
    let events: u64 = {
        let out = run(&["analyze", "-q", "--report", "domains", &a]);
        let rows = csv_records(&stdout(&out));
        ["delivered", "deferred", "bounced"].iter().map(|c| rows.iter().map(|row| csv_count(row, c)).sum::<u64>()).sum()
    };
    assert!(events > 10, "{events}");
    let want = format!("  hosts         2: mx1 ({events}), mx2 ({events})");
    for extra in [&[][..], &["-j1"], &["-j2", "--block-size", "300"]] {
        for paths in [[a.as_str(), b.as_str()], [b.as_str(), a.as_str()]] {
            let page = overview(extra, &paths);
            assert!(page.lines().any(|l| l == want), "{extra:?} {paths:?}: want {want:?} in\n{page}");
        }
    }
    // Exim's own main log names no host; --host names it.
    let exim = sample("exim.log");
    let exim = exim.to_str().unwrap();
    let page = overview(&[], &[exim]);
    assert!(page.contains("; no host named ("), "{page}");
    let page = overview(&["--host", "mx9.example"], &[exim]);
    assert!(!page.contains("no host named") && page.contains("  hosts         2: mx9.example ("), "{page}");
}
