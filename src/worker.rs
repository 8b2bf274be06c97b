//! The per-thread worker: the [`Sink`] the searcher pushes what it finds to.
//!
//! A worker owns everything one scan thread needs and nothing another
//! thread touches: each input's clock and the window, the classifier and its
//! cache, the counts ([`Tally`]) and the message states of the piece being
//! read. Each event goes through it once, in this order: its time is read
//! from its line (the parsers skip timestamps), the window is applied before
//! anything is counted, the failure is classified (an Exim `Unrouteable
//! address` noted as such, for the reading that needs the whole log), the
//! domain normalized; then the same values go to the counts and to the
//! message states.

use crate::classify::{self, BounceType, Classifier, Reason};
use crate::events::Piece;
use crate::messages::{Attempt, Messages};
use crate::parse::problem::Problem;
use crate::parse::refusal::Refusal;
use crate::parse::{Envelope, Event, Note, Outcome};
use crate::parse::{domain, host};
use crate::refusals::RefusalKey;
use crate::search::{Place, Sink};
use crate::tally::Tally;
use crate::time::{Period, TimeSetup};

/// One scan thread's state.
#[derive(Debug)]
pub struct Worker {
    tally: Tally,
    /// Each input's clock and the window, when times are read.
    times: Option<TimeSetup>,
    classifier: Classifier,
    /// The message states of the current piece, when messages are followed.
    messages: Option<Messages>,
    /// Whether the messages' senders are followed (the sender reports).
    senders: bool,
    /// Where a domain is spelled when it is not spelled as logged.
    scratch: Vec<u8>,
    /// Whether delivery events' times are read (when `times` is there):
    /// not when the clocks are only for the `problems` report.
    event_times: bool,
    /// The host of lines whose header names none (`--host`); empty when
    /// not given.
    default_host: std::sync::Arc<[u8]>,
    /// Whether each delivery event's host is counted (the overview).
    count_hosts: bool,
    /// Where a message's key (host and queue id) is written.
    key: Vec<u8>,
    /// Where the key of a content filter's hop target is written.
    hop_key: Vec<u8>,
    /// The rows of the events export of the current piece, when it is
    /// written (`--events`).
    events: Option<Piece>,
}

impl Default for Worker {
    /// A worker that reads no times, follows no messages and caps nothing.
    fn default() -> Worker {
        Worker::new(Tally::default(), None, false)
    }
}

impl Worker {
    /// The same worker, counting the delivery events of each host (the
    /// overview's inputs section).
    pub fn counting_hosts(mut self, count: bool) -> Worker {
        self.count_hosts = count;
        self
    }

    /// Lines whose header names no host are taken to be `host`'s (`--host`).
    pub fn with_host(mut self, host: Option<std::sync::Arc<[u8]>>) -> Worker {
        if let Some(host) = host {
            self.default_host = host;
        }
        self
    }

    /// A worker that counts into `tally`, reads event times with `times`
    /// (each input's clock and the window), and follows every recipient
    /// when `follow_messages`.
    pub fn new(tally: Tally, times: Option<TimeSetup>, follow_messages: bool) -> Worker {
        Worker {
            tally,
            times,
            classifier: Classifier::new(),
            messages: follow_messages.then(Messages::new),
            senders: false,
            scratch: Vec::new(),
            default_host: std::sync::Arc::from(&b""[..]),
            count_hosts: false,
            key: Vec::new(),
            hop_key: Vec::new(),
            event_times: true,
            events: None,
        }
    }

    /// The same worker, keeping a row of the events export for each
    /// delivery event, expiry and refusal when `rows`.
    pub fn with_event_rows(mut self, rows: bool) -> Worker {
        self.events = rows.then(Piece::default);
        self
    }

    /// Hands the rows of the piece read so far to `deliver`, which gives
    /// back an empty piece to fill next (nothing when no rows are kept).
    pub fn deliver_rows(&mut self, deliver: impl FnOnce(Piece) -> Piece) {
        if let Some(piece) = self.events.take() {
            self.events = Some(deliver(piece));
        }
    }

    /// The host that wrote `line`: its syslog header's, else `--host`'s
    /// (empty when neither).
    fn host_of<'a>(default_host: &'a [u8], line: &'a [u8]) -> &'a [u8] {
        host::syslog_host(line).unwrap_or(default_host)
    }

