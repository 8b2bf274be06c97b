//! The reports must not depend on how the input is cut or how many threads
//! read it: every block size from 1 byte up, 1 to 4 threads, one file or
//! the same lines split across several.

use indicatif::ProgressBar;

use bounces::config::{Mta, ReportKind};
use bounces::internals::input::{BlockOptions, Source};
use bounces::internals::report::Reports;
use bounces::internals::scan::{self, ScanOptions};

use crate::util::{self, run, sample, stdout};

fn reports_for(inputs: &[Source], threads: usize, block_size: usize) -> Vec<u8> {
    let blocks = BlockOptions { block_size, ..BlockOptions::default() };
    let analysis = scan::run(inputs, &ScanOptions::new(Mta::Auto, threads, blocks), &ProgressBar::hidden())
        .expect("the scan runs");
    let reports = Reports::build(&analysis.tally);
    let mut out = Vec::new();
    for kind in ReportKind::ALL {
        bounces::internals::format::write(&reports, kind, &mut out, bounces::internals::format::Options::default())
            .unwrap();
    }
    out
}

#[test]
fn block_size_and_threads_do_not_change_reports() {
    let inputs = [Source::Path(sample("postfix.log")), Source::Path(sample("exim.log"))];
    let reference = reports_for(&inputs, 1, 1 << 20);
    for block_size in (1..=64).chain([100, 333, 1000, 4096]) {
        for threads in [1, 2, 4] {
            let got = reports_for(&inputs, threads, block_size);
            assert!(got == reference, "block size {block_size}, {threads} threads");
        }
    }
}

#[test]
fn split_inputs_match_the_whole() {
    let mut whole = std::fs::read(sample("postfix.log")).unwrap();
    whole.push(b'\n'); // the sample's last line has no newline
    whole.extend(std::fs::read(sample("exim.log")).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let whole_path = dir.path().join("whole.log");
    std::fs::write(&whole_path, &whole).unwrap();
    let reference = reports_for(&[Source::Path(whole_path)], 2, 4096);
    // Cut at line boundaries into three files, and name them out of order.
    let lines: Vec<&[u8]> = whole.split_inclusive(|&b| b == b'\n').collect();
    let thirds = [&lines[..100], &lines[100..300], &lines[300..]];
    let mut paths = Vec::new();
    for (i, part) in thirds.iter().enumerate() {
        let path = dir.path().join(format!("part{i}.log"));
        std::fs::write(&path, part.concat()).unwrap();
        paths.push(Source::Path(path));
    }
    paths.reverse();
    assert!(reports_for(&paths, 2, 512) == reference);
}

#[test]
fn the_binary_agrees_across_threads_and_block_sizes() {
    let args = |j: &str, b: &str| -> String {
        let out = run(&[
            "analyze",
            "-q",
            "--report",
            "codes",
            "-j",
            j,
            "--block-size",
            b,
            "samples/postfix.log",
            "samples/exim.log",
        ]);
        assert_eq!(out.status.code(), Some(0));
        stdout(&out)
    };
    let reference = args("1", "1048576");
    for (j, b) in [("2", "1"), ("2", "97"), ("3", "4096")] {
        util::assert_same_text(&format!("-j {j} --block-size {b}"), &args(j, b), &reference);
    }
}
