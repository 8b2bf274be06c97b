//! Compressed input: gzip (one or several members), bzip2, xz and zstd, by
//! their magic bytes, from files or stdin, give the same reports as the
//! plain file; mixed with plain files in any order, the same as their
//! concatenation.

use std::io::Write;

use crate::util::{self, run, run_with_stdin, sample, stdout};

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn compress(kind: &str, data: &[u8]) -> Vec<u8> {
    match kind {
        "gz" => gzip(data),
        // Two members, as `cat a.gz b.gz` or some log shippers make.
        "gz2" => {
            let (a, b) = data.split_at(data.len() / 2);
            [gzip(a), gzip(b)].concat()
        }
        "bz2" => {
            let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
            enc.write_all(data).unwrap();
            enc.finish().unwrap()
        }
        "xz" => {
            let mut enc = liblzma::write::XzEncoder::new(Vec::new(), 1);
            enc.write_all(data).unwrap();
            enc.finish().unwrap()
        }
        "zst" => zstd::stream::encode_all(data, 1).unwrap(),
        other => panic!("unknown kind {other}"),
    }
}

/// Every report, time series and message-level ones included (in UTC; the
/// year of BSD stamps comes from the modification time, which is within
/// minutes for the sample and its compressed copies).
fn reports(args: &[&str]) -> String {
    let mut all = String::new();
    for report in ["domains", "codes", "reasons", "hourly", "messages", "recipients"] {
        let mut full = vec!["analyze", "-q", "--tz", "UTC", "--report", report];
        full.extend_from_slice(args);
        let out = run(&full);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", util::stderr(&out));
        all.push_str(&stdout(&out));
    }
    all
}

#[test]
fn every_format_matches_the_plain_file() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["postfix.log", "exim.log"] {
        let plain = std::fs::read(sample(name)).unwrap();
        let want = reports(&[sample(name).to_str().unwrap()]);
        for kind in ["gz", "gz2", "bz2", "xz", "zst"] {
            // A misleading name: formats are told by their bytes.
            let path = dir.path().join(format!("{name}.{kind}.1"));
            std::fs::write(&path, compress(kind, &plain)).unwrap();
            util::assert_same_text(&format!("{name} as {kind}"), &reports(&[path.to_str().unwrap()]), &want);
        }
    }
}

/// A line-level and a message-level report of `data` fed on stdin (the
/// files test above covers every report; this one the stream path).
fn reports_of_stdin(data: &[u8]) -> String {
    let mut all = String::new();
    for report in ["reasons", "recipients"] {
        let out = run_with_stdin(&["analyze", "-q", "--tz", "UTC", "--report", report, "-"], Some(data));
        assert_eq!(out.status.code(), Some(0), "{report}: {}", util::stderr(&out));
        all.push_str(&stdout(&out));
    }
    all
}

/// Whole outputs, byte for byte: a stream that decompressed to nothing
/// would still print the headers, so comparing less would pass.
#[test]
fn compressed_stdin_matches_the_plain_file() {
    for name in ["postfix.log", "exim.log"] {
        let plain = std::fs::read(sample(name)).unwrap();
        let want = reports_of_stdin(&plain);
        assert!(want.lines().count() > 30, "{name}: the sample's reports have rows");
        for kind in ["gz", "gz2", "bz2", "xz", "zst"] {
            let got = reports_of_stdin(&compress(kind, &plain));
            util::assert_same_text(&format!("{name} as {kind} on stdin"), &got, &want);
        }
    }
}

#[test]
fn rotated_mixed_inputs_match_their_concatenation() {
    let dir = tempfile::tempdir().unwrap();
    let mut whole = std::fs::read(sample("postfix.log")).unwrap();
    whole.push(b'\n');
    whole.extend(std::fs::read(sample("exim.log")).unwrap());
    let lines: Vec<&[u8]> = whole.split_inclusive(|&b| b == b'\n').collect();
    let parts = [&lines[..150], &lines[150..280], &lines[280..]];
    let write = |name: &str, data: Vec<u8>| {
        let path = dir.path().join(name);
        std::fs::write(&path, data).unwrap();
        path.to_str().unwrap().to_string()
    };
    let whole_path = write("whole.log", whole.clone());
    let rotated = [
        write("mail.log.2.gz", compress("gz", &parts[0].concat())),
        write("mail.log.1", parts[1].concat()),
        write("mail.log", compress("zst", &parts[2].concat())),
    ];
    let want = reports(&[&whole_path]);
    let mut named: Vec<&str> = rotated.iter().map(String::as_str).collect();
    util::assert_same_text("rotated, in order", &reports(&named), &want);
    named.reverse();
    util::assert_same_text("rotated, reversed", &reports(&named), &want);
    let mut threads = vec!["-j", "1"];
    threads.extend(&named);
    util::assert_same_text("rotated, one thread", &reports(&threads), &want);
}