    /// The same worker, reading the times of delivery events (and applying
    /// the window to them) only when `read` (the default): without, its
    /// clocks serve only the lines that are not deliveries.
    pub fn with_event_times(mut self, read: bool) -> Worker {
        self.event_times = read;
        self
    }

    /// The same worker, following of the messages only what Postfix's
    /// expiries need ([`Messages::for_expiries`]), when it follows them.
    pub fn following_expiries_only(mut self) -> Worker {
        if self.messages.is_some() {
            self.messages = Some(Messages::for_expiries());
        }
        self
    }

    /// The same worker, following the messages' senders too, when it
    /// follows every recipient ([`Messages::record_sender`]).
    pub fn following_senders(mut self) -> Worker {
        self.senders = self.messages.as_ref().is_some_and(|m| !m.expiries_only());
        self
    }

    /// The same worker, classifying with the user's `rules` first.
    pub fn with_rules(mut self, rules: Option<std::sync::Arc<classify::UserRules>>) -> Worker {
        self.classifier = Classifier::with_rules(rules);
        self
    }

    /// The key the message layer knows `queue_id` by, written into `key`:
    /// the host that wrote its line ([`Worker::host_of`]), a space, the
    /// queue id. Queue ids are unique only on one host, so the logs of
    /// several hosts read together keep their messages apart. Without a
    /// host the key is the queue id alone.
    fn message_key<'k>(key: &'k mut Vec<u8>, host: &[u8], queue_id: &'k [u8]) -> &'k [u8] {
        if host.is_empty() {
            return queue_id;
        }
        key.clear();
        key.extend_from_slice(host);
        key.push(b' ');
        key.extend_from_slice(queue_id);
        key
    }

    /// The time of a line that is not a delivery (a refusal, a problem),
    /// when times are read: `Err` when the line is to be left out (outside
    /// the window, or without a time under one), as a delivery would be.
    fn side_time(&mut self, place: Place, line: &[u8]) -> Result<Option<crate::time::Micros>, ()> {
        let Some(times) = &mut self.times else { return Ok(None) };
        match times.clocks[place.input].line_time(line) {
            Some(t) if times.outside(t) => Err(()),
            None if times.has_window() => Err(()),
            time => Ok(time),
        }
    }

    /// Counts one delivery event of input `input` from a line without a
    /// timestamp, at the start of its first piece (for tests and tools).
    pub fn record(&mut self, input: usize, event: &Event<'_>) {
        self.event(Place { input, ..Place::default() }, b"", event);
    }

    /// The counts so far.
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// The counts so far, to record what the reading itself found (bytes
    /// read, read errors).
    pub fn tally_mut(&mut self) -> &mut Tally {
        &mut self.tally
    }

    /// The counts, when the worker is done.
    pub fn into_tally(self) -> Tally {
        self.tally
    }

    /// The message states of the piece read so far, replaced by empty ones
    /// (empty when messages are not followed): one piece's worth, for
    /// [`crate::messages::Fold`]. The new states have room for as many
    /// keys: pieces are alike.
    pub fn swap_messages(&mut self) -> Messages {
        match &mut self.messages {
            Some(messages) => {
                let room = messages.empty_like();
                std::mem::replace(messages, room)
            }
            None => Messages::new(),
        }
    }
}

impl Sink for Worker {
    fn piece(&mut self, input: usize, seq: u64, lines: u64, overlong: u64) {
        self.tally.record_piece(input, seq, lines, overlong);
        if let Some(piece) = &mut self.events {
            piece.input = input;
            piece.lines += lines;
        }
    }

