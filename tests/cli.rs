//! Command-line behaviour: inputs good and bad, exit codes, stdout versus
//! `-o`, messages on stderr.

use std::io::Read;
use std::process::{Command, Stdio};

use crate::util::{self, assert_same_text, read, run, run_with_stdin, sample, stderr, stdout, temp_file};

#[test]
fn stdin_dash_and_implicit_stdin_match_the_file() {
    let file = run(&["analyze", "--report", "codes", "samples/postfix.log"]);
    let data = std::fs::read(sample("postfix.log")).unwrap();
    let dash = run_with_stdin(&["analyze", "--report", "codes", "-"], Some(&data));
    let implicit = run_with_stdin(&["analyze", "--report", "codes"], Some(&data));
    for out in [&file, &dash, &implicit] {
        assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    }
    assert!(stdout(&file).lines().count() > 20, "the sample has rows");
    util::assert_same_text("stdin (-)", &stdout(&dash), &stdout(&file));
    util::assert_same_text("stdin (implicit)", &stdout(&implicit), &stdout(&file));
}

#[test]
fn stdin_can_be_named_once() {
    let out = run(&["analyze", "-", "-"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("stdin (-) can be read only once"));
}

#[test]
fn zero_threads_is_a_usage_error() {
    let out = run(&["analyze", "-j", "0", "samples/postfix.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--threads must be at least 1"), "{}", stderr(&out));
}

#[test]
fn unknown_report_is_a_usage_error() {
    let out = run(&["analyze", "--report", "nope", "samples/postfix.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("invalid value 'nope'"), "{}", stderr(&out));
}

#[test]
fn out_dir_gets_every_report_and_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("reports/nightly");
    let out = run(&["analyze", "-q", "-o", target.to_str().unwrap(), "samples/postfix.log", "samples/exim.log"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "", "nothing on stdout with -o");
    assert_eq!(stderr(&out), "", "-q: not even where the reports went");
    let mut names: Vec<String> =
        std::fs::read_dir(&target).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "codes.csv",
            "daily.csv",
            "domains.csv",
            "messages.csv",
            "overview.html",
            "overview.txt",
            "reasons.csv",
            "recipients.csv"
        ]
    );
    for report in ["domains", "codes", "reasons", "daily", "messages", "recipients"] {
        let printed = run(&["analyze", "-q", "--report", report, "samples/postfix.log", "samples/exim.log"]);
        let written = util::read(&target.join(format!("{report}.csv")));
        util::assert_same_text(report, &written, &stdout(&printed));
    }
}

/// See issue 13: `-o DIR` wrote its files without a word.
#[test]
fn out_dir_says_where_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("nightly");
    let target = target.to_str().unwrap();
    let out = run(&["analyze", "--report", "codes", "--report", "domains", "-o", target, "samples/postfix.log"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().last(), Some(&format!("bounces: wrote codes.csv, domains.csv into {target}")[..]), "{err}");
    assert_eq!(err.matches("bounces: wrote ").count(), 1, "{err}");
}

/// See issue 13: the README's cron line filed yesterday's reports under
/// today's date. `{since}` in `-o` is the date of --since, in --tz.
#[test]
fn out_dir_names_the_window_with_since() {
    let dir = tempfile::tempdir().unwrap();
    let pattern = format!("{}/{{since}}", dir.path().to_str().unwrap());
    let window = ["--since", "2026-11-04T23:30:00Z", "--until", "2026-11-06T00:00:00Z"];
    for (tz, date) in [("UTC", "2026-11-04"), ("Europe/Berlin", "2026-11-05")] {
        let out =
            run(&[&["analyze", "--tz", tz, "--report", "daily", "-o", &pattern][..], &window, &["samples/exim.log"]]
                .concat());
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let target = dir.path().join(date);
        let want = format!("bounces: wrote daily.csv into {}", target.display());
        assert_eq!(stderr(&out).lines().last(), Some(&want[..]), "{}", stderr(&out));
        assert!(read(&target.join("daily.csv")).starts_with("period,"), "--tz {tz}");
    }
    let out = run(&["analyze", "-q", "-o", &pattern, "samples/exim.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "bounces: -o {pattern}: {{since}} stands for the date of --since, and no --since was given \
             (e.g. --since yesterday --until today) (see 'bounces analyze --help')\n"
        )
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "nothing written without --since");
}

/// The cron line of the README files each day under its own date.
#[test]
fn the_readme_cron_line_files_yesterday_under_yesterday() {
    let readme = read(&util::root().join("README.md"));
    let line = readme.lines().find(|l| l.starts_with("bounces analyze -q --since yesterday")).expect("a cron line");
    assert!(line.contains("--until today") && line.contains("-o '/srv/reports/{since}'"), "{line}");
    assert!(!line.contains("$(date"), "{line}");
}

#[test]
fn out_dir_that_is_a_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = temp_file(&dir, "not-a-dir", b"x");
    let out = run(&["analyze", "-q", "-o", &file, "samples/postfix.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot write report"), "{}", stderr(&out));
}

