//! Running as root from cron (issue 20): no file written through a planted
//! symbolic link, reports and the directories `-o` creates no more readable
//! than asked, a hash key others can read refused, and one canonical form
//! of an address under the hash.

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::util::{self, run, stderr, stdout};

/// Every report, as named by `--report` and on disk without `.csv`.
const REPORTS: [&str; 7] = ["domains", "codes", "reasons", "daily", "hourly", "messages", "recipients"];

/// What the victim of a planted link holds; it must never change.
const PRECIOUS: &[u8] = b"precious: a file a hostile user would like root to overwrite\n";

/// `-o DIR` and `--report R` for every report.
fn every_report(dir: &Path) -> Vec<String> {
    let mut args: Vec<String> = ["analyze", "-q", "--tz", "UTC"].map(String::from).to_vec();
    for report in REPORTS {
        args.extend(["--report".to_string(), report.to_string()]);
    }
    args.extend(["-o".to_string(), dir.to_str().unwrap().to_string()]);
    args.extend(["samples/postfix.log", "samples/exim.log", "samples/messages.log"].map(String::from));
    args
}

/// A file outside the report directory that planted links point at.
fn victim(dir: &tempfile::TempDir) -> PathBuf {
    let path = dir.path().join("victim");
    fs::write(&path, PRECIOUS).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    path
}

fn assert_untouched(victim: &Path) {
    assert_eq!(fs::read(victim).unwrap(), PRECIOUS, "the file a link pointed at was written");
    assert_eq!(mode(victim), 0o644, "the file a link pointed at changed its mode");
}

