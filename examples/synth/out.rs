//! Output: one line at a time into a buffer, with the truth (per domain
//! and per code) counted as each line is written.

use super::*;

pub(crate) struct Out<W: Write> {
    pub(crate) w: BufWriter<W>,
    pub(crate) line: Vec<u8>,
    pub(crate) limit: u64,
    pub(crate) bytes: u64,
    pub(crate) lines: u64,
    pub(crate) deliveries: u64,
    /// Set once `limit` is reached (or writing failed): later lines are dropped.
    pub(crate) done: bool,
    pub(crate) error: Option<io::Error>,
    /// The delivery event of the line being built: (domain index, outcome).
    pub(crate) event: Option<(u32, usize)>,
    /// The remote reply written on the line being built: its basic code and
    /// the enhanced code right after it.
    pub(crate) reply: Option<(u16, Option<&'static str>)>,
    /// Postfix's `dsn=` written on the line being built.
    pub(crate) dsn: Option<&'static str>,
    /// Whether the enhanced code is the `dsn=` (Postfix) or the reply's (Exim).
    pub(crate) postfix: bool,
    /// Per domain index: delivered, deferred, bounced.
    pub(crate) truth: Vec<[u64; 3]>,
    /// With `--truth-codes`: events per (domain index, outcome, code, enhanced code).
    pub(crate) codes: Option<HashMap<CodeKey, u64>>,
}

/// Domain index, outcome, basic code, enhanced code.
pub(crate) type CodeKey = (u32, usize, Option<u16>, Option<&'static str>);

impl<W: Write> Out<W> {
    pub(crate) fn s(&mut self, b: &[u8]) {
        self.line.extend_from_slice(b);
    }

    pub(crate) fn t(&mut self, s: &str) {
        self.line.extend_from_slice(s.as_bytes());
    }

    pub(crate) fn c(&mut self, b: u8) {
        self.line.push(b);
    }

    /// A decimal number.
    pub(crate) fn n(&mut self, mut v: u64) {
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        loop {
            i -= 1;
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.line.extend_from_slice(&buf[i..]);
    }

    /// A decimal number, zero-padded to `width` digits.
    pub(crate) fn pad(&mut self, v: u64, width: usize) {
        self.digits(v, width, b"0123456789");
    }

    /// `v` in the base `alphabet.len()`, exactly `width` digits (the most
    /// significant ones dropped if `v` is too big).
    pub(crate) fn digits(&mut self, mut v: u64, width: usize, alphabet: &[u8]) {
        let base = alphabet.len() as u64;
        let start = self.line.len();
        self.line.resize(start + width, b'0');
        for i in (start..start + width).rev() {
            self.line[i] = alphabet[(v % base) as usize];
            v /= base;
        }
    }

    /// Seconds as Postfix prints delays: `0.84`, `1.2`, `47`, `28802`, `0`.
    pub(crate) fn secs(&mut self, us: u64) {
        let cs = (us + 5_000) / 10_000;
        if cs >= 10_000 {
            self.n((us + 500_000) / 1_000_000);
        } else if cs >= 1_000 {
            let ds = (us + 50_000) / 100_000;
            self.n(ds / 10);
            if !ds.is_multiple_of(10) {
                self.c(b'.');
                self.n(ds % 10);
            }
        } else {
            self.n(cs / 100);
            let frac = cs % 100;
            if frac != 0 {
                self.c(b'.');
                if frac.is_multiple_of(10) {
                    self.n(frac / 10);
                } else {
                    self.pad(frac, 2);
                }
            }
        }
    }

    /// Ends the line (LF, or CRLF) and writes it, unless the size limit was
    /// already reached; counts its delivery event, if any, only when written.
    pub(crate) fn end(&mut self, crlf: bool) {
        let (event, reply, dsn) = (self.event.take(), self.reply.take(), self.dsn.take());
        if !self.done {
            if crlf {
                self.line.push(b'\r');
            }
            self.line.push(b'\n');
            if let Err(e) = self.w.write_all(&self.line) {
                self.error = Some(e);
                self.done = true;
            } else {
                self.bytes += self.line.len() as u64;
                self.lines += 1;
                if let Some((d, o)) = event {
                    self.truth[d as usize][o] += 1;
                    self.deliveries += 1;
                    if let Some(codes) = &mut self.codes {
                        let enhanced = if self.postfix { dsn } else { reply.and_then(|(_, e)| e) };
                        *codes.entry((d, o, reply.map(|(c, _)| c), enhanced)).or_default() += 1;
                    }
                }
                if self.bytes >= self.limit {
                    self.done = true;
                }
            }
        }
        self.line.clear();
    }
}