    fn event(&mut self, place: Place, line: &[u8], event: &Event<'_>) {
        let (mut time, mut hour) = (None, None);
        if self.event_times
            && let Some(times) = &mut self.times
        {
            let clock = &mut times.clocks[place.input];
            time = clock.line_time(line);
            match time {
                Some(t) if times.outside(t) => {
                    self.tally.count_outside();
                    if times.in_previous(t) {
                        let domain = domain::normalize(event.domain, &mut self.scratch);
                        self.tally.count_previous(domain, event.outcome, t);
                    }
                    return;
                }
                Some(t) => hour = Some(times.clocks[place.input].period_start(t, Period::Hour)),
                None => {
                    self.tally.count_untimed();
                    if times.has_window() {
                        return;
                    }
                }
            }
        }
        let mut note = event.note;
        let verdict = match event.outcome {
            Outcome::Delivered => (Reason::Delivered, BounceType::None),
            outcome => {
                let reason = self.classifier.classify(outcome, event.code, event.enhanced, event.text).reason;
                // Noted, so that its reason can be settled once the whole
                // log is read (`Tally::settle_unrouteable`).
                if note == Note::None && classify::unrouteable(reason, event.code, event.text) {
                    note = Note::Unrouteable;
                }
                let reason = classify::with_domain(reason, event.code, event.text, event.domain);
                (reason, classify::bounce_type(reason, outcome, event.code, event.enhanced))
            }
        };
        let noted;
        let event = if note == event.note {
            event
        } else {
            noted = Event { note, ..*event };
            &noted
        };
        let domain = domain::normalize(event.domain, &mut self.scratch);
        // Following only what Postfix's expiries need, a line of an MTA that
        // names each expired recipient needs nothing followed.
        let follow = self.messages.as_ref().is_some_and(|m| event.expires_by_queue || !m.expiries_only());
        // The host is read once, and only when something keeps it.
        let host: &[u8] = match self.events.is_some() || self.count_hosts || follow {
            true => Worker::host_of(&self.default_host, line),
            false => b"",
        };
        if let Some(piece) = &mut self.events {
            piece.delivery(place.line, time, host, event, domain, verdict, note);
        }
        self.tally.count(place.input, domain, event, verdict, hour);
        if self.count_hosts {
            match host.is_empty() {
                true => self.tally.hosts_mut().count_unnamed(),
                false => self.tally.hosts_mut().count(host),
            }
        }
        if let Some(messages) = self.messages.as_mut().filter(|_| follow) {
            // A content filter hands the message back to the same host.
            let queue_id = Worker::message_key(&mut self.key, host, event.queue_id);
            let hop_to = event.hop_to.map(|hop| Worker::message_key(&mut self.hop_key, host, hop));
            let attempt = Attempt {
                queue_id,
                recipient: event.recipient,
                domain,
                outcome: event.outcome,
                time,
                code: event.code,
                enhanced: event.enhanced,
                reason: verdict.0,
                text: event.reply,
                hop_to,
                expired: event.expired,
                delay: event.delay_ms.map(|ms| ms as f64 / 1000.0),
                discarded: event.discarded,
                unrouteable: note == Note::Unrouteable,
            };
            messages.record(&attempt, place.order());
        }
    }

    fn expiry(&mut self, place: Place, line: &[u8], queue_id: &[u8]) {
        let mut time = None;
        if self.event_times
            && let Some(times) = &mut self.times
        {
            time = times.clocks[place.input].line_time(line);
            if time.is_some_and(|t| times.outside(t)) {
                return;
            }
        }
        self.tally.count_expiry();
        if self.events.is_none() && self.messages.is_none() {
            return;
        }
        let host = Worker::host_of(&self.default_host, line);
        if let Some(piece) = &mut self.events {
            piece.expiry(place.line, time, host, queue_id);
        }
        if let Some(messages) = &mut self.messages {
            let queue_id = Worker::message_key(&mut self.key, host, queue_id);
            messages.record_expiry(queue_id, time, place.order());
        }
    }

    fn arrival(&mut self, place: Place, line: &[u8], queue_id: &[u8]) {
        // Only the message-level reports use arrivals, and they read times.
        let (Some(messages), Some(times)) = (&mut self.messages, &mut self.times) else { return };
        let time = times.clocks[place.input].line_time(line);
        // Outside the window, as if not read (which seeking makes it).
        if time.is_some_and(|t| times.outside(t)) {
            return;
        }
        let queue_id = Worker::message_key(&mut self.key, Worker::host_of(&self.default_host, line), queue_id);
        messages.record_arrival(queue_id, time);
    }