#[test]
fn quiet_prints_nothing_on_good_input() {
    let out = run(&["analyze", "-q", "samples/postfix.log"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "");
}

#[test]
fn summary_counts_events_and_shows_examples_with_verbose() {
    let out = run(&["analyze", "samples/postfix.log"]);
    assert_eq!(out.status.code(), Some(0), "unparsable lines are counted, not an error");
    let err = stderr(&out);
    assert!(err.contains("bounces: read 1 input, "), "{err}");
    assert!(err.contains("delivery events: "), "{err}");
    assert!(err.contains("could not be parsed; -v shows examples"), "{err}");
    let out = run(&["analyze", "-v", "samples/postfix.log"]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(err.contains("  samples/postfix.log:161: Nov  5 08:20:10 mx1 postfix/smtp"), "{err}");
    // The same line numbers when the file is read through stdin, in small blocks.
    let data = std::fs::read(sample("postfix.log")).unwrap();
    let out = run_with_stdin(&["analyze", "-v", "--block-size", "100", "-"], Some(&data));
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("  -:161: Nov  5 08:20:10 mx1 postfix/smtp"), "{}", stderr(&out));
    let out = run(&["analyze", "-v", "--block-size", "100", "samples/postfix.log"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("  samples/postfix.log:218: 2026-11-05T12:52:08"), "{}", stderr(&out));
}

#[test]
fn closed_stdout_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = Vec::new();
    for i in 0..60_000 {
        data.extend_from_slice(
            format!("Nov  5 10:00:00 mx postfix/smtp[1]: 4B1C2D3E: to=<a@d{i}.example>, relay=x, dsn=2.0.0, status=sent (250 ok)\n")
                .as_bytes(),
        );
    }
    let path = temp_file(&dir, "many.log", &data);
    let mut child = Command::new(env!("CARGO_BIN_EXE_bounces"))
        .args(["analyze", "-q", &path])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // stdout is closed here, like `bounces analyze ... | head -c 16`.
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}

/// See issue 13: `--mta exim` on a Postfix log read nothing and ended with
/// exit 0 and no hint.
#[test]
fn mta_choice_limits_what_is_read_and_says_what_the_log_is() {
    for (mta, log, title, other) in
        [("exim", "samples/postfix.log", "Postfix", "postfix"), ("postfix", "samples/exim.log", "Exim", "exim")]
    {
        let lines =
            std::fs::read(util::root().join(log)).unwrap().split(|&b| b == b'\n').filter(|l| !l.is_empty()).count();
        let want = format!(
            "bounces: {log}: read {lines} lines of {title}, but --mta {mta} was given (give --mta {other}, or --mta auto)\n"
        );
        let out = run(&["analyze", "-q", "--mta", mta, log]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_eq!(
            stdout(&out),
            "domain,total,delivered,deferred,bounced,expired,bounce_rate,top_bounce,top_deferral\r\n"
        );
        assert_eq!(stderr(&out), want, "one line, even with -q");
        let out = run(&["analyze", "--mta", mta, log]);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).starts_with(&want), "{}", stderr(&out));
        assert!(stderr(&out).contains("bounces: 0 delivery events: "), "{}", stderr(&out));
        // The MTA of the log, or both, read it.
        for right in [other, "auto"] {
            let out = run(&["analyze", "-q", "--mta", right, log]);
            assert_eq!((out.status.code(), stderr(&out)), (Some(0), String::new()), "--mta {right}");
        }
    }
}

