//! `--rules FILE`: rules a user adds, checked before the built-in ones, in
//! every report that shows a reason; a wrong file stops the run with the
//! line at fault.

use crate::util::{self, run, run_with_stdin, stderr, stdout};

const LOG: &str = "\
2026-11-01T10:00:00+00:00 mx postfix/smtp[1]: 4B1C2D3E01: to=<a@x.example>, relay=mx.x.example[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.0.0, status=bounced (host mx.x.example[192.0.2.1] said: 550 Mailbox is HIBERNATING by the administrator (in reply to RCPT TO command))
2026-11-01T10:00:01+00:00 mx postfix/smtp[1]: 4B1C2D3E02: to=<b@x.example>, relay=mx.x.example[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.x.example[192.0.2.1] said: 550 5.1.1 <b@x.example>: user unknown (in reply to RCPT TO command))
";

/// Without rules the hibernating mailbox is only a 550 (`onhold`); with a rule
/// it is `suspend` (soft), in the reasons report and in the summary, with
/// any thread count; the other line keeps its built-in reason. Worked out
/// by hand.
#[test]
fn a_rule_decides_before_the_built_in_ones() {
    let dir = tempfile::tempdir().unwrap();
    let rules = util::temp_file(&dir, "rules.tsv", b"# ours\nmailbox is hibernating\tsuspend\tour note\n");
    let plain = run_with_stdin(&["analyze", "-q", "--report", "reasons", "-"], Some(LOG.as_bytes()));
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    let reasons = |out: &std::process::Output| -> Vec<(String, String)> {
        util::csv_records(&stdout(out)).into_iter().map(|r| (r["reason"].clone(), r["bounce_type"].clone())).collect()
    };
    assert_eq!(
        reasons(&plain),
        [("userunknown".to_string(), "hard".to_string()), ("onhold".into(), "undetermined".into())]
    );
    for threads in ["1", "2"] {
        let args = ["analyze", "--rules", &rules, "-j", threads, "--block-size", "300", "--report", "reasons", "-"];
        let out = run_with_stdin(&args, Some(LOG.as_bytes()));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(reasons(&out), [("userunknown".to_string(), "hard".to_string()), ("suspend".into(), "soft".into())]);
        assert!(stderr(&out).contains("1 suspend (soft)"), "{}", stderr(&out));
    }
}

/// A wrong rule stops the run before any input is read, naming the file
/// and the line; so does a file that cannot be read.
#[test]
fn a_wrong_rules_file_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[u8], &str); 3] = [
        (b"ok\tsuspend\n(unclosed\tblocked\n", "rules file: line 2: bad pattern: "),
        (b"frozen\tfrozen\n", "rules file: line 1: unknown reason 'frozen'; one of: userunknown, "),
        (b"frozen suspend\n", "rules file: line 1: expected PATTERN<TAB>REASON"),
    ];
    for (text, want) in cases {
        let path = util::temp_file(&dir, "rules.tsv", text);
        let out = run(&["analyze", "--rules", &path, "samples/postfix.log"]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stdout(&out).is_empty(), "nothing is written");
        let err = stderr(&out);
        assert!(err.starts_with(&format!("bounces: {path}: {want}")), "{err}");
    }
    let missing = dir.path().join("missing.tsv");
    let out = run(&["analyze", "--rules", missing.to_str().unwrap(), "samples/postfix.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing.tsv"), "{}", stderr(&out));
}

/// `explain --rules` reads a text with the same rules and names the rule;
/// a wrong file is refused there too.
#[test]
fn explain_reads_with_the_rules() {
    let dir = tempfile::tempdir().unwrap();
    let rules = util::temp_file(&dir, "rules.tsv", b"mailbox is hibernating\tsuspend\n");
    let text = "550 Mailbox is HIBERNATING by the administrator";
    let out = run(&["explain", "--rules", &rules, text]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(said.contains("  reason    suspend   bounce type: soft"), "{said}");
    assert!(said.contains("  rule      U1: rules file, line 1: mailbox is hibernating"), "{said}");
    let without = stdout(&run(&["explain", text]));
    assert!(without.contains("  reason    onhold"), "{without}");
    let bad = util::temp_file(&dir, "bad.tsv", b"x\tnope\n");
    let out = run(&["explain", "--rules", &bad, text]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("rules file: line 1: unknown reason 'nope'"), "{}", stderr(&out));
}

/// A rules file others can write to is refused (it decides who lands on
/// the suppression list, often in root's nightly run); read-only for
/// others is fine.
#[test]
fn a_rules_file_others_can_change_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = util::temp_file(&dir, "rules.tsv", b"frozen\tsuspend\n");
    for (mode, ok) in [(0o600, true), (0o644, true), (0o664, false), (0o646, false), (0o666, false)] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        let out = run(&["analyze", "-q", "--rules", &path, "samples/postfix.log"]);
        if ok {
            assert_eq!(out.status.code(), Some(0), "{mode:o}: {}", stderr(&out));
        } else {
            assert_eq!(out.status.code(), Some(2), "{mode:o}");
            let want = format!("can be changed by other users (mode {mode:04o})");
            assert!(stderr(&out).contains(&want) && stderr(&out).contains("chmod go-w"), "{}", stderr(&out));
        }
    }
}
