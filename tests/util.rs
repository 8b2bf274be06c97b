//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file under `samples/`.
pub fn sample(name: &str) -> PathBuf {
    root().join("samples").join(name)
}

/// Runs `bounces` with `args` and no stdin.
pub fn run(args: &[&str]) -> Output {
    run_with_stdin(args, None)
}

/// Runs `bounces` with `args`, feeding `stdin` when given.
pub fn run_with_stdin(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bounces"));
    cmd.args(args).current_dir(root()).stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    let mut child = cmd.spawn().expect("the binary starts");
    if let Some(data) = stdin {
        use std::io::Write;
        let mut pipe = child.stdin.take().expect("stdin is piped");
        let data = data.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&data);
        });
    }
    child.wait_with_output().expect("the binary runs")
}

/// stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("reports are UTF-8")
}

/// stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Compares two texts and, when they differ, panics with the first
/// differing line of each.
pub fn assert_same_text(what: &str, got: &str, want: &str) {
    if got == want {
        return;
    }
    let (g, w): (Vec<&str>, Vec<&str>) = (got.lines().collect(), want.lines().collect());
    let at = g.iter().zip(&w).position(|(a, b)| a != b).unwrap_or(g.len().min(w.len()));
    panic!(
        "{what} differs at line {}:\n  got:  {:?}\n  want: {:?}\n({} lines vs {} expected)",
        at + 1,
        g.get(at),
        w.get(at),
        g.len(),
        w.len()
    );
}

/// Compares `got` with the golden file `path` (under `samples/expected/`).
///
/// With `BOUNCES_BLESS=1` a golden that differs is rewritten and the test
/// **fails**, so a blessing run can never pass: review the change with
/// `git diff samples/expected`, then run the tests again without the
/// variable. Any other value of the variable is refused, so that `0` or an
/// empty value cannot bless by accident.
pub fn assert_golden(what: &str, got: &str, path: &Path) {
    if let Some(value) = std::env::var_os("BOUNCES_BLESS") {
        assert!(value == "1", "BOUNCES_BLESS must be 1 (to rewrite the golden files) or unset, not {value:?}");
        let old = std::fs::read_to_string(path).unwrap_or_default();
        if old != got {
            std::fs::write(path, got).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            panic!(
                "{what}: rewrote {} (BOUNCES_BLESS=1); review it with `git diff samples/expected`, then run \
                 the tests again without BOUNCES_BLESS",
                path.display()
            );
        }
    }
    assert_same_text(what, got, &read(path));
}

/// Reads a file to a string.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Writes `data` to `name` in `dir` and returns the path as text.
pub fn temp_file(dir: &tempfile::TempDir, name: &str, data: &[u8]) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, data).unwrap();
    path.to_str().expect("temporary paths are UTF-8").to_string()
}

/// Writes `data` to `name` in `dir`, readable by its owner only (as
/// `--hash-key-file` wants a key), and returns the path as text.
pub fn secret_file(dir: &tempfile::TempDir, name: &str, data: &[u8]) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = temp_file(dir, name, data);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

/// A proptest configuration with `default` cases, or as many as
/// `PROPTEST_CASES` says.
pub fn proptest_cases(default: u32) -> proptest::test_runner::Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(default);
    proptest::test_runner::Config::with_cases(cases)
}

/// The rows of a CSV report (the header row gives the names), each a map
/// from column name to cell. Panics on a malformed record.
pub fn csv_records(text: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().expect("a header row").clone();
    reader
        .records()
        .map(|r| {
            let r = r.expect("a well-formed CSV record");
            header.iter().zip(r.iter()).map(|(k, v)| (k.to_string(), v.to_string())).collect()
        })
        .collect()
}

/// A count in a row of [`csv_records`].
pub fn csv_count(row: &std::collections::BTreeMap<String, String>, column: &str) -> u64 {
    row[column].parse().unwrap_or_else(|_| panic!("{column} is not a count in {row:?}"))
}