/// Every report in `dir` is a regular file (not a link) holding what the
/// same report on stdout holds.
fn assert_reports_in_place(dir: &Path) {
    for report in REPORTS {
        let path = dir.join(format!("{report}.csv"));
        let kind = fs::symlink_metadata(&path).unwrap().file_type();
        assert!(kind.is_file(), "{}: {kind:?}, not a regular file", path.display());
        let printed = run(&[
            "analyze",
            "-q",
            "--tz",
            "UTC",
            "--report",
            report,
            "samples/postfix.log",
            "samples/exim.log",
            "samples/messages.log",
        ]);
        util::assert_same_text(report, &util::read(&path), &stdout(&printed));
    }
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

/// Whether modes set on files in `dir` can be read back: not on every file
/// system (some network and FAT mounts ignore them). Says so when not.
fn modes_observable(dir: &Path, test: &str) -> bool {
    let probe = dir.join("probe");
    fs::write(&probe, b"").unwrap();
    let observable = [0o640, 0o600]
        .iter()
        .all(|&want| fs::set_permissions(&probe, fs::Permissions::from_mode(want)).is_ok() && mode(&probe) == want);
    fs::remove_file(&probe).unwrap();
    if !observable {
        eprintln!("SKIPPED {test}: file modes set in {} cannot be read back on this file system", dir.display());
    }
    observable
}

/// Up to issue 20 a report went first to `DIR/.<name>.csv.tmp-<pid>`,
/// opened with a plain create that follows a symbolic link there. Links
/// planted at that name for the next few thousand pids, and at the reports'
/// own names, must leave their target alone.
#[test]
fn links_planted_at_the_old_temporary_names_are_never_followed() {
    let outside = tempfile::tempdir().unwrap();
    let victim = victim(&outside);
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("reports");
    fs::create_dir(&out_dir).unwrap();
    let pid_max: u32 =
        fs::read_to_string("/proc/sys/kernel/pid_max").ok().and_then(|t| t.trim().parse().ok()).unwrap_or(1 << 22);
    let mut probe = Command::new("true").spawn().expect("`true` runs");
    let last = probe.id();
    probe.wait().unwrap();
    // Other tests start processes meanwhile: a wide range of pids.
    let mut planted = 0;
    for step in 1..=3000 {
        let pid = (last + step) % pid_max;
        for report in REPORTS {
            symlink(&victim, out_dir.join(format!(".{report}.csv.tmp-{pid}"))).unwrap();
            planted += 1;
        }
    }
    for report in REPORTS {
        symlink(&victim, out_dir.join(format!("{report}.csv"))).unwrap();
    }
    let out = run(&every_report(&out_dir).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_untouched(&victim);
    assert_reports_in_place(&out_dir);
    // The planted links are left as they were, and nothing else remains.
    let mut links = 0;
    for entry in fs::read_dir(&out_dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        if name.ends_with(".csv") {
            continue;
        }
        assert!(name.contains(".csv.tmp-"), "{name} left behind");
        assert_eq!(fs::read_link(entry.path()).unwrap(), victim, "{name}");
        links += 1;
    }
    assert_eq!(links, planted);
}

/// A hostile user racing links into the directory while the run writes:
/// at the old temporary names (now that the pid is known) and at names of
/// the new shape, over and over until the run ends.
#[test]
fn links_raced_into_the_directory_during_a_run_are_never_followed() {
    let outside = tempfile::tempdir().unwrap();
    let victim = victim(&outside);
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("reports");
    fs::create_dir(&out_dir).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_bounces"))
        .args(every_report(&out_dir))
        .current_dir(util::root())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let pid = child.id();
    let done = Arc::new(AtomicBool::new(false));
    let made = Arc::new(AtomicUsize::new(0));
    let racer = {
        let (done, made, out_dir, victim) = (done.clone(), made.clone(), out_dir.clone(), victim.clone());
        std::thread::spawn(move || {
            let mut seed: u64 = 0x9e37_79b9_7f4a_7c15 ^ u64::from(pid);
            while !done.load(Ordering::Relaxed) {
                for report in REPORTS {
                    let old = out_dir.join(format!(".{report}.csv.tmp-{pid}"));
                    if symlink(&victim, &old).is_ok() {
                        made.fetch_add(1, Ordering::Relaxed);
                    }
                    // A guess at a name of the new shape: 12 random letters.
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    let letters: String = (0..12).map(|i| char::from(b'a' + ((seed >> (i * 5)) % 26) as u8)).collect();
                    if symlink(&victim, out_dir.join(format!(".{report}.csv.{letters}.tmp"))).is_ok() {
                        made.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        })
    };
    let out = child.wait_with_output().unwrap();
    done.store(true, Ordering::Relaxed);
    racer.join().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(made.load(Ordering::Relaxed) >= REPORTS.len(), "the racer planted links");
    assert_untouched(&victim);
    assert_reports_in_place(&out_dir);
}

/// `bounces` run with `args` under the umask `umask`.
fn run_with_umask(umask: &str, args: &[&str]) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_bounces"))
        .args(args)
        .current_dir(util::root())
        .stdin(Stdio::null())
        .output()
        .expect("sh runs")
}

/// The default: reports 0600 and the directories `-o` creates 0700, even
/// under a umask that would allow everything.
#[test]
fn reports_and_the_directories_o_creates_are_private_by_default() {
    let dir = tempfile::tempdir().unwrap();
    if !modes_observable(dir.path(), "reports_and_the_directories_o_creates_are_private_by_default") {
        return;
    }
    let out_dir = dir.path().join("nightly/2026-03-02");
    for umask in ["000", "022"] {
        let out = run_with_umask(umask, &["analyze", "-q", "-o", out_dir.to_str().unwrap(), "samples/postfix.log"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(stderr(&out), "", "umask {umask}: no note for a private directory");
        assert_eq!(mode(&dir.path().join("nightly")), 0o700, "umask {umask}: a parent -o created");
        assert_eq!(mode(&out_dir), 0o700, "umask {umask}");
        for report in ["domains", "codes", "reasons", "daily", "messages", "recipients"] {
            assert_eq!(mode(&out_dir.join(format!("{report}.csv"))), 0o600, "umask {umask}: {report}");
        }
        fs::remove_dir_all(dir.path().join("nightly")).unwrap();
    }
}

/// `--report-mode 0640`: the files exactly so (a umask does not narrow
/// them), a directory created 0750 (narrowed by the umask, as directories
/// always are); an existing directory keeps its mode, and an old report of
/// another mode is replaced by one of the mode asked for.
#[test]
fn report_mode_sets_the_files_and_the_directories_o_creates() {
    let dir = tempfile::tempdir().unwrap();
    if !modes_observable(dir.path(), "report_mode_sets_the_files_and_the_directories_o_creates") {
        return;
    }
    let created = dir.path().join("created");
    let args = |out_dir: &Path, mode: &str| -> Vec<String> {
        ["analyze", "-q", "--report-mode", mode, "--report", "domains", "-o", out_dir.to_str().unwrap()]
            .into_iter()
            .chain(["samples/postfix.log"])
            .map(String::from)
            .collect()
    };
    let run_args = |umask: &str, args: &[String]| {
        let out = run_with_umask(umask, &args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    };
    run_args("022", &args(&created, "0640"));
    assert_eq!(mode(&created), 0o750);
    assert_eq!(mode(&created.join("domains.csv")), 0o640);
    run_args("077", &args(&created, "644"));
    assert_eq!(mode(&created), 0o750, "an existing directory keeps its mode");
    assert_eq!(mode(&created.join("domains.csv")), 0o644, "the umask does not narrow the mode asked for");
    let narrowed = dir.path().join("narrowed");
    run_args("077", &args(&narrowed, "0o640"));
    assert_eq!(mode(&narrowed), 0o700, "a new directory is narrowed by the umask");
    assert_eq!(mode(&narrowed.join("domains.csv")), 0o640);
    // An old report readable by everyone is replaced by a private one.
    let existing = dir.path().join("existing");
    fs::create_dir(&existing).unwrap();
    fs::set_permissions(&existing, fs::Permissions::from_mode(0o755)).unwrap();
    fs::write(existing.join("domains.csv"), b"old\n").unwrap();
    fs::set_permissions(existing.join("domains.csv"), fs::Permissions::from_mode(0o644)).unwrap();
    run_args("022", &args(&existing, "600"));
    assert_eq!(mode(&existing), 0o755);
    assert_eq!(mode(&existing.join("domains.csv")), 0o600);
    assert_ne!(util::read(&existing.join("domains.csv")), "old\n");
}

#[test]
fn report_mode_must_be_a_plain_file_mode() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let out_dir = out_dir.to_str().unwrap();
    let refused = [
        ("0755", "0755 has bits a report file does not need (execute, setuid, setgid, sticky); at most 0666"),
        ("4600", "4600 has bits a report file does not need"),
        ("1600", "1600 has bits a report file does not need"),
        ("8", "give an octal mode such as 0600 or 0640"),
        ("rw-------", "give an octal mode such as 0600 or 0640"),
        ("00600", "give an octal mode such as 0600 or 0640"),
        ("+600", "give an octal mode such as 0600 or 0640"),
        ("", "give an octal mode such as 0600 or 0640"),
    ];
    for (mode, want) in refused {
        let out = run(&["analyze", "--report-mode", mode, "-o", out_dir, "samples/postfix.log"]);
        assert_eq!(out.status.code(), Some(2), "{mode}");
        assert!(stderr(&out).contains(want), "{mode}: {}", stderr(&out));
        assert!(!Path::new(out_dir).exists(), "{mode}: nothing written");
    }
    let out = run(&["analyze", "--report-mode", "0640", "samples/postfix.log"]);
    assert_eq!(out.status.code(), Some(2), "--report-mode without -o");
    assert!(stderr(&out).contains("--out-dir <DIR>"), "{}", stderr(&out));
}

/// A directory other users can write to: they cannot redirect the writes,
/// but they can replace the reports afterwards, which a note says, even
/// with -q.
#[test]
fn a_directory_others_can_write_to_gets_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    fs::create_dir(&shared).unwrap();
    let shared_text = shared.to_str().unwrap();
    for (mode, noted) in [(0o777, true), (0o1777, true), (0o770, true), (0o755, false), (0o700, false)] {
        fs::set_permissions(&shared, fs::Permissions::from_mode(mode)).unwrap();
        let out = run(&["analyze", "-q", "--report", "domains", "-o", shared_text, "samples/postfix.log"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let want = format!(
            "bounces: note: {shared_text} is writable by other users (mode {mode:04o}): they cannot make bounces \
             write anywhere else, but they can replace or remove the reports after they are written; a directory \
             only its owner can write to is safer\n"
        );
        assert_eq!(stderr(&out), if noted { want } else { String::new() }, "mode {mode:04o}");
    }
}

/// A key others can read lets them hash guessed addresses: refused, as
/// ssh refuses such keys, with the fix.
#[test]
fn a_key_file_others_can_read_or_write_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    if !modes_observable(dir.path(), "a_key_file_others_can_read_or_write_is_refused") {
        return;
    }
    let key = util::secret_file(&dir, "key", b"s3cret\n");
    let args = ["analyze", "-q", "--report", "recipients", "--hash-recipients", "--hash-key-file", &key];
    let args = [&args[..], &["samples/messages.log"]].concat();
    for mode in [0o644, 0o640, 0o604, 0o620, 0o602, 0o660, 0o666] {
        fs::set_permissions(&key, fs::Permissions::from_mode(mode)).unwrap();
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "mode {mode:04o}");
        assert_eq!(stdout(&out), "", "mode {mode:04o}: no report");
        let err = stderr(&out);
        let want = format!("bounces: --hash-key-file {key}: the key file is open to other users (mode {mode:04o})");
        assert!(err.starts_with(&want), "{err}");
        assert!(err.contains(&format!("Fix: chmod 600 {key}")), "{err}");
    }
    for mode in [0o600, 0o400] {
        fs::set_permissions(&key, fs::Permissions::from_mode(mode)).unwrap();
        let out = run(&args);
        assert_eq!(out.status.code(), Some(0), "mode {mode:04o}: {}", stderr(&out));
        let hash = bounces::internals::report::keyed_hash(b"s3cret", b"u2@beta.example");
        assert!(stdout(&out).contains(&hash), "mode {mode:04o}");
    }
}

/// What is hashed is the address as the `recipient` column writes it: the
/// local part as logged (its case kept), `@`, the domain lower-cased,
/// without a trailing dot, an IDN in Unicode. Suppression lists of two runs
/// or two hosts match only if this never changes.
#[test]
fn an_address_hashes_the_same_however_its_domain_is_spelled() {
    let dir = tempfile::tempdir().unwrap();
    let key = util::secret_file(&dir, "key", b"s3cret\n");
    let hash_of = |address: &str| -> (String, String) {
        let line = format!(
            "2026-03-02T08:10:11.000000+00:00 mx1 postfix/smtp[909]: 1B00000002: to=<{address}>, \
             relay=mx.example[192.0.2.20]:25, delay=1, delays=0/0/0.5/0.5, dsn=5.1.1, status=bounced (host \
             mx.example[192.0.2.20] said: 550 5.1.1 <{address}>: Recipient address rejected: User unknown)\n"
        );
        let out = util::run_with_stdin(
            &["analyze", "-q", "--report", "recipients", "--hash-recipients", "--hash-key-file", &key, "-"],
            Some(line.as_bytes()),
        );
        assert_eq!(out.status.code(), Some(0), "{address}: {}", stderr(&out));
        let rows = util::csv_records(&stdout(&out));
        assert_eq!(rows.len(), 1, "{address}");
        (rows[0]["recipient"].clone(), rows[0]["last_reply"].clone())
    };
    let keyed = |address: &str| bounces::internals::report::keyed_hash(b"s3cret", address.as_bytes());
    let cases = [
        ("User@example.com", "User@example.com"),
        ("User@EXAMPLE.com.", "User@example.com"),
        ("User@Example.COM", "User@example.com"),
        ("user@example.com", "user@example.com"),
        ("USER@example.com", "USER@example.com"),
        ("User@xn--mnchen-3ya.example", "User@m\u{fc}nchen.example"),
        ("User@M\u{dc}NCHEN.example", "User@m\u{fc}nchen.example"),
    ];
    for (logged, canonical) in cases {
        let (recipient, reply) = hash_of(logged);
        assert_eq!(recipient, keyed(canonical), "{logged} is hashed as {canonical}");
        assert!(reply.contains(&format!("<{recipient}>")), "{logged}: the reply names the same hash: {reply}");
    }
    assert_ne!(keyed("User@example.com"), keyed("user@example.com"), "the local part's case is kept");
}

/// Every file `bounces` writes goes through `format::write_atomically`
/// (exclusive create, mode, rename), or its two halves `format::temporary`
/// and `format::put_in_place` (the `--events` file, written during the
/// scan), all in `format/temporary.rs`: no other code outside tests creates
/// a file, so a writer added later cannot skip it by accident.
#[test]
fn only_the_atomic_writer_creates_files() {
    const CREATES: [&str; 6] = ["File::create", "fs::write", "OpenOptions", "create_new", "tempfile", "DirBuilder"];
    fn walk(dir: &Path, found: &mut Vec<String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
                continue;
            }
            // format/mod.rs creates the `-o` directory (`DirBuilder`).
            let writers = path.ends_with("format/temporary.rs") || path.ends_with("format/mod.rs");
            if path.extension().is_none_or(|e| e != "rs") || writers {
                continue;
            }
            let text = util::read(&path);
            // The code before the test module, without comments.
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (n, line) in code.lines().enumerate() {
                let line = line.split("//").next().unwrap_or_default();
                for create in CREATES.iter().filter(|c| line.contains(*c)) {
                    found.push(format!("{}:{}: {create}", path.display(), n + 1));
                }
            }
        }
    }
    let mut found = Vec::new();
    walk(&util::root().join("src"), &mut found);
    assert!(found.is_empty(), "files created outside format::write_atomically: {found:#?}");
}
