//! The generator's state, set up from the arguments, and what every line
//! and message shares: process ids, message numbers, line ends, retries.

use super::*;

/// The generator: the output with its truth, the random source, the clock,
/// the world of domains, and the queue of retries. Each MTA's writer is an
/// `impl` of it in its own file (`postfix.rs`, `exim.rs`).
pub(crate) struct Gen<W: Write> {
    pub(crate) o: Out<W>,
    pub(crate) rng: Rng,
    pub(crate) clk: Clock,
    pub(crate) doms: Vec<Dom>,
    pub(crate) zipf: Vec<u64>,
    pub(crate) mta: Mta,
    pub(crate) ts: TsMode,
    pub(crate) style: Style,
    pub(crate) style_left: u64,
    /// Exim: write new-style (4.97+) message ids and `**` lines.
    pub(crate) new_exim: bool,
    /// Largest random pause before a line, in microseconds.
    pub(crate) step: u64,
    pub(crate) counter: u64,
    pub(crate) pid: u32,
    pub(crate) retries: BinaryHeap<Retry>,
    pub(crate) retry_seq: u64,
    /// Index of the home domain (`corp.example` / `hostco.example`).
    pub(crate) home: u32,
    /// Postfix: `hosted.example.net`, `mx1.corp.example`, `news.corp.example`.
    pub(crate) hosted: u32,
    pub(crate) local_host: u32,
    pub(crate) news: u32,
    pub(crate) our_ip: &'static str,
    pub(crate) next_periodic: u64,
    /// The syslog host field written (`mx1`, `mx2`, or `--host`).
    pub(crate) host: String,
    /// The clock at which the log stops (the end of the day of a fleet
    /// file); `u64::MAX` for a plain log, which stops at its size only.
    pub(crate) end_us: u64,
}

const POSTFIX_LOCALS: &[&str] = &["corp.example", "hosted.example.net", "mx1.corp.example", "news.corp.example"];
const EXIM_LOCALS: &[&str] = &["hostco.example", "lists.hostco.example", "mx2.hostco.example"];

impl<W: Write> Gen<W> {
    pub(crate) fn new(args: &Args, w: W) -> Gen<W> {
        let locals = match args.mta {
            Mta::Postfix => POSTFIX_LOCALS,
            Mta::Exim => EXIM_LOCALS,
        };
        let doms = build_domains(args.domains, locals);
        let n = args.domains;
        let mut g = Gen {
            o: Out {
                w: BufWriter::with_capacity(1 << 20, w),
                line: Vec::with_capacity(4096),
                limit: args.size,
                bytes: 0,
                lines: 0,
                deliveries: 0,
                done: false,
                error: None,
                event: None,
                reply: None,
                dsn: None,
                postfix: args.mta == Mta::Postfix,
                truth: vec![[0; 3]; doms.len()],
                codes: args.truth_codes.is_some().then(HashMap::new),
            },
            rng: Rng(args.seed),
            clk: Clock::new(),
            doms,
            zipf: zipf_table(n),
            mta: args.mta,
            ts: args.ts,
            style: Style::Bsd,
            style_left: 0,
            new_exim: false,
            step: 40_000,
            counter: 0,
            pid: 20_000,
            retries: BinaryHeap::new(),
            retry_seq: 0,
            home: n,
            hosted: n + 1,
            local_host: n + 2,
            news: n + 3,
            our_ip: match args.mta {
                Mta::Postfix => "192.0.2.25",
                Mta::Exim => "192.0.2.35",
            },
            next_periodic: 0,
            host: match (&args.host, args.mta) {
                (Some(host), _) => host.clone(),
                (None, Mta::Postfix) => "mx1".to_string(),
                (None, Mta::Exim) => "mx2".to_string(),
            },
            end_us: u64::MAX,
        };
        g.switch_style();
        g
    }

    pub(crate) fn newpid(&mut self) -> u32 {
        self.pid += 1 + self.rng.below(3) as u32;
        if self.pid > 4_194_303 {
            self.pid = 300;
        }
        self.pid
    }

    pub(crate) fn next_n(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    pub(crate) fn end(&mut self) {
        // A few lines arrive through a Windows relay, with CRLF.
        let crlf = self.rng.below(5_000) == 0;
        if self.clk.us >= self.end_us {
            // A fleet file ends with its day: the line that would start
            // the next one is not written.
            self.o.done = true;
        }
        self.o.end(crlf);
    }

    pub(crate) fn done(&self) -> bool {
        self.o.done
    }

    pub(crate) fn new_msg(&mut self, inst: u8, sender: Addr) -> Msg {
        let n = self.next_n();
        let size = match self.rng.below(10) {
            0 => self.rng.range(40_000, 4_000_000),
            1..=3 => self.rng.range(8_000, 60_000),
            _ => self.rng.range(900, 12_000),
        };
        Msg { n, inst, sender, size, arrived: self.clk.us, id_sec: self.clk.unix(), tail: self.rng.next() }
    }

    pub(crate) fn schedule(&mut self, msg: Msg, rcpts: Vec<Addr>, attempt: u8, route: Route) {
        let base: u64 = 900_000_000 << (attempt.min(5) - 1);
        let due = self.clk.us + base + self.rng.below(base / 2);
        self.retry_seq += 1;
        self.retries.push(Retry { due, seq: self.retry_seq, msg, rcpts, attempt, route });
    }
}
