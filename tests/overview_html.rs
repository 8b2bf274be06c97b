//! The overview as an HTML page (`--format html`): the Postfix sample
//! against its golden, no external reference, well formed, the same
//! numbers as the text overview, and the short page of an empty input.

use std::collections::BTreeMap;

use crate::util::{self, run, sample, stdout};

/// The overview of `paths` on stdout with `--format`, with the zone fixed.
fn overview(format: &str, extra: &[&str], paths: &[&str]) -> String {
    let mut args = vec!["analyze", "-q", "--tz", "UTC", "--report", "overview", "--format", format];
    args.extend_from_slice(extra);
    args.extend_from_slice(paths);
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    stdout(&out)
}

#[test]
fn postfix_overview_html() {
    let got = overview("html", &[], &["samples/postfix.log"]);
    util::assert_golden("postfix overview html", &got, &sample("expected/postfix.overview.html"));
}

/// Panics unless every opened element is closed, in order (the void
/// `meta` and the self-closed `<x />` apart), and no text holds a bare
/// `<` or `>`.
fn assert_well_formed(html: &str) {
    let mut open: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        assert!(!rest[..start].contains('>'), "a bare > before {:?}", &rest[start..start.min(rest.len())]);
        let end = rest[start..].find('>').map(|e| start + e).expect("an unclosed <");
        let tag = &rest[start + 1..end];
        assert!(!tag.contains('<'), "a < inside a tag: {tag:?}");
        let name: String = tag.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        if tag.starts_with('!') || tag.ends_with('/') || name == "meta" {
            // A doctype, a self-closed element or a void one.
        } else if tag.starts_with('/') {
            assert_eq!(open.pop().as_deref(), Some(name.as_str()), "closed out of order");
        } else {
            open.push(name);
        }
        rest = &rest[end + 1..];
    }
    assert!(!rest.contains('>'), "a bare > at the end");
    assert!(open.is_empty(), "left open: {open:?}");
}

/// Panics if the page refers to anything outside itself.
fn assert_self_contained(html: &str) {
    for bad in ["http:", "https:", "//", "@import", "url(", "<script", "src=", "href="] {
        assert!(!html.contains(bad), "{bad:?} in the page");
    }
}

#[test]
fn the_page_is_self_contained_well_formed_and_accessible() {
    for name in ["postfix", "exim", "messages", "times"] {
        let html = overview("html", &[], &[&format!("samples/{name}.log")]);
        assert_self_contained(&html);
        assert_well_formed(&html);
        assert!(html.contains("<html lang=\"en\">"), "{name}");
        assert!(html.contains("@media print") && html.contains("prefers-color-scheme: dark"), "{name}");
        // Every chart has a title and a description it is labelled by.
        let charts = html.matches("<svg ").count();
        assert!(charts > 0, "{name}");
        assert_eq!(html.matches("<svg role=\"img\" aria-labelledby=").count(), charts, "{name}");
        assert_eq!(html.matches("<title id=").count(), charts, "{name}");
        assert_eq!(html.matches("<desc id=").count(), charts, "{name}");
        // Every header cell says what it heads.
        assert_eq!(html.matches("<th>").count(), 0, "{name}");
    }
}

/// The numbers written in `text`, each as often as it is written: runs of
/// digits, `,`, `.` and `%` holding a digit, without a trailing `.` or `,`.
fn numbers(text: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for token in text.split(|c: char| !(c.is_ascii_digit() || matches!(c, ',' | '.' | '%'))) {
        let token = token.trim_matches(|c| c == '.' || c == ',');
        if token.chars().any(|c| c.is_ascii_digit()) {
            *counts.entry(token.to_string()).or_default() += 1;
        }
    }
    counts
}

/// The text a reader sees in the page's tables and paragraphs: the style
/// and the charts (whose numbers repeat the tables') left out, the tags
/// removed and the entities decoded.
fn visible_text(html: &str) -> String {
    let shown = without(&without(html, "<style>", "</style>"), "<svg ", "</svg>");
    let mut out = String::new();
    let mut in_tag = false;
    for c in shown.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

/// `html` without what lies from each `open` to the next `close`.
fn without(html: &str, open: &str, close: &str) -> String {
    let mut kept = String::new();
    let mut rest = html;
    while let Some(start) = rest.find(open) {
        kept.push_str(&rest[..start]);
        let end = rest[start..].find(close).expect("closed");
        rest = &rest[start + end + close.len()..];
    }
    kept.push_str(rest);
    kept
}

/// The second day of the two-day sample: with the change against the
/// first.
const SECOND_DAY: [&str; 4] = ["--since", "2026-11-05", "--until", "2026-11-06"];

#[test]
fn the_page_has_the_numbers_of_the_text_overview() {
    for (name, extra) in
        [("postfix", &[][..]), ("exim", &[]), ("messages", &[]), ("times", &[]), ("two-days", &SECOND_DAY)]
    {
        let path = format!("samples/{name}.log");
        let text = overview("csv", extra, &[&path]);
        let html = overview("html", extra, &[&path]);
        assert_eq!(numbers(&visible_text(&html)), numbers(&text), "{name}");
    }
}

/// With a sender report, the senders section has the same numbers too.
#[test]
fn the_senders_are_on_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_string_lossy().into_owned();
    let args = ["analyze", "-q", "--tz", "UTC", "-o", &path, "--report", "overview", "--report", "senders"];
    let out = run(&[&args[..], &["samples/postfix.log"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    let (text, html) = (util::read(&dir.path().join("overview.txt")), util::read(&dir.path().join("overview.html")));
    assert!(html.contains("<h2>Senders</h2>") && html.contains("hr@corp.example"), "{html}");
    assert_well_formed(&html);
    assert_self_contained(&html);
    assert_eq!(numbers(&visible_text(&html)), numbers(&text));
}

#[test]
fn the_change_and_the_jumps_are_on_the_page() {
    let html = overview("html", &SECOND_DAY, &["samples/two-days.log"]);
    assert_self_contained(&html);
    assert_well_formed(&html);
    assert!(html.contains("<h2>Change against the previous day</h2>"), "{html}");
    assert!(html.contains("<th scope=\"row\">bigcorp.example</th><td class=\"n\">9.09%</td>"), "{html}");
}

#[test]
fn out_dir_with_format_html_writes_overview_html() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_string_lossy().into_owned();
    let args = ["analyze", "-q", "--tz", "UTC", "--format", "html", "-o", &path, "--report", "overview"];
    let out = run(&[&args[..], &["samples/postfix.log"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    let html = util::read(&dir.path().join("overview.html"));
    assert_eq!(html, overview("html", &[], &["samples/postfix.log"]));
    // The text for a mail body goes beside it, as with any format.
    assert!(dir.path().join("overview.txt").exists());
    // Any other report in HTML is refused.
    let out = run(&["analyze", "-q", "--format", "html", "--report", "domains", "samples/postfix.log"]);
    assert_eq!(out.status.code(), Some(2), "{}", util::stderr(&out));
    assert!(util::stderr(&out).contains("--format html is for --report overview only"));
}

#[test]
fn an_empty_input_gives_a_short_page_that_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = util::temp_file(&dir, "empty.log", b"");
    let out = run(&["analyze", "-q", "--report", "overview", "--format", "html", &path]);
    assert_eq!(out.status.code(), Some(1), "{}", util::stderr(&out));
    let html = stdout(&out);
    assert!(html.contains("No delivery event"), "{html}");
    assert!(!html.contains("<svg"), "{html}");
    assert_well_formed(&html);
    assert_self_contained(&html);
}
