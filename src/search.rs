//! The searcher: finds delivery lines in a piece of input, parses them, and
//! pushes what it finds to a [`Sink`].
//!
//! The whole piece is searched for every dialect's anchors at once (never
//! line by line); each hit is widened to its line and read by the anchor's
//! parsers. As ripgrep's searcher pushes matches to a sink, this one pushes
//! events, expiries, probes and unparsable lines to the per-thread worker
//! that counts them ([`crate::worker`]); it keeps no state of its own
//! between pieces.

use aho_corasick::{AhoCorasick, MatchKind};

use crate::input::{Block, BlockOptions, count_lines};
use crate::parse::dialect::{Anchor, LineParser, Mta};
use crate::parse::problem::Problem;
use crate::parse::refusal::Refusal;
use crate::parse::{Envelope, Event, Parsed};

/// What the searcher pushes what it finds to.
pub trait Sink {
    /// A piece (chunk or block) of input `input` was read: its sequence
    /// number, how many lines it held and how many of them were over-long.
    fn piece(&mut self, input: usize, seq: u64, lines: u64, overlong: u64);
    /// A delivery event, read from `line` at `place`.
    fn event(&mut self, place: Place, line: &[u8], event: &Event<'_>);
    /// Postfix's expiry of the message `queue_id`, read from `line` at `place`.
    fn expiry(&mut self, place: Place, line: &[u8], queue_id: &[u8]);
    /// Exim's arrival of the message `queue_id`, read from `line` at `place`.
    fn arrival(&mut self, place: Place, line: &[u8], queue_id: &[u8]);
    /// The envelope of the message `queue_id` (Exim's arrival, after
    /// [`Sink::arrival`], or Postfix's qmgr line), read from `line` at
    /// `place`.
    fn envelope(&mut self, _place: Place, _line: &[u8], _queue_id: &[u8], _envelope: &Envelope<'_>) {}
    /// An address-verification probe (not a delivery).
    fn probe(&mut self);
    /// A line of input `input` that looked like a delivery but did not parse.
    fn malformed(&mut self, input: usize);
    /// Would an example at line `line` of piece `seq` of input `input` be
    /// kept? Lets the searcher skip working out line numbers nobody needs.
    fn wants_example(&self, input: usize, seq: u64, line: u64) -> bool;
    /// An unparsable line, `text`, at line `line` of piece `seq` of input
    /// `input`.
    fn example(&mut self, input: usize, seq: u64, line: u64, text: &[u8]);
    /// A refusal by our own server, read from `line` at `place` (only
    /// found when the scanner looks for refusals, [`Lines::rejects`]).
    fn refusal(&mut self, _place: Place, _line: &[u8], _refusal: &Refusal<'_>) {}
    /// A line shaped like a refusal that did not parse, at `place`.
    fn bad_refusal(&mut self, _place: Place, _line: &[u8]) {}
    /// Operational trouble, read from `line` at `place` (only found when
    /// the scanner looks for it, [`Lines::problems`]).
    fn problem(&mut self, _place: Place, _line: &[u8], _problem: &Problem<'_>) {}
}

/// Which lines a scanner looks for besides the delivery lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lines {
    /// The lines only the message-level reports use (Exim's arrivals).
    pub messages: bool,
    /// With `messages`: the lines only the sender reports use (Postfix's
    /// qmgr lines with the envelope).
    pub senders: bool,
    /// Our own server's refusals (the `rejects` report).
    pub rejects: bool,
    /// Warning, error, fatal and panic lines (the `problems` report).
    pub problems: bool,
}

/// Where an event was read: input, piece (chunk or block) and byte offset
/// in the piece. Orders examples independently of threads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    /// The input's number.
    pub input: usize,
    /// The piece's sequence number in its input.
    pub seq: u64,
    /// The line's byte offset in the piece.
    pub offset: u64,
    /// The line's number in the piece, from 1 (lines a reader left out
    /// before the piece counted), when the scanner numbers lines
    /// ([`Scanner::numbering_lines`]); else 0.
    pub line: u64,
}

impl Place {
    /// The place as one number that sorts like it (fields saturate at
    /// 16, 24 and 24 bits: only a tiebreak between events of equal time).
    pub fn order(self) -> u64 {
        let input = (self.input as u64).min(0xFFFF);
        (input << 48) | (self.seq.min(0xFF_FFFF) << 24) | self.offset.min(0xFF_FFFF)
    }
}

/// Finds and parses delivery lines.
#[derive(Clone, Debug)]
pub struct Scanner {
    anchors: Anchors,
    /// Longer lines are skipped and counted, never parsed (see [`BlockOptions`]).
    max_line: usize,
    /// For each anchor literal, the parsers that read its lines, tried in
    /// order until one recognises the line.
    parsers: Vec<Box<[LineParser]>>,
    /// Whether each line pushed to the sink gets its line number
    /// ([`Place::line`]).
    numbered: bool,
}

impl Scanner {
    /// A scanner for the lines of the dialects `mta` selects, those only
    /// the message-level reports use included.
    pub fn new(mta: Mta) -> Scanner {
        Scanner::with_anchors(mta.dialects().flat_map(|d| d.anchors.iter().chain(d.message_anchors)))
    }

    /// A scanner for the lines the line-level reports use: without the
    /// message-level reports, an Exim arrival line is not worth reading.
    pub fn for_lines(mta: Mta) -> Scanner {
        Scanner::with_anchors(mta.dialects().flat_map(|d| d.anchors))
    }

    /// A scanner for the delivery lines of the dialects `mta` selects and
    /// the other lines `lines` asks for: each report's anchors are searched
    /// for only when it is asked for, so the delivery scan pays nothing
    /// for reports not written.
    pub fn for_reports(mta: Mta, lines: Lines) -> Scanner {
        Scanner::with_anchors(mta.dialects().flat_map(move |d| {
            let pick = |wanted: bool, anchors: &'static [Anchor]| if wanted { anchors } else { &[] };
            d.anchors
                .iter()
                .chain(pick(lines.messages, d.message_anchors))
                .chain(pick(lines.messages && lines.senders, d.sender_anchors))
                .chain(pick(lines.rejects, d.reject_anchors))
                .chain(pick(lines.problems, d.problem_anchors))
        }))
    }

    /// A scanner for these anchors. Anchors with the same literal are
    /// searched for once; their parsers are tried in the order given.
    fn with_anchors<'a>(anchors: impl Iterator<Item = &'a Anchor>) -> Scanner {
        let mut literals: Vec<&[u8]> = Vec::new();
        let mut parsers: Vec<Vec<LineParser>> = Vec::new();
        for anchor in anchors {
            match literals.iter().position(|&l| l == anchor.literal) {
                Some(i) => parsers[i].push(anchor.parse),
                None => {
                    literals.push(anchor.literal);
                    parsers.push(vec![anchor.parse]);
                }
            }
        }
        Scanner {
            anchors: Anchors::new(&literals),
            max_line: BlockOptions::default().max_line,
            parsers: parsers.into_iter().map(Vec::into_boxed_slice).collect(),
            numbered: false,
        }
    }

    /// Gives each line pushed to the sink its line number in its piece
    /// ([`Place::line`]), when `numbered`: the newlines before it are
    /// counted as the search moves on, once per piece.
    pub fn numbering_lines(mut self, numbered: bool) -> Scanner {
        self.numbered = numbered;
        self
    }

    /// Sets the length above which a line is skipped and counted.
    pub fn max_line(mut self, max_line: usize) -> Scanner {
        self.max_line = max_line;
        self
    }

    /// Reads one line on its own: the first delivery line found in it.
    /// (The scanner does the same for every line of a block.)
    pub fn parse_line<'a>(&self, line: &'a [u8]) -> Parsed<'a> {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut from = 0;
        while let Some(hit) = self.anchors.find(line, from) {
            match self.parse_at(line, hit.0, hit.1) {
                Parsed::Other => from = hit.0 + 1,
                parsed => return parsed,
            }
        }
        Parsed::Other
    }

    fn parse_at<'a>(&self, line: &'a [u8], at: usize, pattern: usize) -> Parsed<'a> {
        for parse in &self.parsers[pattern] {
            match parse(line, at) {
                Parsed::Other => {}
                parsed => return parsed,
            }
        }
        Parsed::Other
    }

    /// Scans one block of a stream and pushes what it finds to `sink`.
    pub fn scan_block(&self, block: &Block, sink: &mut impl Sink) {
        self.scan(block.input, block.seq, block.lines_before, &block.data, sink);
    }

    /// Scans `data`, piece `seq` of input `input` (whole lines, after
    /// `lines_before` lines of the piece that were left out), and counts
    /// pushes what it finds to `sink`.
    pub fn scan(&self, input: usize, seq: u64, lines_before: u64, data: &[u8], sink: &mut impl Sink) {
        let (lines, overlong) = count_lines(data, self.max_line);
        sink.piece(input, seq, lines_before + lines, overlong);
        let mut from = 0;
        // Line numbers are only needed for examples of unparsable lines;
        // they are counted lazily, from the last place counted.
        let (mut counted_to, mut line_no) = (0, lines_before + 1);
        // The bounds of the line being read, kept while further anchors are
        // tried on it, so a line full of false anchors costs linear time.
        let mut current: Option<(usize, usize)> = None;
        while let Some((at, pattern)) = self.anchors.find(data, from) {
            let (start, end) = match current {
                Some((start, end)) if at < end => (start, end),
                _ => {
                    let start = memchr::memrchr(b'\n', &data[..at]).map_or(0, |i| i + 1);
                    let end = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |i| at + i);
                    (start, end)
                }
            };
            from = (end + 1).min(data.len());
            current = None;
            if end - start > self.max_line {
                continue; // counted by count_lines
            }
            let line = &data[start..end];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let parsed = self.parse_at(line, at - start, pattern);
            if self.numbered && !matches!(parsed, Parsed::Other) {
                line_no += memchr::memchr_iter(b'\n', &data[counted_to..start]).count() as u64;
                counted_to = start;
            }
            let place = Place { input, seq, offset: start as u64, line: if self.numbered { line_no } else { 0 } };
            match parsed {
                Parsed::Event(event) => sink.event(place, line, &event),
                Parsed::Expiry { queue_id } => sink.expiry(place, line, queue_id),
                Parsed::Arrival { queue_id, envelope } => {
                    sink.arrival(place, line, queue_id);
                    sink.envelope(place, line, queue_id, &envelope);
                }
                Parsed::Queued { queue_id, envelope } => sink.envelope(place, line, queue_id, &envelope),
                Parsed::Probe => sink.probe(),
                Parsed::Refusal(refusal) => sink.refusal(place, line, &refusal),
                Parsed::BadRefusal => sink.bad_refusal(place, line),
                Parsed::Problem(problem) => sink.problem(place, line, &problem),
                Parsed::Malformed => {
                    sink.malformed(input);
                    if sink.wants_example(input, seq, line_no) {
                        line_no += memchr::memchr_iter(b'\n', &data[counted_to..start]).count() as u64;
                        counted_to = start;
                        sink.example(input, seq, line_no, line);
                    }
                }
                Parsed::Other => {
                    // The literal matched by chance; a real anchor may follow
                    // on the same line.
                    from = at + 1;
                    current = Some((start, end));
                }
            }
        }
    }
}

