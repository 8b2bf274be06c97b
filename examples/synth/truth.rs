//! The truth files: the per-domain counts and the per-code counts that
//! `Out` kept as the lines were written, merged by domain name and sorted,
//! as CSV.

use super::*;

/// Writes the truth CSV: per-domain counts merged by normalised name,
/// sorted by domain.
pub(crate) fn write_truth(file: std::fs::File, doms: &[Dom], counts: &[[u64; 3]]) -> io::Result<()> {
    let mut truth: BTreeMap<&str, [u64; 3]> = BTreeMap::new();
    for (d, c) in doms.iter().zip(counts) {
        if c.iter().any(|&v| v > 0) {
            let e = truth.entry(d.name.as_str()).or_default();
            for (sum, v) in e.iter_mut().zip(c) {
                *sum += v;
            }
        }
    }
    let mut w = BufWriter::new(file);
    writeln!(w, "domain,delivered,deferred,bounced")?;
    for (name, c) in &truth {
        writeln!(w, "{name},{},{},{}", c[0], c[1], c[2])?;
    }
    w.flush()
}

/// Writes the codes truth CSV: events per (domain, outcome, code, enhanced
/// code), merged by normalised name, sorted by domain, outcome (delivered,
/// deferred, bounced), code (none first) and enhanced code (as text).
pub(crate) fn write_truth_codes(file: std::fs::File, doms: &[Dom], codes: &HashMap<CodeKey, u64>) -> io::Result<()> {
    let mut truth: BTreeMap<_, u64> = BTreeMap::new();
    for (&(d, o, code, enhanced), &n) in codes {
        *truth.entry((doms[d as usize].name.as_str(), o, code, enhanced)).or_default() += n;
    }
    let mut w = BufWriter::new(file);
    writeln!(w, "domain,outcome,code,enhanced,count")?;
    for ((name, o, code, enhanced), n) in &truth {
        let outcome = ["delivered", "deferred", "bounced"][*o];
        let code = code.map(|c| c.to_string()).unwrap_or_default();
        writeln!(w, "{name},{outcome},{code},{},{n}", enhanced.unwrap_or_default())?;
    }
    w.flush()
}