    fn envelope(&mut self, place: Place, line: &[u8], queue_id: &[u8], envelope: &Envelope<'_>) {
        if !self.senders {
            return;
        }
        // Only the message-level reports use senders, and they read times.
        let (Some(messages), Some(times)) = (&mut self.messages, &mut self.times) else { return };
        let time = times.clocks[place.input].line_time(line);
        // Outside the window, as if not read (which seeking makes it).
        if time.is_some_and(|t| times.outside(t)) {
            return;
        }
        // The sender as the reports spell an address: the local part as
        // logged, the domain as every report spells one.
        let sender = envelope.sender;
        let spelled;
        let sender = match memchr::memrchr(b'@', sender) {
            Some(at) => match domain::normalize(&sender[at + 1..], &mut self.scratch) {
                domain if domain == &sender[at + 1..] || domain == domain::LOCAL => sender,
                domain => {
                    spelled = [&sender[..=at], domain].concat();
                    &spelled[..]
                }
            },
            None => sender,
        };
        let queue_id = Worker::message_key(&mut self.key, Worker::host_of(&self.default_host, line), queue_id);
        messages.record_sender(queue_id, time, sender, envelope.size, envelope.recipients);
    }

    fn probe(&mut self) {
        self.tally.record_probe();
    }

    fn refusal(&mut self, place: Place, line: &[u8], refusal: &Refusal<'_>) {
        let Ok(time) = self.side_time(place, line) else { return };
        // Read from our side: a 4xx (or Exim's `temporarily`) asks the
        // client to try again, anything else refuses for good.
        let class = refusal.code.map(|c| c / 100).or(refusal.enhanced.map(|e| u16::from(e.class)));
        let outcome = if refusal.temporary || class == Some(4) { Outcome::Deferred } else { Outcome::Bounced };
        let reason = self.classifier.classify(outcome, refusal.code, refusal.enhanced, refusal.text).reason;
        let bounce_type = classify::bounce_type(reason, outcome, refusal.code, refusal.enhanced);
        let key = RefusalKey {
            action: refusal.action,
            stage: refusal.stage,
            code: refusal.code,
            enhanced: refusal.enhanced,
            reason,
            bounce_type,
        };
        let client = refusal.client();
        let client = if client.is_empty() { &b"(none)"[..] } else { client };
        let domain = match refusal.recipient_domain() {
            b"" if refusal.recipient.is_empty() => &b""[..],
            raw => domain::normalize(raw, &mut self.scratch),
        };
        if let Some(piece) = &mut self.events {
            let host = Worker::host_of(&self.default_host, line);
            piece.refusal(place.line, time, host, refusal, domain, (reason, bounce_type));
        }
        self.tally.refusals_mut().count(key, client, domain, refusal.text);
    }

    fn bad_refusal(&mut self, place: Place, line: &[u8]) {
        if self.side_time(place, line).is_err() {
            return;
        }
        self.tally.refusals_mut().count_unparsable(line);
    }

    fn problem(&mut self, place: Place, line: &[u8], problem: &Problem<'_>) {
        let Ok(time) = self.side_time(place, line) else { return };
        self.tally.problems_mut().count(problem, line, time);
    }

    fn malformed(&mut self, input: usize) {
        self.tally.record_malformed(input);
    }

    fn wants_example(&self, input: usize, seq: u64, line: u64) -> bool {
        self.tally.wants_example(input, seq, line)
    }