/// See issue 13: a cron job that lost its path (`bounces analyze -q -o DIR`
/// reading an empty stdin) wrote empty reports, ended with exit 0, and said
/// nothing.
#[test]
fn empty_stdin_is_said_even_quiet_and_exits_1() {
    let want = "bounces: -: stdin was empty, nothing to count (without a PATH stdin is read: name the log files, \
                e.g. /var/log/mail.log*, or check what feeds the pipe)\n";
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("reports");
    // No PATH and stdin not a terminal (here /dev/null, as under cron).
    let out = run(&["analyze", "-q", "-o", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stderr(&out), want);
    assert!(target.join("domains.csv").exists(), "the (empty) reports are still written");
    let out = run_with_stdin(&["analyze", "-q", "-"], Some(b""));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stderr(&out), want);
}

/// A log of a day, stamped in RFC 3339 (UTC): `n` deliveries spread over
/// 2026-11-05.
fn day_log(n: usize) -> Vec<u8> {
    (0..n)
        .flat_map(|i| {
            let second = i * 86_000 / n;
            format!(
                "2026-11-05T{:02}:{:02}:{:02}+00:00 mx postfix/smtp[1]: 4B1C{i:06}: to=<u@d{}.example>, relay=x, \
                 dsn=2.0.0, status=sent (250 2.0.0 ok)\n",
                second / 3600,
                second / 60 % 60,
                second % 60,
                i % 50
            )
            .into_bytes()
        })
        .collect()
}

/// See issue 13: a file with lines, none of them in the window (found by
/// binary search, so none read), was "empty, nothing to count".
#[test]
fn a_file_with_no_lines_in_the_window_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let log = day_log(3000);
    assert!(log.len() > 256 << 10, "large enough for the binary search");
    let path = temp_file(&dir, "day.log", &log);
    let out = run(&["analyze", "--tz", "UTC", "--since", "2026-11-07", "--until", "2026-11-08", &path]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    let want = format!(
        "bounces: {path}: no lines in --since/--until (its {:.2} MB lie outside it, found by binary search)",
        log.len() as f64 / 1e6
    );
    assert_eq!(err.lines().next(), Some(&want[..]), "{err}");
    assert!(!err.contains("empty"), "{err}");
}

/// See issue 13: an idle day (a real log, no event in the window) stays
/// exit 0, with one line even with -q, which says what was left out.
#[test]
fn no_events_in_the_window_is_one_line_and_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let big = temp_file(&dir, "day.log", &day_log(3000));
    let small = temp_file(&dir, "small.log", &day_log(3));
    let advice = "if mail went out then, check --since, --until and --tz";
    let cases = [
        // Found by binary search: nothing read.
        (
            &big,
            "2026-11-07",
            "2026-11-08",
            "from 2026-11-07T00:00:00+00:00 to 2026-11-08T00:00:00+00:00 (no input has lines in it)",
        ),
        // Read, and every event outside.
        (
            &small,
            "2026-11-06",
            "2026-11-07",
            "from 2026-11-06T00:00:00+00:00 to 2026-11-07T00:00:00+00:00 (3 delivery events outside it)",
        ),
    ];
    for (path, since, until, said) in cases {
        let out = run(&["analyze", "-q", "--tz", "UTC", "--since", since, "--until", until, path]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(stderr(&out), format!("bounces: no delivery events {said}; {advice}\n"));
    }
    let out = run(&["analyze", "-q", "--tz", "UTC", "--until", "2026-11-05", &small]);
    assert_eq!(
        stderr(&out),
        format!(
            "bounces: no delivery events before 2026-11-05T00:00:00+00:00 (3 delivery events outside it); {advice}\n"
        )
    );
    // Without a window: a mail log without delivery lines (an inbound-only
    // server's, say).
    let inbound = b"Nov  5 10:00:00 mx postfix/smtpd[1]: connect from x[192.0.2.1]\n\
                    Nov  5 10:00:01 mx postfix/smtpd[1]: disconnect from x[192.0.2.1]\n";
    let path = temp_file(&dir, "inbound.log", inbound);
    let out = run(&["analyze", "-q", &path]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "bounces: no delivery events in 2 lines read; if mail went out, name the log of the server that sent it \
         (e.g. /var/log/mail.log*)\n"
    );
}

