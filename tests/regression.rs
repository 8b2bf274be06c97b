//! One test per bug fixed, named after what went wrong.

use crate::util::{run, stderr, stdout, temp_file};

// See: #2 (review). Exim local deliveries were counted under the sender's
// (F=) or return path's (P=) domain, and quoted local parts or autoreply
// lists gave broken domains.
#[test]
fn exim_local_deliveries_count_under_the_recipient() {
    let dir = tempfile::tempdir().unwrap();
    let log = b"2026-11-05 10:00:00 1tXyZa-0003Ab-Qa => userx <userx@local.example> F=<s@senderdom.example> P=<b@rp.example> R=localuser T=local_delivery\n\
2026-11-05 10:00:01 1tXyZa-0003Ab-Qb => abcd+x+\"abc@def\" <\"abcd+x+\\\"abc@def\\\"\"@local.example> R=r1 T=t1\n\
2026-11-05 10:00:02 1tXyZa-0003Ab-Qc => >s@local.example,t@local.example <u@local.example> R=r T=autoreply\n\
2026-11-05 10:00:03 1tXyZa-0003Ab-Qd ** \"john doe\"@local.example <orig@other.example> R=r T=t: SMTP error from remote mail server after RCPT TO:<x>: 550 5.1.1 no\n";
    let path = temp_file(&dir, "exim.log", log);
    let out = run(&["analyze", "-q", &path]);
    assert_eq!(
        stdout(&out),
        "domain,total,delivered,deferred,bounced,expired,bounce_rate,top_bounce,top_deferral\r\nlocal.example,4,3,0,1,0,0.2500,550 5.1.1,\r\n"
    );
}

// See: #2 (review). Whether a line over the length limit was skipped
// depended on the block size.
#[test]
fn overlong_lines_are_skipped_whatever_the_block_size() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = b"Nov  5 10:00:00 mx postfix/smtp[1]: 4B1C2D3E: to=<a@short.example>, relay=x, dsn=2.0.0, status=sent (250 ok)\n".to_vec();
    log.extend_from_slice(b"Nov  5 10:00:01 mx postfix/smtp[1]: 4B1C2D3F: to=<b@long.example>, relay=x, dsn=5.1.1, status=bounced (host x[192.0.2.1] said: 550 5.1.1 ");
    log.extend(std::iter::repeat_n(b'x', 1_500_000));
    log.extend_from_slice(b")\nNov  5 10:00:02 mx postfix/smtp[1]: 4B1C2D40: to=<c@short.example>, relay=x, dsn=2.0.0, status=sent (250 ok)\n");
    let path = temp_file(&dir, "long.log", &log);
    let mut reports = Vec::new();
    for block in ["65536", "4194304"] {
        let out = run(&["analyze", "--block-size", block, &path]);
        assert!(stderr(&out).contains("1 line longer than 1.05 MB skipped"), "block {block}: {}", stderr(&out));
        reports.push(stdout(&out));
    }
    let out = crate::util::run_with_stdin(&["analyze", "-"], Some(&log));
    assert!(stderr(&out).contains("1 line longer than 1.05 MB skipped"), "stdin: {}", stderr(&out));
    reports.push(stdout(&out));
    assert_eq!(reports[0], reports[1]);
    assert_eq!(reports[0], reports[2]);
    assert!(!reports[0].contains("long.example"));
}

// See: #2 (review). A line full of false anchors was rescanned from its
// start for every anchor (quadratic time); it must still parse correctly.
#[test]
fn lines_full_of_false_anchors_are_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = b"2026-11-05 10:00:00 1tXyZa-0003Ab-Qr <= s@x.example T=\"".to_vec();
    for _ in 0..50_000 {
        log.extend_from_slice(b" == ** =>");
    }
    log.extend_from_slice(b"\"\n2026-11-05 10:00:01 1tXyZa-0003Ab-Qr => u@real.example R=r T=t C=\"250 OK\"\n");
    let path = temp_file(&dir, "anchors.log", &log);
    let out = run(&["analyze", "-q", &path]);
    assert_eq!(
        stdout(&out),
        "domain,total,delivered,deferred,bounced,expired,bounce_rate,top_bounce,top_deferral\r\nreal.example,1,1,0,0,0,0.0000,,\r\n"
    );
}

// See: #2 (review). -j with a huge number panicked when the threads could
// not be started.
#[test]
fn absurd_thread_counts_are_refused() {
    let out = run(&["analyze", "-j", "100000", "samples/postfix.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--threads must be at most 1024"), "{}", stderr(&out));
}
