//! One test per bug fixed, named after what went wrong.

use crate::util::{assert_same_text, run, stderr, stdout, temp_file};

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

// See: #13 item 14. `explain` on a line in which our own server refused a
// client (Postfix smtpd `NOQUEUE: reject:`, Exim `rejected RCPT`) gave the
// advice for a bounce our MTA received: "request delisting" of our IP.
#[test]
fn explain_says_our_server_refused_the_client_of_an_inbound_line() {
    let postfix = "Nov  5 10:00:00 mx1 postfix/smtpd[4242]: NOQUEUE: reject: RCPT from unknown[192.0.2.9]: 554 5.7.1 \
        Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org; \
        https://www.spamhaus.org/query/ip/192.0.2.9; from=<a@b.example> to=<c@ours.example> proto=ESMTP helo=<x>";
    let out = run(&["explain", postfix]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_same_text(
        "explain, Postfix smtpd reject",
        &stdout(&out),
        concat!(
            "Postfix log line\n",
            "  text      Nov  5 10:00:00 mx1 postfix/smtpd[4242]: NOQUEUE: reject: RCPT from\n",
            "            unknown[192.0.2.9]: 554 5.7.1 Service unavailable; Client host\n",
            "            [192.0.2.9] blocked using zen.spamhaus.org;\n",
            "            https://www.spamhaus.org/query/ip/192.0.2.9; from=<a@b.example>\n",
            "            to=<c@ours.example> proto=ESMTP helo=<x>\n",
            "  inbound   our server (Postfix smtpd) refused a message from client unknown\n",
            "            [192.0.2.9]: sender <a@b.example>, recipient <c@ours.example>\n",
            "  reply     554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked\n",
            "            using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.9\n",
            "  stage     RCPT TO\n",
            "  codes     554 5.7.1: transaction failed (after RCPT TO); delivery not\n",
            "            authorized, message refused\n",
            "  class     permanent negative completion (5xx): not done; the same command\n",
            "            unchanged fails again\n",
            "  reason    blocked   bounce type: block   (if the MTA bounced it)\n",
            "  rule      P28: the sending IP is on a blocklist\n",
            "  means     The receiving server refused the sending host itself: its IP\n",
            "            address is on a DNS blocklist or a local block list, or its reverse\n",
            "            DNS or HELO name was refused.\n",
            "  do        Our server refused the client by its IP address or name: a DNS\n",
            "            blocklist it looked the client up in (named in the reply) or a\n",
            "            local access rule. Nothing to do if the client sends spam. If it is\n",
            "            a legitimate sender, check that client's listing (its IP, not\n",
            "            yours) and exempt it here: Postfix check_client_access or\n",
            "            postscreen_access_list, Exim a host list in the ACL.\n",
        ),
    );
    let exim = "2020-02-22 00:48:43 H=([198.51.100.163]) [198.51.100.168] F=<f@b.example> rejected RCPT \
        <u@ours.example>: Unrouteable address";
    let out = run(&["explain", exim]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_same_text(
        "explain, Exim rejected RCPT",
        &stdout(&out),
        concat!(
            "Exim log line\n",
            "  text      2020-02-22 00:48:43 H=([198.51.100.163]) [198.51.100.168]\n",
            "            F=<f@b.example> rejected RCPT <u@ours.example>: Unrouteable address\n",
            "  inbound   our server (Exim) refused a message from client [198.51.100.168]:\n",
            "            sender <f@b.example>, recipient <u@ours.example>\n",
            "  reply     Unrouteable address\n",
            "  stage     RCPT TO\n",
            "  codes     none found: no reply code and no enhanced status code in the text\n",
            "  reason    hostunknown   bounce type: hard   (assumed bounced: no code says\n",
            "            otherwise)\n",
            "  rule      P34: the recipient domain does not exist\n",
            "  means     The recipient's domain does not exist in DNS or has no usable mail\n",
            "            host, so the mail cannot be routed at all.\n",
            "  do        The client gave an address whose domain does not exist, accepts no\n",
            "            mail or is not routed here: nothing to do for a typo or spam. If\n",
            "            the domain is ours, check that it is listed (Postfix mydestination,\n",
            "            virtual_mailbox_domains, relay_domains; Exim local_domains,\n",
            "            relay_to_domains) and that its DNS resolves.\n",
        ),
    );
    // The README shows this very output.
    let readme = crate::util::read(&crate::util::root().join("README.md"));
    let shown = format!("$ bounces explain '{postfix}'\n");
    let block = readme.split(&shown).nth(1).and_then(|b| b.split("```").next()).expect("the README shows it");
    assert_same_text("README's inbound example", block, &stdout(&run(&["explain", postfix])));
    let out = run(&["explain", "--format", "json", postfix]);
    let json = stdout(&out);
    assert!(json.contains("\"direction\": \"inbound\""), "{json}");
    assert!(json.contains("\"client_ip\": \"192.0.2.9\""), "{json}");
}

// See: #22. The question this tool started from, 252 versus 556, as the
// README and docs/classification.md show it: the output of the binary.
#[test]
fn readme_shows_the_252_556_comparison_as_explain_prints_it() {
    let out = stdout(&run(&["explain", "252", "556"]));
    for doc in ["README.md", "docs/classification.md"] {
        let text = crate::util::read(&crate::util::root().join(doc));
        let block = text
            .split("$ bounces explain 252 556\n")
            .nth(1)
            .and_then(|b| b.split("```").next())
            .unwrap_or_else(|| panic!("{doc} shows it"));
        assert_same_text(&format!("{doc}'s 252 versus 556"), block, &out);
    }
    assert!(out.contains("never a delivery result"), "{out}");
    assert!(!out.contains("delivered"), "252 is no delivery: {out}");
}