#[test]
fn readme_example_output_is_what_the_first_command_prints() {
    let readme = util::read(&util::root().join("README.md"));
    let block = readme.split("```text\n").nth(1).expect("the README shows example output");
    let block = &block[..block.find("```").expect("the example block ends")];
    let out = run(&["analyze", "samples/postfix.log"]);
    assert_eq!(out.status.code(), Some(0));
    let report = stdout(&out).replace("\r\n", "\n");
    let summary = stderr(&out);
    for line in block.lines().filter(|l| *l != "...") {
        if let Some(rest) = line.strip_prefix("bounces: read ") {
            // Timing varies; the counts before it must not.
            let counts = &rest[..rest.find(" in ").expect("a time")];
            assert!(summary.contains(counts), "README summary {line:?} vs {summary}");
        } else if line.starts_with("bounces: ") {
            assert!(summary.lines().any(|l| l == line), "README summary {line:?} vs {summary}");
        } else {
            assert!(report.lines().any(|l| l == line), "README row {line:?} not in the report");
        }
    }
}

/// The columns are declared once, by each report; the README must show
/// them as written (a renamed or added column fails here until documented).
#[test]
fn readme_shows_every_report_header() {
    let readme = util::read(&util::root().join("README.md"));
    for kind in bounces::config::ReportKind::ALL.into_iter().filter(|kind| !kind.is_text()) {
        let header = bounces::internals::report::header(kind);
        assert!(readme.contains(&format!("`{header}`")), "README lacks the {} header `{header}`", kind.name());
    }
}

#[test]
fn out_dir_writes_only_the_reports_named() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("some");
    let out = run(&[
        "analyze",
        "-q",
        "--report",
        "codes",
        "--report",
        "daily",
        // Named again, not next to the first: still written once (the
        // files are written side by side, so twice would race).
        "--report",
        "codes",
        "-o",
        target.to_str().unwrap(),
        "samples/exim.log",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut names: Vec<String> =
        std::fs::read_dir(&target).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["codes.csv", "daily.csv"]);
    for report in ["codes", "daily"] {
        let alone = run(&["analyze", "-q", "--report", report, "samples/exim.log"]);
        assert_same_text(report, &read(&target.join(format!("{report}.csv"))), &stdout(&alone));
    }
    let out = run(&["analyze", "--report", "codes", "--report", "daily", "samples/exim.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("only one --report can go to stdout"), "{}", stderr(&out));
}

/// `analyze --help` shows, for every report, the header line that report
/// starts with, so a user can see the columns before running it.
#[test]
fn help_lists_the_header_of_every_report() {
    let help = run(&["analyze", "--help"]);
    assert_eq!(help.status.code(), Some(0), "{}", stderr(&help));
    let help = stdout(&help);
    for report in ["domains", "codes", "reasons", "daily", "hourly", "messages", "recipients"] {
        let out = run(&["analyze", "--report", report, "samples/postfix.log"]);
        assert_eq!(out.status.code(), Some(0), "{report}: {}", stderr(&out));
        let text = stdout(&out);
        let header = text.lines().next().expect("a header line");
        let listed = help
            .lines()
            .find_map(|l| l.trim().strip_prefix(&format!("- {report}:")))
            .unwrap_or_else(|| panic!("--help lists {report}:\n{help}"));
        let listed = listed.trim();
        assert!(
            listed == header || listed.starts_with(&format!("{header} ")),
            "{report}: help says {listed:?}, report starts {header:?}"
        );
    }
}