/// A multi-literal searcher: Teddy (SIMD) where the CPU has it, else an
/// Aho-Corasick automaton. Both report the leftmost match.
#[derive(Clone, Debug)]
enum Anchors {
    Packed(aho_corasick::packed::Searcher),
    Automaton(AhoCorasick),
}

impl Anchors {
    fn new(patterns: &[&[u8]]) -> Anchors {
        let packed = aho_corasick::packed::Config::new()
            .match_kind(aho_corasick::packed::MatchKind::LeftmostFirst)
            .builder()
            .extend(patterns)
            .build();
        match packed {
            Some(searcher) => Anchors::Packed(searcher),
            None => Anchors::Automaton(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostFirst)
                    .build(patterns)
                    .expect("a handful of short literals always compile"),
            ),
        }
    }

    /// The start and pattern index of the leftmost anchor at or after `from`.
    fn find(&self, haystack: &[u8], from: usize) -> Option<(usize, usize)> {
        let input = aho_corasick::Input::new(haystack).span(from..haystack.len());
        let hit = match self {
            Anchors::Packed(searcher) => searcher.find_in(haystack, input.get_span()),
            Anchors::Automaton(automaton) => automaton.find(input),
        }?;
        Some((hit.start(), hit.pattern().as_usize()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a piece held, as the searcher reported it.
    #[derive(Debug, Default)]
    struct Seen {
        outcomes: [u64; 3],
        expiries: u64,
        arrivals: Vec<Vec<u8>>,
        probes: u64,
        malformed: u64,
        lines: u64,
        overlong: u64,
        examples: Vec<u64>,
    }

    impl Sink for Seen {
        fn piece(&mut self, _: usize, _: u64, lines: u64, overlong: u64) {
            self.lines += lines;
            self.overlong += overlong;
        }
        fn event(&mut self, _: Place, _: &[u8], event: &Event<'_>) {
            self.outcomes[event.outcome as usize] += 1;
        }
        fn expiry(&mut self, _: Place, _: &[u8], _: &[u8]) {
            self.expiries += 1;
        }
        fn arrival(&mut self, _: Place, _: &[u8], queue_id: &[u8]) {
            self.arrivals.push(queue_id.to_vec());
        }
        fn probe(&mut self) {
            self.probes += 1;
        }
        fn malformed(&mut self, _: usize) {
            self.malformed += 1;
        }
        fn wants_example(&self, _: usize, _: u64, _: u64) -> bool {
            true
        }
        fn example(&mut self, _: usize, _: u64, line: u64, _: &[u8]) {
            self.examples.push(line);
        }
    }

    fn scan(data: &[u8], mta: Mta) -> Seen {
        let mut seen = Seen::default();
        let block = Block { input: 0, seq: 0, lines_before: 0, data: data.to_vec() };
        Scanner::new(mta).scan_block(&block, &mut seen);
        seen
    }

    const MIXED: &[u8] =
        b"Nov  5 10:00:00 mx postfix/smtp[1]: 4B1C2D3E: to=<a@p.example>, relay=x, dsn=2.0.0, status=sent (250 ok)\r\n\
2026-11-05 10:00:00 1tXyZa-0003Ab-Qr => b@e.example R=r T=t C=\"250 OK\"\n\
2026-11-05 10:00:00 1tXyZa-0003Ab-Qr <= s@x T=\"a => b\" then 1tXyZa-0003Ab-Qs ** c@e.example: Unrouteable address\n\
2026-11-05 10:00:00 1tXyZa-0003Ab-Qs ** c@e.example: Unrouteable address\n\
Nov  5 10:00:01 mx postfix/smtp[1]: 4B1C2D3E: to=<d@p.example>, relay=x, delay=1\n\
Nov  5 10:00:02 mx postfix/smtp[1]: 4B1C2D3E: to=<e@p.example>, relay=x, dsn=2.1.5, status=deliverable (250 ok)";

    #[test]
    fn finds_both_mtas_in_one_block() {
        let t = scan(MIXED, Mta::Auto);
        assert_eq!(t.outcomes, [2, 0, 1]);
        assert_eq!((t.malformed, t.probes, t.lines), (1, 1, 6));
        assert_eq!(t.examples, [5]);
        // The arrival line is read as one, and nothing after its flag.
        assert_eq!(t.arrivals, [b"1tXyZa-0003Ab-Qr"]);
        // Without the message-level reports it is not looked for, and the
        // events are the same.
        let mut lines = Seen::default();
        let block = Block { input: 0, seq: 0, lines_before: 0, data: MIXED.to_vec() };
        Scanner::for_lines(Mta::Auto).scan_block(&block, &mut lines);
        assert_eq!((lines.outcomes, lines.malformed, lines.probes), (t.outcomes, t.malformed, t.probes));
        assert!(lines.arrivals.is_empty());
        assert_eq!(scan(MIXED, Mta::named("postfix").unwrap()).outcomes, [1, 0, 0]);
        assert_eq!(scan(MIXED, Mta::named("exim").unwrap()).outcomes, [1, 0, 1]);
    }

    /// Two dialects may write the same literal: each parser of it is tried
    /// in table order, and the first that recognises the line reads it.
    #[test]
    fn an_anchor_shared_by_two_parsers_tries_both_in_order() {
        use crate::parse::postfix;
        fn never(_: &[u8], _: usize) -> Parsed<'_> {
            Parsed::Other
        }
        fn probe(_: &[u8], _: usize) -> Parsed<'_> {
            Parsed::Probe
        }
        let line = b"Nov  5 10:00:01 mx postfix/smtp[1]: 4B1C2D3E: to=<d@p.example>, relay=x, dsn=2.0.0, status=sent (250 ok)\n";
        let count = |anchors: &[Anchor]| {
            let mut seen = Seen::default();
            Scanner::with_anchors(anchors.iter()).scan(0, 0, 0, line, &mut seen);
            (seen.outcomes.iter().sum::<u64>(), seen.probes)
        };
        let anchor = |parse| Anchor { literal: postfix::ANCHOR, parse };
        assert_eq!(count(&[anchor(postfix::parse)]), (1, 0));
        assert_eq!(count(&[anchor(never), anchor(postfix::parse)]), (1, 0), "the second parser reads it");
        assert_eq!(count(&[anchor(probe), anchor(postfix::parse)]), (0, 1), "the first that recognises it wins");
        assert_eq!(count(&[anchor(never)]), (0, 0));
    }

    /// Each report's anchors are searched for only when it is asked for:
    /// without `rejects` and `problems` the searcher holds exactly the
    /// literals it held before they existed, so the delivery scan pays
    /// nothing for them; with them, the refusals and trouble are found and
    /// the delivery events are the same.
    #[test]
    fn report_anchors_are_added_only_when_asked_for() {
        let literals = |scanner: &Scanner| scanner.parsers.len();
        for mta in [Mta::Auto, Mta::named("postfix").unwrap(), Mta::named("exim").unwrap()] {
            let plain = Scanner::for_reports(mta, Lines::default());
            assert_eq!(literals(&plain), literals(&Scanner::for_lines(mta)));
            let messages = Lines { messages: true, ..Lines::default() };
            assert_eq!(literals(&Scanner::for_reports(mta, messages)), literals(&Scanner::new(mta)));
            let extra: usize = mta.dialects().map(|d| d.reject_anchors.len() + d.problem_anchors.len()).sum();
            let all = Lines { rejects: true, problems: true, ..Lines::default() };
            assert_eq!(literals(&Scanner::for_reports(mta, all)), literals(&plain) + extra);
        }
        #[derive(Default)]
        struct Found {
            events: u64,
            refusals: u64,
            bad: u64,
            problems: u64,
        }
        impl Sink for Found {
            fn piece(&mut self, _: usize, _: u64, _: u64, _: u64) {}
            fn event(&mut self, _: Place, _: &[u8], _: &Event<'_>) {
                self.events += 1;
            }
            fn expiry(&mut self, _: Place, _: &[u8], _: &[u8]) {}
            fn arrival(&mut self, _: Place, _: &[u8], _: &[u8]) {}
            fn probe(&mut self) {}
            fn malformed(&mut self, _: usize) {}
            fn wants_example(&self, _: usize, _: u64, _: u64) -> bool {
                false
            }
            fn example(&mut self, _: usize, _: u64, _: u64, _: &[u8]) {}
            fn refusal(&mut self, _: Place, _: &[u8], _: &Refusal<'_>) {
                self.refusals += 1;
            }
            fn bad_refusal(&mut self, _: Place, _: &[u8]) {
                self.bad += 1;
            }
            fn problem(&mut self, _: Place, _: &[u8], _: &Problem<'_>) {
                self.problems += 1;
            }
        }
        let data = [
            MIXED,
            b"\nNov  5 10:00:03 mx postfix/smtpd[2]: NOQUEUE: reject: RCPT from x[192.0.2.1]: 550 5.1.1 <u@our.example>: unknown; from=<s@a.example> to=<u@our.example>\n",
            b"Nov  5 10:00:04 mx postfix/smtpd[2]: NOQUEUE: reject: FROB from x[192.0.2.1]: 550 no\n",
            b"2026-11-05 10:00:05 H=[192.0.2.2] F=<s@b.example> rejected RCPT <r@our.example>: relay not permitted\n",
            b"Nov  5 10:00:06 mx postfix/qmgr[3]: warning: mail for [127.0.0.1]:10024 is using up 4001 of 4020 active queue entries\n",
        ]
        .concat();
        let count = |lines: Lines| {
            let mut found = Found::default();
            Scanner::for_reports(Mta::Auto, lines).scan(0, 0, 0, &data, &mut found);
            (found.events, found.refusals, found.bad, found.problems)
        };
        assert_eq!(count(Lines::default()), (3, 0, 0, 0));
        assert_eq!(count(Lines { rejects: true, ..Lines::default() }), (3, 2, 1, 0));
        assert_eq!(count(Lines { problems: true, ..Lines::default() }), (3, 0, 0, 1));
        assert_eq!(count(Lines { rejects: true, problems: true, messages: true, senders: true }), (3, 2, 1, 1));
    }

    /// A place as one number that sorts like the place, each field
    /// saturating at its width (16, 24 and 24 bits); worked out by hand.
    #[test]
    fn place_order_table() {
        let place = |input, seq, offset| Place { input, seq, offset, line: 0 }.order();
        assert_eq!(place(0, 0, 0), 0);
        assert_eq!(place(0, 0, 1), 1);
        assert_eq!(place(0, 1, 0), 1 << 24);
        assert_eq!(place(1, 0, 0), 1 << 48);
        assert_eq!(place(1, 2, 3), (1 << 48) | (2 << 24) | 3);
        assert_eq!(place(0x1_0000, 0x100_0000, 0x100_0000), u64::MAX, "every field saturated");
        assert!(place(0, 1, 0) > place(0, 0, 0xFF_FFFF), "a later piece sorts after any offset of an earlier one");
        assert!(place(1, 0, 0) > place(0, 0xFF_FFFF, 0xFF_FFFF));
    }

    /// `--max-line` is the longest line read: one of exactly that many
    /// bytes (before the newline, `\r` included) is read, one byte more and
    /// it is skipped and counted as over-long, like `count_lines` does.
    #[test]
    fn a_line_of_exactly_max_line_bytes_is_read() {
        let line = b"Nov  5 10:00:01 mx postfix/smtp[1]: 4B1C2D3E: to=<d@p.example>, relay=x, dsn=5.1.1, status=bounced (550 no)\r";
        let data = [&line[..], b"\n", &line[..]].concat();
        let n = line.len();
        for (max_line, bounced, overlong) in [(n + 1, 2, 0), (n, 2, 0), (n - 1, 0, 2), (10, 0, 2)] {
            let mut seen = Seen::default();
            Scanner::new(Mta::Auto).max_line(max_line).scan(0, 0, 0, &data, &mut seen);
            assert_eq!((seen.outcomes[2], seen.overlong, seen.lines), (bounced, overlong, 2), "max_line {max_line}");
        }
    }

    #[test]
    fn empty_and_anchor_only_blocks() {
        for data in [&b""[..], b": to=", b" == ", b"\n\n\n"] {
            assert_eq!(scan(data, Mta::Auto).outcomes, [0; 3], "{data:?}");
        }
    }
}