    fn example(&mut self, input: usize, seq: u64, line: u64, text: &[u8]) {
        self.tally.add_example(input, seq, line, text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(domain: &'static str, outcome: Outcome, code: Option<u16>) -> Event<'static> {
        Event::new(domain.as_bytes(), outcome, code, None)
    }

    /// One spelling per domain, whatever the case or a trailing dot.
    #[test]
    fn domains_are_counted_normalized() {
        let mut w = Worker::default();
        w.record(0, &ev("Example.COM", Outcome::Delivered, Some(250)));
        w.record(0, &ev("example.com.", Outcome::Bounced, Some(550)));
        w.record(0, &ev("example.com", Outcome::Bounced, Some(550)));
        let t = w.tally();
        let domains: Vec<_> = t.domains().map(|d| (d.name, d.outcomes)).collect();
        assert_eq!(domains, vec![(&b"example.com"[..], [1, 0, 2])]);
        assert_eq!(t.domains().map(|d| d.codes().count()).sum::<usize>(), 2);
    }

    /// Exim's `Unrouteable address` (no router accepted the address) is no
    /// such domain at a domain that could be in the DNS, and no such user at
    /// a single-label one (`localhost`, a bare host name, or none): such a
    /// domain can only be the server's own. Both are hard bounces, noted
    /// [`Note::Unrouteable`] so that the whole log can settle the dotted
    /// ones (`Tally::settle_unrouteable`), in the counts and in the
    /// recipients' states.
    #[test]
    fn unrouteable_addresses_are_read_with_their_domain() {
        let cases: [(&str, &str, Reason, Note); 6] = [
            ("typo-domain.example", ": Unrouteable address", Reason::HostUnknown, Note::Unrouteable),
            ("pilgrim.example", "Unrouteable address", Reason::HostUnknown, Note::Unrouteable),
            ("localhost", ": Unrouteable address", Reason::UserUnknown, Note::Unrouteable),
            ("myhost", "Unrouteable address", Reason::UserUnknown, Note::Unrouteable),
            ("", "Unrouteable address", Reason::UserUnknown, Note::Unrouteable),
            // Other routing failures keep their reading.
            (
                "localhost",
                "R=dnslookup: all relevant MX records point to non-existent hosts",
                Reason::HostUnknown,
                Note::None,
            ),
        ];
        for (domain, text, want, note) in cases {
            let mut w = Worker::new(Tally::default(), None, true);
            let event = Event {
                text: text.as_bytes(),
                queue_id: b"1tXyZa-0003Ab-Qr",
                recipient: b"u@x",
                ..ev(domain, Outcome::Bounced, None)
            };
            w.record(0, &event);
            let reasons: Vec<(Reason, BounceType, u64, u64)> = w.tally().reasons_overall();
            assert_eq!(reasons, [(want, BounceType::Hard, 0, 1)], "{domain} {text}");
            let notes: Vec<Note> = w.tally().domains().flat_map(|d| d.codes().map(|c| c.note)).collect();
            assert_eq!(notes, [note], "{domain} {text}");
            let states = w.swap_messages().drain();
            assert_eq!(states.iter().map(|s| s.unrouteable).collect::<Vec<_>>(), [note == Note::Unrouteable]);
        }
    }

    /// Following only Postfix's expiries, a deferral of a line Postfix's
    /// way gets a state; the same deferral of an MTA that names each
    /// expired recipient (Exim), and any final line, get none.
    #[test]
    fn following_expiries_only_holds_only_postfix_deferrals() {
        for (postfix, outcome, held) in [
            (true, Outcome::Deferred, 1),
            (false, Outcome::Deferred, 0),
            (true, Outcome::Bounced, 0),
            (false, Outcome::Delivered, 0),
        ] {
            let mut w = Worker::new(Tally::default(), None, true).following_expiries_only();
            let event = Event {
                queue_id: b"4B1C2D3E",
                recipient: b"u@a.example",
                expires_by_queue: postfix,
                ..ev("a.example", outcome, None)
            };
            w.record(0, &event);
            assert_eq!(w.swap_messages().len(), held, "{postfix} {outcome:?}");
            assert_eq!(w.tally().domains().count(), 1, "counted either way");
            // The next piece follows as little.
            w.record(0, &event);
            assert_eq!(w.swap_messages().len(), held, "next piece: {postfix} {outcome:?}");
        }
    }

    /// Deliveries are never classified; failures get the classifier's
    /// reason and the bounce type that goes with it and their outcome.
    #[test]
    fn failures_are_classified_once_deliveries_never() {
        let mut w = Worker::default();
        let text = |t: &'static str, e: Event<'static>| Event { text: t.as_bytes(), ..e };
        w.record(0, &text("550 5.1.1 user unknown", ev("a.example", Outcome::Bounced, Some(550))));
        w.record(0, &text("450 4.1.1 user unknown", ev("a.example", Outcome::Deferred, Some(450))));
        w.record(0, &text("550 5.1.1 user unknown", ev("a.example", Outcome::Delivered, Some(250))));
        let reasons: Vec<(Reason, BounceType, u64, u64)> = w.tally().reasons_overall();
        assert_eq!(
            reasons,
            [(Reason::UserUnknown, BounceType::Hard, 0, 1), (Reason::UserUnknown, BounceType::Soft, 1, 0)]
        );
        let codes: Vec<Reason> = w.tally().domains().flat_map(|d| d.codes().map(|c| c.reason)).collect();
        assert!(codes.contains(&Reason::Delivered), "{codes:?}");
    }
}
