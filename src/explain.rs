//! `bounces explain`: what a reply code, an enhanced status code or a whole
//! reply text means, and what to do about it.
//!
//! The registry titles come from [`registry`], the reason and bounce type
//! from [`classify::classify`] and [`classify::bounce_type`]; this module adds
//! the prose a person needs next to them: when each code shows up, what
//! happens to the message, and what to do. [`run`] decides what the
//! arguments are, builds one explanation and writes it as text or JSON.
//!
//! Every entry cites the document that defines its code (RFC 5321 and the
//! RFCs that add reply codes, RFC 3463 and the later RFCs of the enhanced
//! status code registry), and its advice follows its class: a temporary
//! failure (4xx, 4.x.x) is one the MTA retries, so its advice never gives up
//! on the recipient ([`transient_advice`]). Only a code that can report
//! what became of a message gets a verdict ([`outcome_of`]).
//!
//! The advice is written for the sending side: our MTA got the reply and
//! someone here must act on it. A pasted log line in which our own server
//! refused a client (Postfix smtpd, postscreen or cleanup `reject:`, Exim
//! `rejected RCPT` and the like) is the other way round; [`inbound_of`]
//! recognises those, and their explanation says who refused whom and gives
//! advice for the receiving side ([`inbound_advice`]).

use std::io::Write;

use memchr::memmem;
use serde::Serialize;

use crate::classify::{self, Class, Reason, UserRules, registry};
use crate::error::{Error, Result};
use crate::parse::dialect::DIALECTS;
use crate::parse::{self, Enhanced, Event, Note, Outcome, Parsed, Stage};

/// How [`run`] writes its answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Plain text for a terminal, at most 79 columns wide.
    #[default]
    Text,
    /// One pretty-printed JSON object, for scripts.
    Json,
}

/// Explains `args` and writes the answer to `out`.
///
/// Each argument is a reply code (`252`), an enhanced status code (`5.1.10`,
/// `4.7.1`) or a piece of a reply text; blank arguments are ignored. The
/// arguments are read as follows:
///
/// * When every argument is a code (only digits and dots):
///   * one code: that code is explained;
///   * one reply code and one enhanced code, in either order: the pair is
///     explained together (the combined class, both meanings, and the reason
///     and bounce type of the pair);
///   * two reply codes, or two enhanced codes: the two are compared side by
///     side;
///   * three or more codes: each is explained in turn.
///
///   A code-shaped argument that is no valid code (`1000`, `6.1.1`, `5.1`,
///   `192.0.2.1`) is a usage error. A well-formed code the registry does
///   not know (`599`, `5.9.99`) is explained by its class and says so.
/// * Otherwise all arguments, joined with spaces, are one reply text (quote
///   it, or not): a whole Postfix or Exim log line is read like the log
///   parser reads it (the outcome as logged, Postfix's `dsn=`); any other
///   text is searched for a reply code (one followed by an enhanced code, at
///   the start, or after `said:` wins; IP addresses and port numbers are
///   never taken for codes), an enhanced code (`dsn=` first, then the one
///   after the reply code, then the first one whose class agrees), and a
///   Postfix `status=`.
///
///   A log line in which our server refused a client is inbound: Postfix
///   smtpd, postscreen or cleanup `NOQUEUE: reject: RCPT from ...` (also
///   `milter-reject`, `proxy-reject`, and `reject_warning`, which refuses
///   nothing; the syslog tag must name the daemon, as in
///   `postfix/submission/smtpd[42]:`, or the text is a reply text), Exim `H=... rejected RCPT <r>: ...`, `rejected after DATA`,
///   `rejected EHLO`, `rejected connection` and their `temporarily rejected`
///   forms. Its codes and stage are read from our server's answer; the
///   explanation names the server, the client, the sender and the
///   recipient, and its advice is for our side.
///
/// A bare code has no outcome of its own: the outcome given to the
/// classifier follows its class (4 deferred, 5 bounced, and the output says
/// "if the MTA bounced it"; 2 delivered only for 250, 251 and enhanced
/// codes). A 3xx reply and the other 2xx replies (252 answers VRFY) are
/// never delivery results and get no reason. A text without any code is
/// taken as bounced.
///
/// Control characters in the arguments are shown escaped (`\x1b`), and a
/// long argument is cut in a usage message; [`args_from_os`] turns
/// command-line arguments that are not UTF-8 into text the same way.
///
/// In JSON the document has one shape for every kind, versioned by
/// [`SCHEMA`] (docs/explain-json.md): `kind` is `code`, `pair`,
/// `comparison`, `codes`, `text` or `error`; the codes explained are in
/// `entries`, and `pair`, `comparison`, `text` and `error` hold what the
/// kind adds. A usage error is written as an `error` document too.
///
/// # Errors
///
/// [`Error::ExplainUsage`] when there is nothing to explain or a code is malformed
/// (with [`Format::Json`], after writing the `error` document);
/// [`Error::Output`] (path `-`) when `out` cannot be written.
pub fn run(args: &[String], format: Format, rules: Option<&UserRules>, out: &mut dyn Write) -> Result<()> {
    let explained = explain(args, rules);
    let rendered = match (&explained, format) {
        (Ok(explanation), Format::Text) => render_text(explanation),
        (Ok(explanation), Format::Json) => to_json(&document(explanation)),
        (Err(Error::ExplainUsage(message)), Format::Json) => to_json(&error_document(message)),
        (Err(_), Format::Text) | (Err(_), Format::Json) => String::new(),
    };
    out.write_all(rendered.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|source| Error::Output { path: "-".into(), source })?;
    explained.map(drop)
}

fn to_json(document: &Document<'_>) -> String {
    let mut json = serde_json::to_string_pretty(document).expect("explanations serialize");
    json.push('\n');
    json
}

/// Turns command-line arguments into text without losing a byte: valid
/// UTF-8 as it is, every byte of an invalid sequence as `\xNN`.
#[must_use]
pub fn args_from_os(args: &[std::ffi::OsString]) -> Vec<String> {
    args.iter().map(|arg| escape_invalid(&os_bytes(arg))).collect()
}

#[cfg(unix)]
fn os_bytes(arg: &std::ffi::OsStr) -> std::borrow::Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt;
    std::borrow::Cow::Borrowed(arg.as_bytes())
}

#[cfg(not(unix))]
fn os_bytes(arg: &std::ffi::OsStr) -> std::borrow::Cow<'_, [u8]> {
    std::borrow::Cow::Owned(arg.to_string_lossy().into_owned().into_bytes())
}

/// `bytes` as text, each byte of an invalid UTF-8 sequence as `\xNN`.
fn escape_invalid(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for byte in chunk.invalid() {
            text.push_str(&format!("\\x{byte:02x}"));
        }
    }
    text
}

/// `text` with control characters made visible (`\x1b`, `\u{9b}`), so that
/// nothing an argument holds reaches the terminal as a control sequence;
/// tabs and line ends become spaces.
fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            c if c.is_control() && u32::from(c) < 0x80 => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') => {
                out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// The longest argument quoted whole in a message.
const QUOTED: usize = 40;

/// `arg` as quoted in a message: cut after [`QUOTED`] characters.
fn quoted(arg: &str) -> String {
    let chars = arg.chars().count();
    if chars <= QUOTED {
        return arg.to_string();
    }
    let head: String = arg.chars().take(QUOTED).collect();
    format!("{head}... ({chars} characters)")
}

// ---------------------------------------------------------------------------
// What the arguments are
// ---------------------------------------------------------------------------

/// One code given as an argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Code {
    /// A basic reply code, 200 to 599.
    Reply(u16),
    /// An enhanced status code.
    Enhanced(Enhanced),
}

/// What one argument looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    /// A valid code.
    Code(Code),
    /// Only digits and dots, but no valid code.
    Malformed,
    /// Anything else: part of a reply text.
    Text,
}

fn token(arg: &str) -> Token {
    let bytes = arg.as_bytes();
    if !bytes.iter().all(|b| b.is_ascii_digit() || *b == b'.') || !bytes.iter().any(u8::is_ascii_digit) {
        return Token::Text;
    }
    // `enhanced_at` refuses anything followed by a digit or a dot, and the
    // argument holds nothing else: a match is the whole argument.
    let code = if bytes.contains(&b'.') {
        parse::enhanced_at(bytes).map(Code::Enhanced)
    } else if bytes.len() == 3 {
        parse::reply_code_at(bytes).map(Code::Reply)
    } else {
        None
    };
    code.map_or(Token::Malformed, Token::Code)
}

fn usage_nothing() -> Error {
    Error::ExplainUsage(
        "nothing to explain; give a reply code (550), an enhanced status code (5.1.1), \
         a reply code and an enhanced code (556 5.1.10), two codes to compare (252 556), or a reply text"
            .to_string(),
    )
}

fn usage_malformed(arg: &str) -> Error {
    let arg = quoted(arg);
    Error::ExplainUsage(format!(
        "'{arg}' is not a code; a reply code is three digits from 200 to 599 (550), \
         an enhanced status code is class.subject.detail with class 2, 4 or 5 and one to three digits \
         each (5.1.1); anything else is read as a reply text only together with words"
    ))
}

/// Builds the explanation of `args` (see [`run`] for the rules).
fn explain(args: &[String], rules: Option<&UserRules>) -> Result<Explanation> {
    let args: Vec<String> = args.iter().map(|a| visible(a.trim())).filter(|a| !a.is_empty()).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    if args.is_empty() {
        return Err(usage_nothing());
    }
    let tokens: Vec<Token> = args.iter().map(|a| token(a)).collect();
    if tokens.contains(&Token::Text) {
        return Ok(Explanation::Text(text_entry(&args.join(" "), rules)));
    }
    let mut codes = Vec::with_capacity(tokens.len());
    for (arg, token) in args.iter().zip(&tokens) {
        match *token {
            Token::Code(code) => codes.push(code),
            Token::Malformed | Token::Text => return Err(usage_malformed(arg)),
        }
    }
    Ok(match codes[..] {
        [one] => Explanation::Code(code_entry(one)),
        [Code::Reply(reply), Code::Enhanced(enhanced)] | [Code::Enhanced(enhanced), Code::Reply(reply)] => {
            Explanation::Pair(Box::new(pair_entry(reply, enhanced)))
        }
        [a, b] => Explanation::Comparison(Box::new(comparison(a, b))),
        _ => Explanation::Codes { entries: codes.into_iter().map(code_entry).collect() },
    })
}

// ---------------------------------------------------------------------------
// The explanations (serialized as they are for `--format json`)
// ---------------------------------------------------------------------------

/// The version of the JSON document (`schema`): raised when a field is
/// removed, renamed or changes meaning; new fields may appear without it.
pub const SCHEMA: u32 = 1;

/// The JSON document: one shape for every kind, every field always present
/// (`null` or empty when it does not apply). docs/explain-json.md
/// describes it.
#[derive(Debug, Serialize)]
struct Document<'a> {
    /// [`SCHEMA`].
    schema: u32,
    /// `code`, `pair`, `comparison`, `codes`, `text` or `error`.
    kind: &'static str,
    /// Every code explained on its own, in argument order (a pair: the
    /// reply code, then the enhanced code; a text: none).
    entries: Vec<&'a CodeEntry>,
    /// For `pair`: the two codes read together.
    pair: Option<&'a PairEntry>,
    /// For `comparison`: the summary and the rows.
    comparison: Option<&'a Comparison>,
    /// For `text`: the text and what was found in it.
    text: Option<&'a TextEntry>,
    /// For `error`: what was wrong with the arguments.
    error: Option<ErrorInfo>,
}

/// A usage error, in JSON.
#[derive(Debug, Serialize)]
struct ErrorInfo {
    /// The message, as `bounces` prints it on standard error.
    message: String,
}

fn document(explanation: &Explanation) -> Document<'_> {
    let mut doc = Document {
        schema: SCHEMA,
        kind: "",
        entries: Vec::new(),
        pair: None,
        comparison: None,
        text: None,
        error: None,
    };
    match explanation {
        Explanation::Code(entry) => (doc.kind, doc.entries) = ("code", vec![entry]),
        Explanation::Pair(pair) => {
            (doc.kind, doc.entries, doc.pair) = ("pair", vec![&pair.reply, &pair.enhanced], Some(&**pair));
        }
        Explanation::Comparison(c) => {
            (doc.kind, doc.entries, doc.comparison) = ("comparison", vec![&c.left, &c.right], Some(&**c));
        }
        Explanation::Codes { entries } => (doc.kind, doc.entries) = ("codes", entries.iter().collect()),
        Explanation::Text(text) => (doc.kind, doc.text) = ("text", Some(text)),
    }
    doc
}

fn error_document(message: &str) -> Document<'static> {
    Document {
        schema: SCHEMA,
        kind: "error",
        entries: Vec::new(),
        pair: None,
        comparison: None,
        text: None,
        error: Some(ErrorInfo { message: Error::ExplainUsage(message.to_string()).to_string() }),
    }
}

/// Everything `bounces explain` says about its arguments.
#[derive(Debug)]
enum Explanation {
    /// One code.
    Code(CodeEntry),
    /// A reply code and an enhanced code, read together (boxed: the
    /// largest entry).
    Pair(Box<PairEntry>),
    /// Two codes side by side (boxed: a large entry).
    Comparison(Box<Comparison>),
    /// Three or more codes, each on its own.
    Codes {
        /// One entry per code, in argument order.
        entries: Vec<CodeEntry>,
    },
    /// A reply text or a log line.
    Text(TextEntry),
}

/// A code's class: the first digit.
#[derive(Clone, Debug, Serialize)]
struct ClassInfo {
    /// 2, 3, 4 or 5.
    digit: u8,
    /// The class's name for the code's type: a reply code's class as RFC
    /// 5321 §4.2.1 names it (`positive_completion`, `positive_intermediate`,
    /// `transient_negative`, `permanent_negative`), an enhanced code's as
    /// RFC 3463 §3.1 does (`success`, `persistent_transient_failure`,
    /// `permanent_failure`).
    name: &'static str,
    /// A readable name with the digit pattern (`permanent negative completion (5xx)`).
    title: &'static str,
    /// What the class means, in a few words.
    means: &'static str,
    /// What happens to the message.
    message: &'static str,
}

/// The subject (middle number) of an enhanced code.
#[derive(Clone, Debug, Serialize)]
struct SubjectInfo {
    /// 0 to 999.
    number: u16,
    /// The registry's name, or `unknown subject`.
    name: &'static str,
    /// What the subject covers.
    about: &'static str,
}

/// The rule of the classifier that decided a reason.
#[derive(Clone, Debug, Serialize)]
struct RuleInfo {
    /// A stable identifier.
    id: &'static str,
    /// What the rule looks at.
    what: &'static str,
}

/// What the classifier makes of a code, a pair or a text.
#[derive(Clone, Debug, Serialize)]
struct VerdictInfo {
    /// The outcome given to the classifier.
    outcome: &'static str,
    /// Where that outcome came from: `code class`, `log line` or `assumption`.
    outcome_from: &'static str,
    /// The reason (`userunknown`).
    reason: &'static str,
    /// What the reason means.
    reason_meaning: &'static str,
    /// `hard`, `soft`, `block`, `undetermined` or `none`.
    bounce_type: &'static str,
    /// The rule that decided.
    rule: RuleInfo,
    /// The first rule after the one that decided that matches too and names
    /// another reason (not `onhold`): a close call.
    runner_up: Option<Box<RunnerUp>>,
    /// What to do about the reason: on the sending side, except for an
    /// inbound line (our server refused a client), where it is what we,
    /// the receiving side, can do.
    advice: &'static str,
}

/// The rule next in line (see [`VerdictInfo::runner_up`]).
#[derive(Clone, Debug, Serialize)]
struct RunnerUp {
    /// Its reason.
    reason: &'static str,
    /// Its bounce type.
    bounce_type: &'static str,
    /// The rule.
    rule: RuleInfo,
}

/// One code explained on its own.
#[derive(Clone, Debug, Serialize)]
struct CodeEntry {
    /// The code as written (`252`, `5.1.10`).
    code: String,
    /// `reply` or `enhanced`.
    code_type: &'static str,
    /// Whether the code is in the registry (RFC 5321 and related RFCs, or
    /// the IANA enhanced status code registry).
    registered: bool,
    /// The code's class.
    class: ClassInfo,
    /// The subject, for enhanced codes.
    subject: Option<SubjectInfo>,
    /// The registry's description or title.
    meaning: String,
    /// The document that defines the code (`RFC 5321 §4.2.2`, `RFC 3463
    /// §3.3`); for an unregistered code, the one that defines its class.
    source: &'static str,
    /// The situation the code shows up in; for enhanced codes only when
    /// there is something to say beyond the title.
    when_seen: Option<&'static str>,
    /// What to do.
    what_to_do: &'static str,
    /// Related codes a reader may confuse it with, when there are.
    siblings: Option<&'static str>,
    /// Warnings about the code itself (a success class with a failure
    /// detail, `2.7.1`).
    notes: Vec<String>,
    /// The reason and bounce type, for codes that can report what became
    /// of a message: 250 and 251, every 4xx and 5xx reply, every enhanced
    /// code. None for 3xx and for the other 2xx replies.
    verdict: Option<VerdictInfo>,
    /// Why there is no verdict, when there is none.
    no_verdict: Option<String>,
}

/// A reply code and an enhanced code read together (in JSON the two
/// entries are the document's `entries`).
#[derive(Debug, Serialize)]
struct PairEntry {
    /// Both codes (`556 5.1.10`).
    codes: String,
    /// The class of the pair: the reply code's.
    class: ClassInfo,
    /// Set when the enhanced code's class disagrees with the reply's.
    class_note: Option<String>,
    /// The reply code as if alone.
    #[serde(skip)]
    reply: CodeEntry,
    /// The enhanced code as if alone.
    #[serde(skip)]
    enhanced: CodeEntry,
    /// The reason and bounce type of the pair; none when the reply code
    /// has none.
    verdict: Option<VerdictInfo>,
    /// Why there is no verdict, when there is none.
    no_verdict: Option<String>,
}

/// One row of a comparison.
#[derive(Debug, Serialize)]
struct Row {
    /// What the row compares.
    label: &'static str,
    /// The first code's value.
    left: String,
    /// The second code's value.
    right: String,
}

/// Two codes side by side.
#[derive(Debug, Serialize)]
struct Comparison {
    /// The key difference, in one sentence.
    summary: String,
    /// The first code.
    #[serde(skip)]
    left: CodeEntry,
    /// The second code.
    #[serde(skip)]
    right: CodeEntry,
    /// The rows shown side by side.
    rows: Vec<Row>,
}

/// A reply text or a log line explained.
#[derive(Debug, Serialize)]
struct TextEntry {
    /// The text as given.
    text: String,
    /// `Postfix log line`, `Exim log line` or `reply text`.
    read_as: &'static str,
    /// `inbound` for a line in which our server refused a client (Postfix
    /// smtpd, postscreen or cleanup `reject:`, Exim `rejected RCPT` and the
    /// like); `outbound` for everything else: a delivery line of our MTA,
    /// or a reply text, read as a reply our MTA received.
    direction: Direction,
    /// For an inbound line: who refused whom.
    inbound: Option<InboundInfo>,
    /// For a log line whose reply is only part of the text (Exim's
    /// `SMTP error from remote mail server after ...: host ...: 550 ...`):
    /// the reply as the reports keep it; for an inbound line, what our
    /// server answered the client.
    reply: Option<String>,
    /// The SMTP command the reply answered, when the text names it.
    stage: Option<&'static str>,
    /// The reply code found, if any (a string, as every code in the
    /// document).
    reply_code: Option<String>,
    /// The enhanced code found, if any.
    enhanced_code: Option<String>,
    /// What the codes mean (with what the text adds, such as a null MX).
    description: String,
    /// The class of the codes, if any: the reply code's, else the
    /// enhanced code's.
    class: Option<ClassInfo>,
    /// What the text adds to the codes: a class mismatch, Postfix's
    /// handling of a 5xx greeting, a code that is never a delivery result.
    notes: Vec<String>,
    /// What the classifier decided; none for a reply that reports no
    /// delivery (a 3xx, or a 2xx other than 250 and 251).
    verdict: Option<VerdictInfo>,
    /// Why there is no verdict, when there is none.
    no_verdict: Option<String>,
}

/// Which side of an SMTP session a text is from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Direction {
    /// Our MTA sent, a remote server answered.
    Outbound,
    /// A client sent, our server refused it.
    Inbound,
}

/// Who refused whom, for an inbound line.
#[derive(Debug, Serialize)]
struct InboundInfo {
    /// The program that refused: `Postfix smtpd`, `Postfix postscreen`,
    /// `Postfix cleanup` or `Exim`.
    server: &'static str,
    /// The log's word: `reject`, `milter-reject`, `proxy-reject`,
    /// `reject_warning`, `rejected` or `temporarily rejected`.
    action: &'static str,
    /// False for Postfix's `reject_warning`, a dry run that refused nothing.
    refused: bool,
    /// The command refused (`RCPT`, `EHLO`, `CONNECT`, `END-OF-MESSAGE`).
    command: String,
    /// The client's host name, when the line gives one (`unknown`: it has
    /// no reverse DNS).
    client_host: Option<String>,
    /// The client's IP address.
    client_ip: Option<String>,
    /// The envelope sender, when the line names it (empty: the null sender).
    sender: Option<String>,
    /// The recipient, when the line names it.
    recipient: Option<String>,
    /// All of it in one sentence, as the text output shows it.
    summary: String,
}

// ---------------------------------------------------------------------------
// Building explanations
// ---------------------------------------------------------------------------

const FROM_CLASS: &str = "code class";
const FROM_LOG: &str = "log line";
const FROM_ASSUMPTION: &str = "assumption";

fn class_digit(class: Class) -> u8 {
    match class {
        Class::PositiveCompletion => 2,
        Class::PositiveIntermediate => 3,
        Class::TransientNegative => 4,
        Class::PermanentNegative => 5,
    }
}

fn class_info(class: Class, code_type: &str) -> ClassInfo {
    let text = class_text(class);
    let enhanced = code_type == ENHANCED;
    ClassInfo {
        digit: class_digit(class),
        name: match class {
            Class::PositiveCompletion if enhanced => "success",
            Class::TransientNegative if enhanced => "persistent_transient_failure",
            Class::PermanentNegative if enhanced => "permanent_failure",
            class => class.as_str(),
        },
        title: if code_type == ENHANCED { text.enhanced_title } else { text.reply_title },
        means: text.means,
        message: text.message,
    }
}

const REPLY: &str = "reply";
const ENHANCED: &str = "enhanced";

/// The reply codes that can report a delivery: 250 after the message
/// data (RFC 5321 §4.1.1.4) and 251, the forwarding form of 250 (§3.4).
const DELIVERY_REPLIES: [u16; 2] = [250, 251];

/// The outcome a bare code of this class stands for: deferred for 4, bounced
/// for 5, delivered for 2 when `reply` (the reply code, if any) can report
/// a delivery. None for 3xx and for the other 2xx replies, which answer
/// other commands than the message data.
fn outcome_of(class: Class, reply: Option<u16>) -> Option<Outcome> {
    match class {
        Class::PositiveCompletion if reply.is_none_or(|code| DELIVERY_REPLIES.contains(&code)) => {
            Some(Outcome::Delivered)
        }
        Class::PositiveCompletion | Class::PositiveIntermediate => None,
        Class::TransientNegative => Some(Outcome::Deferred),
        Class::PermanentNegative => Some(Outcome::Bounced),
    }
}

/// Why a code gets no verdict (see [`outcome_of`]).
fn no_verdict(class: Class, reply: Option<u16>) -> String {
    let command = match reply {
        Some(252) => "VRFY or EXPN (after ETRN: a queue run)",
        Some(211 | 214) => "HELP or a status request",
        Some(220) => "the connection (the greeting) or STARTTLS",
        Some(221) => "QUIT",
        Some(235) => "AUTH",
        Some(253) => "ETRN",
        _ => "another command than the message data",
    };
    match (class, reply) {
        (Class::PositiveIntermediate, _) => "none: a 3xx reply is never a final outcome".to_string(),
        (_, Some(code)) => format!(
            "none: {code} answers {command}, so it is never a delivery result; only 250 (or 251) after the \
             message data reports a delivery"
        ),
        (_, None) => "none".to_string(),
    }
}

/// The advice for `reason` when the MTA got the reply with `outcome`:
/// after a deferral (a 4xx) the MTA keeps the message and retries, so the
/// advice never says to stop; the reason's own advice otherwise.
fn class_advice(reason: Reason, outcome: Outcome) -> &'static str {
    if outcome == Outcome::Deferred { transient_advice(reason) } else { reason.advice() }
}

/// What to do about a temporary failure (4xx, 4.x.x) by reason: the MTA
/// retries by itself, and nothing is given up on yet.
#[allow(clippy::match_same_arms)]
fn transient_advice(reason: Reason) -> &'static str {
    match reason {
        Reason::UserUnknown => {
            "Nothing at first: the server cannot confirm the mailbox for now (a directory lookup failed, \
             or it defers unknown recipients) and the MTA retries. Only a later 5xx says the address is \
             bad; do not suppress it on a deferral."
        }
        Reason::HostUnknown => {
            "Nothing at first: the recipient's domain could not be resolved or routed for now, and the \
             MTA retries. If it lasts, check the domain for typos and look it up yourself (`dig MX \
             domain`)."
        }
        Reason::NotAccept => {
            "Nothing at first: the destination does not take mail for now (shutdown, load or \
             maintenance) and the MTA retries, other MX hosts too. Only a permanent answer means the \
             domain takes no mail."
        }
        Reason::HasMoved => {
            "Nothing at first: the MTA retries. If a later 5xx confirms that the mailbox moved or changed \
             owner, ask the recipient for the current address."
        }
        Reason::MailboxFull => {
            "Nothing at first: the mailbox is full for now and the MTA retries; the recipient may clean \
             up. Count it as soft."
        }
        Reason::Suspend => {
            "Nothing at first: the mailbox or account is disabled for now and the MTA retries. If it \
             lasts for days, ask the recipient."
        }
        Reason::SecurityError => {
            "Nothing at first: the MTA retries. If it persists, read the text: it names the check (TLS, \
             a login to a smarthost, a rate or reputation limit)."
        }
        Reason::Blocked => {
            "Nothing at first: the receiver refuses the sending host for now and the MTA retries; a \
             temporary block often lifts. If it lasts for hours, look up the sending IP on the block list \
             the reply names and fix the cause. Do not suppress the recipient."
        }
        Reason::SyntaxError => {
            "Nothing at first: the server cannot accept the command or its parameters now (455) and the \
             MTA retries. If it lasts, send without the parameter (SIZE, a priority) or check the client."
        }
        Reason::Rejected => {
            "Nothing at first: the server refused the sender address for now (its domain did not resolve, \
             or a sender check could not finish) and the MTA retries. Check that the sender domain \
             resolves."
        }
        Reason::SpamDetected | Reason::VirusDetected | Reason::PolicyViolation => {
            "Nothing at first: the MTA retries. If the content keeps being deferred, read the text for the \
             check involved and review the message."
        }
        Reason::EmailTooLarge => {
            "Nothing at first: the server cannot take a message this size now and the MTA retries. If it \
             lasts, send a smaller message."
        }
        Reason::NetworkError | Reason::SystemError | Reason::SystemFull | Reason::Expired => {
            "Nothing at first: the MTA retries. If it lasts for one destination, check its MX hosts and \
             your outbound port 25, then tell its postmaster."
        }
        _ => reason.advice(),
    }
}

fn verdict_info(
    outcome: Outcome,
    outcome_from: &'static str,
    code: Option<u16>,
    enhanced: Option<Enhanced>,
    (text, rules): (&[u8], Option<&UserRules>),
    domain: Option<&[u8]>,
    advice: impl FnOnce(Reason) -> &'static str,
) -> VerdictInfo {
    // The user's rules come first, as in `analyze`; then every built-in
    // rule that matches, in decision order.
    let mut candidates = classify::candidates(outcome, code, enhanced, text);
    if outcome != Outcome::Delivered
        && let Some(verdict) = rules.and_then(|rules| rules.decide(text))
    {
        candidates.insert(0, verdict);
    }
    let typed = |mut verdict: classify::Verdict| {
        if let Some(domain) = domain {
            verdict.reason = classify::with_domain(verdict.reason, code, text, domain);
        }
        let bounce_type = classify::bounce_type(verdict.reason, outcome, code, enhanced).as_str();
        (verdict, if bounce_type.is_empty() { "none" } else { bounce_type })
    };
    let (verdict, bounce_type) = typed(candidates[0]);
    // The first rule after it that matches too and names another reason: a
    // close call. (`onhold` rules, the class of the code among them, only
    // say that nothing more specific matched: no rival.)
    let runner_up = candidates[1..]
        .iter()
        .map(|&next| typed(next))
        .find(|(next, _)| next.reason != verdict.reason && !matches!(next.reason, Reason::OnHold | Reason::Undefined))
        .map(|(next, bounce_type)| {
            Box::new(RunnerUp {
                reason: next.reason.as_str(),
                bounce_type,
                rule: RuleInfo { id: next.rule.id, what: next.rule.what },
            })
        });
    VerdictInfo {
        outcome: outcome.as_str(),
        outcome_from,
        reason: verdict.reason.as_str(),
        reason_meaning: verdict.reason.meaning(),
        bounce_type,
        rule: RuleInfo { id: verdict.rule.id, what: verdict.rule.what },
        runner_up,
        advice: advice(verdict.reason),
    }
}

fn code_verdict(class: Class, code: Option<u16>, enhanced: Option<Enhanced>) -> Option<VerdictInfo> {
    outcome_of(class, code).map(|outcome| {
        verdict_info(outcome, FROM_CLASS, code, enhanced, (b"", None), None, |r| class_advice(r, outcome))
    })
}

/// The `subject.detail` pairs whose title does not describe a failure:
/// with class 2 they make sense (`2.1.5`, `2.6.4`); every other registered
/// pair names a failure, and a 2.x.x code with it is self-contradicting.
const SUCCESS_DETAILS: [(u16, u16); 12] =
    [(0, 0), (1, 0), (1, 5), (1, 9), (2, 0), (3, 0), (3, 6), (4, 0), (5, 0), (6, 0), (6, 4), (7, 0)];

fn code_entry(code: Code) -> CodeEntry {
    match code {
        Code::Reply(code) => reply_entry(code),
        Code::Enhanced(enhanced) => enhanced_entry(enhanced),
    }
}

fn reply_entry(code: u16) -> CodeEntry {
    let class = classify::class_of(Some(code), None, Note::None).expect("reply codes are 2xx to 5xx");
    let generic = class_text(class);
    let description = registry::reply_description(code);
    let note = reply_note(code);
    let verdict = code_verdict(class, Some(code), None);
    CodeEntry {
        code: code.to_string(),
        code_type: REPLY,
        registered: description.is_some(),
        class: class_info(class, REPLY),
        subject: None,
        meaning: match description {
            Some(text) => text.to_string(),
            None => format!("not a registered reply code: read it by its class ({}xx)", code / 100),
        },
        source: note.map_or("RFC 5321 §4.2.1 (the class)", |n| n.1),
        when_seen: Some(note.map_or(generic.seen, |n| n.2)),
        what_to_do: note.map_or(generic.todo, |n| n.3),
        siblings: REPLY_SIBLINGS.iter().find(|s| s.0 == code).map(|s| s.1),
        notes: Vec::new(),
        no_verdict: verdict.is_none().then(|| no_verdict(class, Some(code))),
        verdict,
    }
}

fn subject_info(subject: u16) -> SubjectInfo {
    match registry::subject_description(subject) {
        Some(name) => SubjectInfo { number: subject, name, about: SUBJECT_ABOUT[usize::from(subject)] },
        None => SubjectInfo {
            number: subject,
            name: "unknown subject",
            about: "No RFC defines this subject: the code is private to the server that sent it.",
        },
    }
}

fn enhanced_entry(enhanced: Enhanced) -> CodeEntry {
    let class = classify::class_of(None, Some(enhanced), Note::None).expect("enhanced codes are class 2, 4 or 5");
    let title = registry::enhanced_description(enhanced.class, enhanced.subject, enhanced.detail);
    let subject = subject_info(enhanced.subject);
    let meaning = match title {
        Some(title) => title.to_string(),
        None if registry::subject_description(enhanced.subject).is_some() => format!(
            "not a registered enhanced status code: a detail of the {} subject that the registry does not \
             define (large providers such as Microsoft use three-digit details of their own); read it by \
             its class and subject",
            subject.name
        ),
        None => "not a registered enhanced status code, and its subject is unknown: read it by its class".to_string(),
    };
    let note = enhanced_note(enhanced);
    let verdict = code_verdict(class, None, Some(enhanced));
    let advice = verdict.as_ref().map(|v| v.advice).filter(|a| !a.is_empty());
    let what_to_do = note.map(|n| n.4).filter(|t| !t.is_empty()).or(advice).unwrap_or(class_text(class).todo);
    let mut notes = Vec::new();
    if enhanced.class == 2 && title.is_some() && !SUCCESS_DETAILS.contains(&(enhanced.subject, enhanced.detail)) {
        notes.push(format!(
            "{enhanced} contradicts itself: class 2 says success, the detail names a failure (X.{}.{}). The \
             registry does not mean the two together; trust the class and the reply code, and read the text.",
            enhanced.subject, enhanced.detail
        ));
    }
    CodeEntry {
        code: enhanced.to_string(),
        code_type: ENHANCED,
        registered: title.is_some(),
        class: class_info(class, ENHANCED),
        subject: Some(subject),
        meaning,
        source: registry::enhanced_source(enhanced.subject, enhanced.detail)
            .unwrap_or("RFC 3463 §3.1 (the class and subject)"),
        when_seen: note.map(|n| n.3),
        what_to_do,
        siblings: None,
        notes,
        no_verdict: verdict.is_none().then(|| no_verdict(class, None)),
        verdict,
    }
}

fn pair_entry(code: u16, enhanced: Enhanced) -> PairEntry {
    let class = classify::class_of(Some(code), Some(enhanced), Note::None).expect("reply codes are 2xx to 5xx");
    let agrees = u16::from(enhanced.class) == code / 100;
    let class_note = (!agrees).then(|| {
        format!(
            "the enhanced code's class ({}) disagrees with the reply code's ({}): the reply code decides and \
             the enhanced code is ignored, as Postfix does (it would log dsn={}.0.0)",
            enhanced.class,
            code / 100,
            code / 100
        )
    });
    let verdict = code_verdict(class, Some(code), agrees.then_some(enhanced));
    PairEntry {
        codes: format!("{code} {enhanced}"),
        class: class_info(class, REPLY),
        class_note,
        reply: reply_entry(code),
        enhanced: enhanced_entry(enhanced),
        no_verdict: verdict.is_none().then(|| no_verdict(class, Some(code))),
        verdict,
    }
}

fn comparison(a: Code, b: Code) -> Comparison {
    let (left, right) = (code_entry(a), code_entry(b));
    let alike = left.class.digit == right.class.digit && left.verdict.is_none() == right.verdict.is_none();
    let summary = if alike {
        format!(
            "{} and {} are both {}; they differ in cause and in what to do.",
            left.code,
            right.code,
            class_text_of(&left).plural
        )
    } else {
        format!("{} is {}; {} is {}.", left.code, gist(&left), right.code, gist(&right))
    };
    let mut rows = Vec::new();
    let mut row = |label, value: &dyn Fn(&CodeEntry) -> String| {
        let (l, r) = (value(&left), value(&right));
        if !l.is_empty() || !r.is_empty() {
            rows.push(Row { label, left: l, right: r });
        }
    };
    row("class", &|e| format!("{}: {}", e.class.title, e.class.means));
    if left.subject.is_some() && right.subject.is_some() {
        row("subject", &|e| e.subject.as_ref().map_or(String::new(), |s| format!("X.{} {}", s.number, s.name)));
    }
    row("meaning", &|e| e.meaning.clone());
    row("seen", &|e| e.when_seen.or(e.subject.as_ref().map(|s| s.about)).unwrap_or_default().to_string());
    row("message", &|e| effect(e).to_string());
    row("do", &|e| e.what_to_do.to_string());
    row("siblings", &|e| e.siblings.unwrap_or_default().to_string());
    row("reason", &|e| match (&e.verdict, &e.no_verdict) {
        (Some(v), _) => format!("{}, bounce type {} (if the MTA {} it)", v.reason, v.bounce_type, v.outcome),
        (None, why) => why.clone().unwrap_or_default(),
    });
    row("source", &|e| e.source.to_string());
    Comparison { summary, left, right, rows }
}

/// What happens to a message, for an entry: its class's, except for a 2xx
/// that reports no delivery.
fn effect(e: &CodeEntry) -> &'static str {
    if e.class.digit == 2 && e.verdict.is_none() {
        "None: it is not an answer about a message; a message is accepted or refused at RCPT and after \
         the data."
    } else {
        e.class.message
    }
}

/// A code's class in a few words, for a comparison's summary.
fn gist(e: &CodeEntry) -> &'static str {
    if e.class.digit == 2 && e.verdict.is_none() {
        "a positive reply (2xx) that is never a delivery result"
    } else {
        class_text_of(e).single
    }
}

fn class_text_of(entry: &CodeEntry) -> &'static ClassText {
    match entry.class.digit {
        2 => &CLASSES[0],
        3 => &CLASSES[1],
        4 => &CLASSES[2],
        _ => &CLASSES[3],
    }
}

/// Codes and outcome found in a text.
struct Found<'a> {
    read_as: &'static str,
    code: Option<u16>,
    enhanced: Option<Enhanced>,
    /// The outcome when the text says it (a log line).
    outcome: Option<Outcome>,
    /// The part of the text the classifier reads.
    reply: &'a [u8],
    /// The part of the text the reports keep (a log line's reply).
    shown: &'a [u8],
    /// The command the reply answered, when the text names it.
    stage: Option<Stage>,
    /// The recipient's domain, for a log line.
    domain: Option<&'a [u8]>,
    /// For a line in which our server refused a client: who refused whom.
    inbound: Option<Inbound<'a>>,
}

fn text_entry(text: &str, rules: Option<&UserRules>) -> TextEntry {
    let bytes = text.as_bytes();
    let found = from_log_line(bytes).or_else(|| from_inbound_line(bytes)).unwrap_or_else(|| from_reply_text(bytes));
    let (code, enhanced) = (found.code, found.enhanced);
    let note = Note::of_text(code, enhanced, bytes);
    let class = classify::class_of(code, enhanced, note);
    let (outcome, outcome_from) = match (found.outcome, class.map(|c| outcome_of(c, code))) {
        (Some(outcome), _) => (Some(outcome), FROM_LOG),
        (None, Some(Some(outcome))) => (Some(outcome), FROM_CLASS),
        (None, Some(None)) => (None, FROM_CLASS),
        (None, None) => (Some(Outcome::Bounced), FROM_ASSUMPTION),
    };
    let mut notes = text_notes(code, enhanced, found.stage, bytes);
    if found.inbound.is_some() && outcome.is_none() && code == Some(252) {
        notes.push(
            "Our server answered VRFY or EXPN without confirming or denying the address, as RFC 5321 §7.3 \
             allows: nothing to do. A client that sends many of them is probing for addresses."
                .to_string(),
        );
    }
    let description = if code.is_none() && enhanced.is_none() && note == Note::None {
        "no reply code and no enhanced status code in the text".to_string()
    } else {
        classify::describe(code, enhanced, note, found.stage)
    };
    let code_type = if code.is_some() { REPLY } else { ENHANCED };
    let inbound = found.inbound;
    let advice = |reason: Reason| match &inbound {
        None => class_advice(reason, outcome.unwrap_or(Outcome::Bounced)),
        Some(inbound) => {
            let helo = memmem::find(inbound.reply, b"Helo command rejected").is_some()
                || (matches!(inbound.command, b"EHLO" | b"HELO") && reason != Reason::Blocked);
            // A milter judges content: whatever it calls its refusal.
            let milter = inbound.action == "milter-reject"
                && matches!(
                    reason,
                    Reason::Blocked
                        | Reason::BadReputation
                        | Reason::PolicyViolation
                        | Reason::OnHold
                        | Reason::Undefined
                );
            inbound_advice(if milter { Reason::SpamDetected } else { reason }, helo, inbound.refused)
        }
    };
    let verdict = outcome
        .map(|outcome| verdict_info(outcome, outcome_from, code, enhanced, (found.reply, rules), found.domain, advice));
    let no_verdict = match (&verdict, class) {
        (None, Some(class)) => Some(no_verdict(class, code)),
        _ => None,
    };
    let lossy = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    TextEntry {
        text: text.to_string(),
        read_as: found.read_as,
        direction: if inbound.is_some() { Direction::Inbound } else { Direction::Outbound },
        inbound: inbound.map(|i| InboundInfo {
            server: i.server,
            action: i.action,
            refused: i.refused,
            command: lossy(i.command),
            client_host: i.client_host.map(lossy),
            client_ip: i.client_ip.map(lossy),
            sender: i.sender.map(lossy),
            recipient: i.recipient.map(lossy),
            summary: inbound_summary(&i),
        }),
        reply: (found.shown.len() < bytes.len()).then(|| lossy(found.shown)),
        stage: found.stage.map(Stage::as_str),
        reply_code: code.map(|c| c.to_string()),
        enhanced_code: enhanced.map(|e| e.to_string()),
        description,
        class: class.map(|c| class_info(c, code_type)),
        notes,
        verdict,
        no_verdict,
    }
}

/// What a text adds to its codes, as notes (see [`TextEntry::notes`]).
fn text_notes(code: Option<u16>, enhanced: Option<Enhanced>, stage: Option<Stage>, text: &[u8]) -> Vec<String> {
    let mut notes = Vec::new();
    if let (Some(code), Some(enhanced)) = (code, enhanced)
        && u16::from(enhanced.class) != code / 100
    {
        let greeting = stage == Some(Stage::Connect) || memmem::find(text, b"refused to talk to me").is_some();
        notes.push(if greeting && code / 100 == 5 && enhanced.class == 4 {
            format!(
                "{code} at the greeting, logged with {enhanced}: Postfix treats a 5xx greeting as temporary \
                 by default (smtp_skip_5xx_greeting = yes), tries the domain's next MX host and defers the \
                 message; {enhanced} is Postfix's own code for that deferral. The MTA retries."
            )
        } else {
            format!(
                "The classes disagree: the reply code is {code}, the enhanced code {enhanced}. RFC 3463 wants \
                 them to match; Postfix then trusts the reply code (it logs dsn={}.0.0) unless it chose the \
                 code itself, as when it defers what a server refused.",
                code / 100
            )
        });
    }
    if memmem::find(text, b"loops back to myself").is_some() {
        notes.push(
            "\"Loops back to myself\": the domain's MX points at the sending server itself. Fix the MX \
             record, or list the domain where this server accepts it (Postfix mydestination, \
             virtual_mailbox_domains or relay_domains)."
                .to_string(),
        );
    }
    notes
}

/// Reads `line` as a whole delivery line of any dialect, as the log parser
/// does: the first dialect in table order that finds an event in it.
fn from_log_line(line: &[u8]) -> Option<Found<'_>> {
    fn event(parsed: Parsed<'_>) -> Option<Event<'_>> {
        match parsed {
            Parsed::Event(event) => Some(event),
            _ => None,
        }
    }
    let (dialect, event) = DIALECTS.iter().find_map(|dialect| {
        let event = dialect
            .anchors
            .iter()
            .flat_map(|anchor| memmem::find_iter(line, anchor.literal).map(move |at| (anchor, at)))
            .find_map(|(anchor, at)| event((anchor.parse)(line, at)))?;
        Some((dialect, event))
    })?;
    let reply = if event.text.is_empty() { line } else { event.text };
    let shown = if event.reply.is_empty() { line } else { event.reply };
    Some(Found {
        read_as: dialect.line_name,
        code: event.code,
        enhanced: event.enhanced,
        outcome: Some(event.outcome),
        reply,
        shown,
        stage: event.stage,
        domain: Some(event.domain),
        inbound: None,
    })
}

/// Reads `line` as a refusal by our own server ([`inbound_of`]): the codes
/// and the stage from what our server answered, the reason from the whole
/// line as for a reply text.
fn from_inbound_line(line: &[u8]) -> Option<Found<'_>> {
    let inbound = inbound_of(line)?;
    let reply = from_reply_text(inbound.reply);
    Some(Found {
        read_as: inbound.read_as,
        code: reply.code,
        enhanced: reply.enhanced,
        outcome: None,
        reply: line,
        shown: inbound.reply,
        stage: inbound_stage(inbound.command),
        domain: None,
        inbound: Some(inbound),
    })
}

/// Whether a code may start at `i`: at the start of the text or after a
/// space or punctuation, never inside a number, an IP address or a word.
fn at_boundary(text: &[u8], i: usize) -> bool {
    i == 0
        || matches!(
            text[i - 1],
            b' ' | b'\t' | b'\n' | b'\r' | b'(' | b':' | b';' | b',' | b'"' | b'\'' | b'=' | b'<' | b'#'
        )
}

/// Finds the reply code of a free text: one followed by an enhanced code
/// of its class beats one at the start, after a colon (`said: 550`) or
/// after a DSN diagnostic type (`smtp; 550`). A number anywhere else (`250
/// recipients`, a mailer's exit status `X-Unix; 255`) is no reply code.
fn find_reply(text: &[u8]) -> Option<(u16, Option<Enhanced>)> {
    let mut best: Option<(u8, u16, Option<Enhanced>)> = None;
    for i in (0..text.len()).filter(|&i| at_boundary(text, i)) {
        let Some((code, enhanced)) = parse::reply_at(&text[i..]) else {
            continue;
        };
        let before = text[..i].trim_ascii_end();
        // `Diagnostic-Code: smtp; 550 ...` holds a reply; `X-Unix; 255` or
        // `5.2 hours; 250 recipients` does not.
        let diagnostic = before.strip_suffix(b";").is_some_and(|b| b.to_ascii_lowercase().ends_with(b"smtp"));
        let score = if enhanced.is_some() {
            3
        } else if before.is_empty() || before.ends_with(b":") || diagnostic {
            2
        } else {
            0
        };
        if score > best.map_or(0, |b| b.0) {
            best = Some((score, code, enhanced));
        }
    }
    best.map(|(_, code, enhanced)| (code, enhanced))
}

/// The enhanced codes at word boundaries of a free text, in order.
fn enhanced_codes(text: &[u8]) -> impl Iterator<Item = Enhanced> + '_ {
    (0..text.len()).filter(|&i| at_boundary(text, i)).filter_map(|i| parse::enhanced_at(&text[i..]))
}

/// Reads a free reply text (or a part of a log line).
fn from_reply_text(text: &[u8]) -> Found<'_> {
    let reply = find_reply(text);
    let code = reply.map(|r| r.0);
    let dsn = memmem::find(text, b"dsn=").and_then(|i| parse::enhanced_at(&text[i + 4..]));
    let enhanced = dsn.or(reply.and_then(|r| r.1)).or_else(|| match code {
        Some(code) => enhanced_codes(text).find(|e| u16::from(e.class) == code / 100),
        None => enhanced_codes(text).next(),
    });
    let outcome = memmem::find(text, b"status=").and_then(|i| {
        let word = &text[i + 7..];
        let word = &word[..word.iter().position(|b| !b.is_ascii_alphabetic()).unwrap_or(word.len())];
        match word {
            b"sent" => Some(Outcome::Delivered),
            b"deferred" | b"SOFTBOUNCE" => Some(Outcome::Deferred),
            b"bounced" => Some(Outcome::Bounced),
            _ => None,
        }
    });
    Found {
        read_as: "reply text",
        code,
        enhanced,
        outcome,
        reply: text,
        shown: text,
        stage: stage_in_text(text),
        domain: None,
        inbound: None,
    }
}

/// The command a free reply text says its reply answered: Postfix's last
/// `(in reply to CMD command)` or `refused to talk to me`, Exim's
/// `error ... after CMD`.
fn stage_in_text(text: &[u8]) -> Option<Stage> {
    if let Some(i) = memmem::rfind(text, b"in reply to ") {
        return Stage::of_command(&text[i + 12..]);
    }
    if memmem::find(text, b"refused to talk to me").is_some() {
        return Some(Stage::Connect);
    }
    let error = memmem::find(text, b"error from remote mail").or_else(|| memmem::find(text, b"LMTP error"))?;
    let after = memmem::find(&text[error..], b" after ")? + error + 7;
    Stage::of_command(&text[after..])
}

// ---------------------------------------------------------------------------
// Inbound rejections: our server refused a client
// ---------------------------------------------------------------------------

/// A log line in which our server refused a client: Postfix smtpd,
/// postscreen or cleanup `reject:`, or an Exim `rejected RCPT` and the like.
/// The client is the sending side here, and the advice is for the
/// receiving side: us.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Inbound<'a> {
    /// `Postfix log line` or `Exim log line`.
    read_as: &'static str,
    /// The program that refused (`Postfix smtpd`, `Postfix postscreen`, `Exim`).
    server: &'static str,
    /// The log's word for it (`reject`, `milter-reject`, `rejected`...).
    action: &'static str,
    /// False for Postfix's `reject_warning`: a dry run, nothing refused.
    refused: bool,
    /// The command refused, as the log names it (`RCPT`, `EHLO`,
    /// `END-OF-MESSAGE`; Exim's `after DATA` is `DATA`, its `connection`
    /// is `CONNECT`).
    command: &'a [u8],
    /// The client's host name, when the line gives one (`unknown` when it
    /// has no reverse DNS).
    client_host: Option<&'a [u8]>,
    /// The client's IP address, without a port.
    client_ip: Option<&'a [u8]>,
    /// The envelope sender, when the line names it (empty: the null sender).
    sender: Option<&'a [u8]>,
    /// The recipient, when the line names it.
    recipient: Option<&'a [u8]>,
    /// What our server answered: the text after the client (and for
    /// Postfix before its `; from=<...>` trailer).
    reply: &'a [u8],
}

/// What `explain` says it read an inbound line as.
const POSTFIX_LINE_NAME: &str = "Postfix log line";
const EXIM_LINE_NAME: &str = "Exim log line";

/// The Postfix daemons whose `reject:` refuses a client, with their names.
const POSTFIX_REFUSERS: [(&[u8], &str); 3] =
    [(b"smtpd", "Postfix smtpd"), (b"postscreen", "Postfix postscreen"), (b"cleanup", "Postfix cleanup")];

/// Postfix's words for a refusal, after the queue id; `reject_warning`
/// logs what would have been refused.
const POSTFIX_ACTIONS: [&str; 4] = ["reject", "milter-reject", "proxy-reject", "reject_warning"];

fn inbound_of(line: &[u8]) -> Option<Inbound<'_>> {
    postfix_inbound(line).or_else(|| exim_inbound(line))
}

/// `TAG[pid]: (NOQUEUE|QID): reject: CMD from CLIENT: REPLY; from=<s> to=<r> ...`
/// from a Postfix smtpd, postscreen or cleanup (the daemon is the tag's last
/// part: `postfix/submission/smtpd` is smtpd).
fn postfix_inbound(line: &[u8]) -> Option<Inbound<'_>> {
    let (at, action) = POSTFIX_ACTIONS.iter().find_map(|&action| {
        let needle = [b": ", action.as_bytes(), b": "].concat();
        memmem::find(line, &needle).map(|at| (at, action))
    })?;
    // The queue id (or NOQUEUE), then the tag before it.
    let head = &line[..at];
    let qid_start = memchr::memrchr(b' ', head).map_or(0, |i| i + 1);
    let qid = &head[qid_start..];
    if qid != b"NOQUEUE" && (qid.len() < 5 || !parse::is_alphanumeric(qid)) {
        return None;
    }
    let tag = head[..qid_start].strip_suffix(b": ")?;
    let tag = &tag[memchr::memrchr(b' ', tag).map_or(0, |i| i + 1)..];
    let tag = &tag[..memchr::memchr(b'[', tag).unwrap_or(tag.len())];
    let daemon = &tag[memchr::memrchr(b'/', tag)? + 1..];
    if !tag.starts_with(b"postfix") {
        return None;
    }
    let server = POSTFIX_REFUSERS.iter().find(|r| r.0 == daemon)?.1;
    // `CMD from CLIENT: ` (the client is `name[ip]`, `name[ip]:port` or
    // postscreen's `[ip]:port`; none of them holds ": ").
    let rest = &line[at + action.len() + 4..];
    let space = memchr::memchr(b' ', rest)?;
    let (command, rest) = (&rest[..space], rest[space..].strip_prefix(b" from ")?);
    let colon = memmem::find(rest, b": ").unwrap_or(rest.len());
    let (client_host, client_ip) = postfix_client(&rest[..colon]);
    let rest = rest.get(colon + 2..).unwrap_or_default();
    // The trailer Postfix appends: `; from=<s> to=<r> proto=... helo=<h>`
    // (postscreen separates its fields with commas); lines cut short have none.
    let trailer = [&b"; from=<"[..], b"; to=<", b"; proto=", b"; helo=<"]
        .iter()
        .find_map(|field| memmem::rfind(rest, field))
        .unwrap_or(rest.len());
    let (reply, trailer) = rest.split_at(trailer);
    Some(Inbound {
        read_as: POSTFIX_LINE_NAME,
        server,
        action,
        refused: action != "reject_warning",
        command,
        client_host,
        client_ip,
        sender: field_address(trailer, b"from=<"),
        recipient: field_address(trailer, b"to=<"),
        reply,
    })
}

/// Postfix's client: `name[ip]`, `name[ip]:port` or `[ip]:port`.
fn postfix_client(client: &[u8]) -> (Option<&[u8]>, Option<&[u8]>) {
    let Some(open) = memchr::memchr(b'[', client) else {
        return ((!client.is_empty()).then_some(client), None);
    };
    let close = memchr::memrchr(b']', client).filter(|&c| c > open).unwrap_or(client.len());
    let name = &client[..open];
    ((!name.is_empty()).then_some(name), Some(&client[open + 1..close]))
}

/// The address in `KEY<address>` in `fields`, where the key starts a field
/// (after a space, a comma or a semicolon).
fn field_address<'a>(fields: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    memmem::find_iter(fields, key)
        .filter(|&i| i == 0 || matches!(fields[i - 1], b' ' | b',' | b';'))
        .find_map(|i| parse::bracketed(&fields[i + key.len() - 1..]))
        .map(|(address, _)| address)
}

/// What Exim names after `rejected `, and the command it stands for.
const EXIM_REFUSED: [(&[u8], &[u8]); 10] = [
    (b"RCPT", b"RCPT"),
    (b"MAIL", b"MAIL"),
    (b"after DATA", b"DATA"),
    (b"DATA", b"DATA"),
    (b"EHLO", b"EHLO"),
    (b"HELO", b"HELO"),
    (b"connection", b"CONNECT"),
    (b"VRFY", b"VRFY"),
    (b"EXPN", b"EXPN"),
    (b"ETRN", b"ETRN"),
];

/// `H=name (helo) [ip]:port F=<s> [temporarily ]rejected RCPT <r>: TEXT`,
/// `... rejected after DATA: TEXT`, `... rejected connection in "connect"
/// ACL`, and `rejected EHLO from [ip]: TEXT`, which names no `H=`.
fn exim_inbound(line: &[u8]) -> Option<Inbound<'_>> {
    let (at, command, after) = memmem::find_iter(line, b" rejected ").find_map(|at| {
        let rest = &line[at + 10..];
        EXIM_REFUSED.iter().find_map(|&(word, command)| {
            let after = rest.strip_prefix(word)?;
            matches!(after.first(), None | Some(b' ' | b':')).then_some((at, command, after))
        })
    })?;
    let head = &line[..at];
    let host = memmem::find_iter(head, b"H=")
        .find(|&i| i == 0 || head[i - 1] == b' ')
        .map(|i| &head[i + 2..])
        .or_else(|| (command == b"EHLO" || command == b"HELO").then(|| after.strip_prefix(b" from "))?)?;
    let (client_host, client_ip) = exim_client(host);
    let sender = memmem::find(head, b" F=<").and_then(|i| parse::bracketed(&head[i + 3..])).map(|(s, _)| s);
    let after = after.trim_ascii_start();
    let (named, text) = match parse::bracketed(after) {
        Some((address, rest)) => (Some(address), rest),
        None => (None, after),
    };
    let (sender, recipient) = match command {
        b"MAIL" => (named.or(sender), None),
        b"RCPT" => (sender, named),
        _ => (sender, None),
    };
    let reply = match text.strip_prefix(b":") {
        Some(reply) => reply,
        None => memmem::find(text, b": ").map_or(text, |i| &text[i + 1..]),
    };
    let temporary = head.ends_with(b" temporarily");
    Some(Inbound {
        read_as: EXIM_LINE_NAME,
        server: "Exim",
        action: if temporary { "temporarily rejected" } else { "rejected" },
        refused: true,
        command,
        client_host,
        client_ip,
        sender,
        recipient,
        reply: reply.trim_ascii(),
    })
}

/// Exim's client, the value of `H=`: `name (helo) [ip]:port`, `(helo)
/// [ip]`, `[ip]`. The host name is the word before, unless it is the HELO
/// name in parentheses.
fn exim_client(host: &[u8]) -> (Option<&[u8]>, Option<&[u8]>) {
    let mut name = None;
    for word in host.split(|&b| b == b' ') {
        if let Some(ip) = word.strip_prefix(b"[") {
            let ip = &ip[..memchr::memchr(b']', ip).unwrap_or(ip.len())];
            return (name, Some(ip));
        }
        if word.starts_with(b"(") {
            continue;
        }
        if name.is_some() || word.contains(&b'=') {
            break;
        }
        name = Some(word);
    }
    (name, None)
}

/// The stage of a refused command.
fn inbound_stage(command: &[u8]) -> Option<Stage> {
    match command {
        b"CONNECT" => Some(Stage::Connect),
        b"EHLO" | b"HELO" => Some(Stage::Helo),
        b"MAIL" => Some(Stage::Mail),
        b"RCPT" => Some(Stage::Rcpt),
        b"DATA" | b"BDAT" | b"END-OF-MESSAGE" => Some(Stage::Data),
        b"AUTH" => Some(Stage::Auth),
        b"STARTTLS" => Some(Stage::StartTls),
        _ => None,
    }
}

/// Who refused whom, in one sentence: `our server (Postfix smtpd) refused
/// a message from client h.example [192.0.2.9]: sender <s>, recipient <r>`.
fn inbound_summary(inbound: &Inbound<'_>) -> String {
    let lossy = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let client = match (inbound.client_host, inbound.client_ip) {
        (Some(host), Some(ip)) => format!("client {} [{}]", lossy(host), lossy(ip)),
        (None, Some(ip)) => format!("client [{}]", lossy(ip)),
        (Some(host), None) => format!("client {}", lossy(host)),
        (None, None) => "a client".to_string(),
    };
    let what = match inbound.command {
        b"CONNECT" => format!("the connection of {client}"),
        b"EHLO" | b"HELO" => format!("the {} of {client}", lossy(inbound.command)),
        b"MAIL" | b"RCPT" | b"DATA" | b"BDAT" | b"END-OF-MESSAGE" => format!("a message from {client}"),
        command => format!("a {} from {client}", lossy(command)),
    };
    let verb = match (inbound.refused, inbound.action) {
        (false, _) => "would have refused",
        (true, "temporarily rejected") => "temporarily refused",
        (true, _) => "refused",
    };
    let mut summary = format!("our server ({}) {verb} {what}", inbound.server);
    let envelope: Vec<String> = [("sender", inbound.sender), ("recipient", inbound.recipient)]
        .into_iter()
        .filter_map(|(label, address)| address.map(|a| format!("{label} <{}>", lossy(a))))
        .collect();
    if !envelope.is_empty() {
        summary.push_str(": ");
        summary.push_str(&envelope.join(", "));
    }
    if !inbound.refused {
        summary.push_str(" (reject_warning: a dry run, nothing was refused)");
    }
    summary
}

/// What to do about a refusal by our own server, by the reason the
/// classifier gives (its [`Reason::advice`] is for the sending side).
/// `helo` is set when the line says the client's HELO name was refused.
fn inbound_advice(reason: Reason, helo: bool, refused: bool) -> &'static str {
    if !refused {
        return "Nothing was refused: reject_warning only logs what a restriction would do (warn_if_reject). \
                Check that refusing such clients is right before making the restriction real.";
    }
    if helo && !matches!(reason, Reason::RateLimited | Reason::Greylisted) {
        return "Our server refused the client's HELO name (not a fully qualified name, not in DNS, or \
                claiming to be us). Nothing to do for spam; a legitimate client's operator must fix its \
                HELO name, or exempt it here (Postfix check_helo_access or check_client_access, Exim the \
                HELO ACL).";
    }
    match reason {
        Reason::Blocked | Reason::BadReputation => {
            "Our server refused the client by its IP address or name: a DNS blocklist it looked the client \
             up in (named in the reply) or a local access rule. Nothing to do if the client sends spam. If \
             it is a legitimate sender, check that client's listing (its IP, not yours) and exempt it here: \
             Postfix check_client_access or postscreen_access_list, Exim a host list in the ACL."
        }
        Reason::UserUnknown => {
            "The client sent to an address that does not exist here: nothing to do for a typo or a guessed \
             address. If the address should exist, check the aliases, virtual maps and local recipient \
             table (Postfix alias_maps, virtual_alias_maps, local_recipient_maps; Exim the routers)."
        }
        Reason::HostUnknown | Reason::NotAccept => {
            "The client gave an address whose domain does not exist, accepts no mail or is not routed \
             here: nothing to do for a typo or spam. If the domain is ours, check that it is listed \
             (Postfix mydestination, virtual_mailbox_domains, relay_domains; Exim local_domains, \
             relay_to_domains) and that its DNS resolves."
        }
        Reason::NoRelaying => {
            "The client tried to relay through us to a domain that is not ours: nothing to do for a relay \
             probe. If it is one of your users, they must authenticate (SASL on port 587) or send from \
             mynetworks (Exim relay_from_hosts); if the domain is ours, add it to relay_domains or \
             mydestination."
        }
        Reason::Rejected => {
            "Our server refused the client's sender address (its domain does not resolve, or a sender \
             check). Nothing to do for spam; after a 4xx the client retries once the domain resolves. If \
             a legitimate sender is refused, check its domain's DNS or exempt it (Postfix \
             check_sender_access, Exim the MAIL ACL)."
        }
        Reason::Greylisted => {
            "Greylisting: the client was told to come back later and a real MTA does; nothing to do. If a \
             legitimate sender keeps being delayed (a pool of sending IPs), whitelist it in the greylisting \
             policy."
        }
        Reason::RateLimited => {
            "Our server is limiting this client (connections, messages or recipients per time); it retries \
             later. If a legitimate client is throttled, raise its limits (Postfix anvil's \
             smtpd_client_*_rate_limit and smtpd_client_event_limit_exceptions, Exim the ratelimit ACL)."
        }
        Reason::SpamDetected | Reason::VirusDetected => {
            "Our content filter (a milter such as SpamAssassin or rspamd, a virus scanner, header or body \
             checks) refused the message: nothing to do unless it was wanted; then check the filter's \
             verdict for it and whitelist the sender there."
        }
        Reason::AuthFailure => {
            "The message failed our SPF, DKIM or DMARC check: nothing to do for forged mail. If it is \
             legitimate, the sending domain must fix its records; meanwhile exempt it in the checker."
        }
        Reason::RequirePtr => {
            "The client's IP address has no valid reverse DNS (Postfix reject_unknown_client_hostname or \
             reject_unknown_reverse_client_hostname): nothing to do for spam. A legitimate client's \
             operator must fix its PTR record, or exempt it here (check_client_access)."
        }
        Reason::EmailTooLarge => {
            "The message is larger than our limit (Postfix and Exim message_size_limit): raise it if such \
             messages should come in."
        }
        Reason::MailboxFull | Reason::Suspend | Reason::HasMoved => {
            "The local recipient's mailbox is over quota, disabled or moved: tell the recipient or fix the \
             account if mail should reach it."
        }
        Reason::SystemError | Reason::SystemFull | Reason::NetworkError | Reason::MailerError => {
            "Our server could not take the message because of a problem on our side (a lookup table, \
             policy service, milter or disk): check the MTA's log around this line. After a 4xx the \
             client retries."
        }
        Reason::FailedStartTls | Reason::SecurityError => {
            "TLS or authentication with the client failed, or our policy requires it: a legitimate user \
             must use TLS and log in with the right credentials; many failures from one IP are a \
             password-guessing attack."
        }
        Reason::ContentError | Reason::NotCompliantRfc | Reason::SyntaxError => {
            "The client sent a malformed command, address or message: nothing to do unless a legitimate \
             client keeps failing; then find the check that refused it in our configuration."
        }
        Reason::PolicyViolation
        | Reason::Filtered
        | Reason::Suppressed
        | Reason::Delivered
        | Reason::Expired
        | Reason::OnHold
        | Reason::Undefined => {
            "Read the reply: it says which of our checks refused the client. Nothing to do if the client \
             is unwanted; if it is legitimate, find that check in our configuration (Postfix \
             smtpd_*_restrictions, Exim the ACLs) and exempt it."
        }
    }
}

// ---------------------------------------------------------------------------
// Text output
// ---------------------------------------------------------------------------

/// The widest line written.
const WIDTH: usize = 79;
/// The indent of rows under a heading.
const INDENT: &str = "  ";
/// The width of the label column, its padding included.
const LABEL: usize = 10;
/// The width of one value column in a comparison.
const COLUMN: usize = (WIDTH - INDENT.len() - LABEL - 2) / 2;

fn render_text(explanation: &Explanation) -> String {
    let mut s = String::new();
    match explanation {
        Explanation::Code(entry) => render_code(&mut s, entry),
        Explanation::Pair(pair) => render_pair(&mut s, pair),
        Explanation::Comparison(comparison) => render_comparison(&mut s, comparison),
        Explanation::Codes { entries } => {
            for (i, entry) in entries.iter().enumerate() {
                if i > 0 {
                    s.push('\n');
                }
                render_code(&mut s, entry);
            }
        }
        Explanation::Text(entry) => render_text_entry(&mut s, entry),
    }
    s
}

/// Splits `text` into lines of at most `first` characters for the first
/// line and `rest` for the others; words longer than a line are cut. Runs
/// of spaces inside a line are kept (they separate fields), other
/// whitespace counts as a space.
fn wrap(text: &str, first: usize, rest: usize) -> Vec<String> {
    let text: String = text.chars().map(|c| if c.is_whitespace() { ' ' } else { c }).collect();
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for (i, piece) in text.split(' ').enumerate() {
        // Each piece but the first follows one space; empty pieces are more spaces.
        let gap = usize::from(i > 0);
        if piece.is_empty() {
            if len > 0 {
                line.push(' ');
                len += gap;
            }
            continue;
        }
        let mut word: Vec<char> = piece.chars().collect();
        let mut sep = if len > 0 { gap } else { 0 };
        loop {
            let width = if lines.is_empty() { first } else { rest };
            if len + sep + word.len() <= width {
                line.extend(std::iter::repeat_n(' ', sep));
                line.extend(&word);
                len += sep + word.len();
                break;
            }
            if len > 0 {
                lines.push(std::mem::take(&mut line).trim_end().to_string());
                (len, sep) = (0, 0);
                continue;
            }
            // A word longer than a whole line: cut it.
            let tail = word.split_off(width);
            lines.push(word.into_iter().collect());
            word = tail;
        }
    }
    let line = line.trim_end();
    if !line.is_empty() || lines.is_empty() {
        lines.push(line.to_string());
    }
    lines
}

/// Writes `value` after `first`, continued on lines indented like `first` is wide.
fn hanging(s: &mut String, first: &str, value: &str) {
    let indent = first.chars().count();
    for (i, line) in wrap(value, WIDTH - indent, WIDTH - indent).iter().enumerate() {
        if i == 0 {
            s.push_str(first);
        } else {
            s.extend(std::iter::repeat_n(' ', indent));
        }
        s.push_str(line);
        s.truncate(s.trim_end_matches(' ').len());
        s.push('\n');
    }
}

/// A heading: `value` starts at the left margin, continuation lines are indented.
fn heading(s: &mut String, value: &str) {
    for (i, line) in wrap(value, WIDTH, WIDTH - 4).iter().enumerate() {
        if i > 0 {
            s.push_str("    ");
        }
        s.push_str(line);
        s.push('\n');
    }
}

fn row(s: &mut String, label: &str, value: &str) {
    hanging(s, &format!("{INDENT}{label:<LABEL$}"), value);
}

fn outcome_words(verdict: &VerdictInfo) -> String {
    match verdict.outcome_from {
        FROM_CLASS => format!("(if the MTA {} it)", verdict.outcome),
        FROM_LOG => format!("(the log says {})", verdict.outcome),
        _ => format!("(assumed {}: no code says otherwise)", verdict.outcome),
    }
}

/// `also      E5.7.1 matches too: blocked (bounce type block): ...`.
fn runner_up_row(s: &mut String, v: &VerdictInfo) {
    if let Some(next) = &v.runner_up {
        row(
            s,
            "also",
            &format!(
                "{} matches too, after {}: {} (bounce type {}): {}",
                next.rule.id, v.rule.id, next.reason, next.bounce_type, next.rule.what
            ),
        );
    }
}

fn reason_row(s: &mut String, verdict: Option<&VerdictInfo>, why_none: Option<&str>) {
    match verdict {
        Some(v) => {
            row(s, "reason", &format!("{}   bounce type: {}   {}", v.reason, v.bounce_type, outcome_words(v)));
        }
        None => row(s, "reason", why_none.unwrap_or("none")),
    }
}

fn render_code(s: &mut String, e: &CodeEntry) {
    hanging(s, &format!("{}  ", e.code), &format!("{}: {}", e.class.title, e.class.means));
    row(s, "meaning", &e.meaning);
    if let Some(subject) = &e.subject {
        row(s, "subject", &format!("X.{} {}: {}", subject.number, subject.name, subject.about));
    }
    row(s, "message", e.class.message);
    if let Some(seen) = e.when_seen {
        row(s, "seen", seen);
    }
    row(s, "do", e.what_to_do);
    if let Some(siblings) = e.siblings {
        row(s, "siblings", siblings);
    }
    for note in &e.notes {
        row(s, "note", note);
    }
    reason_row(s, e.verdict.as_ref(), e.no_verdict.as_deref());
    row(s, "source", e.source);
}

fn render_pair(s: &mut String, p: &PairEntry) {
    hanging(s, &format!("{}  ", p.codes), &format!("{}: {}", p.class.title, p.class.means));
    row(s, &p.reply.code, &p.reply.meaning);
    let subject = p.enhanced.subject.as_ref().map_or("", |s| s.name);
    row(s, &p.enhanced.code, &format!("{} ({subject})", p.enhanced.meaning));
    if let Some(note) = &p.class_note {
        row(s, "note", note);
    }
    row(s, "message", p.class.message);
    for entry in [&p.reply, &p.enhanced] {
        if let Some(seen) = entry.when_seen {
            row(s, "seen", &format!("{}: {seen}", entry.code));
        }
    }
    row(s, "do", p.reply.what_to_do);
    for note in p.reply.notes.iter().chain(&p.enhanced.notes) {
        row(s, "note", note);
    }
    reason_row(s, p.verdict.as_ref(), p.no_verdict.as_deref());
    if let Some(v) = &p.verdict {
        row(s, "rule", &format!("{}: {}", v.rule.id, v.rule.what));
        row(s, "advice", v.advice);
    }
    row(s, "source", &format!("{}: {}; {}: {}", p.reply.code, p.reply.source, p.enhanced.code, p.enhanced.source));
}

fn render_comparison(s: &mut String, c: &Comparison) {
    if let (Some(left), Some(right)) = (brief_of(&c.left), brief_of(&c.right)) {
        return render_briefly(s, c, [(&c.left, left), (&c.right, right)]);
    }
    heading(s, &format!("{} versus {}", c.left.code, c.right.code));
    hanging(s, INDENT, &c.summary);
    s.push('\n');
    columns(s, "", &c.left.code, &c.right.code);
    for row in &c.rows {
        if row.left == row.right {
            self::row(s, row.label, &format!("both: {}", row.left));
        } else {
            columns(s, row.label, &row.left, &row.right);
        }
    }
}

/// Two codes that both have a [`Brief`], one after the other: the summary
/// in the heading, then for each code its class and meaning, and its
/// condensed notes, so that the comparison fits one screen (at most 40
/// lines). The JSON rows keep the whole texts.
fn render_briefly(s: &mut String, c: &Comparison, entries: [(&CodeEntry, &Brief); 2]) {
    heading(s, &format!("{} versus {}: {}", c.left.code, c.right.code, c.summary));
    for (e, brief) in entries {
        s.push('\n');
        hanging(s, &format!("{}  ", e.code), &format!("{}: {}", e.class.title, e.meaning));
        row(s, "seen", brief.seen);
        row(s, "do", brief.todo);
        row(s, "siblings", brief.siblings);
        let reason = match &e.verdict {
            Some(v) => format!("{}, bounce type {} {}", v.reason, v.bounce_type, outcome_words(v)),
            None if e.class.digit == 2 => "none: no delivery result (only 250 or 251 after the data is one)".into(),
            None => e.no_verdict.clone().unwrap_or_else(|| "none".into()),
        };
        row(s, "reason", &reason);
        row(s, "source", e.source);
    }
}

fn columns(s: &mut String, label: &str, left: &str, right: &str) {
    let (left, right) = (wrap(left, COLUMN, COLUMN), wrap(right, COLUMN, COLUMN));
    for i in 0..left.len().max(right.len()) {
        let label = if i == 0 { label } else { "" };
        let a = left.get(i).map_or("", String::as_str);
        let b = right.get(i).map_or("", String::as_str);
        let line = format!("{INDENT}{label:<LABEL$}{a:<COLUMN$}  {b}");
        s.push_str(line.trim_end());
        s.push('\n');
    }
}

fn render_text_entry(s: &mut String, t: &TextEntry) {
    heading(s, t.read_as);
    row(s, "text", &t.text);
    if let Some(inbound) = &t.inbound {
        row(s, "inbound", &inbound.summary);
    }
    if let Some(reply) = &t.reply {
        row(s, "reply", reply);
    }
    if let Some(stage) = t.stage {
        row(s, "stage", stage);
    }
    let codes = match (&t.reply_code, &t.enhanced_code) {
        (Some(code), Some(enhanced)) => format!("{code} {enhanced}"),
        (Some(code), None) => code.clone(),
        (None, Some(enhanced)) => enhanced.clone(),
        (None, None) => "none found".to_string(),
    };
    row(s, "codes", &format!("{codes}: {}", t.description));
    if let Some(class) = &t.class {
        row(s, "class", &format!("{}: {}", class.title, class.means));
    }
    for note in &t.notes {
        row(s, "note", note);
    }
    match &t.verdict {
        Some(v) => {
            reason_row(s, Some(v), None);
            row(s, "rule", &format!("{}: {}", v.rule.id, v.rule.what));
            runner_up_row(s, v);
            row(s, "means", v.reason_meaning);
            row(s, "do", v.advice);
        }
        None => reason_row(s, None, t.no_verdict.as_deref()),
    }
}

// ---------------------------------------------------------------------------
// The prose
// ---------------------------------------------------------------------------

/// What a class means, in the words of this module.
struct ClassText {
    reply_title: &'static str,
    enhanced_title: &'static str,
    means: &'static str,
    message: &'static str,
    /// "a success (2xx)", for comparisons.
    single: &'static str,
    /// "successes (2xx)", for comparisons.
    plural: &'static str,
    /// When an unregistered code of this class is seen.
    seen: &'static str,
    /// What to do about an unregistered code of this class.
    todo: &'static str,
}

static CLASSES: [ClassText; 4] = [
    ClassText {
        reply_title: "positive completion (2xx)",
        enhanced_title: "success (2.x.x)",
        means: "the action was completed",
        message: "Nothing more happens: the server did what was asked. Only 250 or 251 after the message \
                  data means the server took the message and is now responsible for it.",
        single: "a success (2xx): the server did what was asked",
        plural: "successes (2xx)",
        seen: "A success reply that no RFC or registry defines; some servers number their own replies.",
        todo: "Nothing; read the text for what it answered.",
    },
    ClassText {
        reply_title: "positive intermediate (3xx)",
        enhanced_title: "intermediate (3.x.x)",
        means: "accepted, more input is needed",
        message: "No outcome yet: the server waits for the next part (the message data, an AUTH step). \
                  A delivery never ends on a 3xx reply.",
        single: "an intermediate reply (3xx), never a final outcome",
        plural: "intermediate replies (3xx), never final outcomes",
        seen: "An intermediate reply that no RFC or registry defines.",
        todo: "Nothing; if a session ends on it, the connection broke off and the MTA retries.",
    },
    ClassText {
        reply_title: "transient negative completion (4xx)",
        enhanced_title: "persistent transient failure (4.x.x)",
        means: "not done now, a later try may work",
        message: "The MTA keeps the message in its queue and retries at growing intervals until the queue \
                  lifetime runs out (Postfix: maximal_queue_lifetime, 5 days by default; Exim: its retry \
                  rules); only then does it bounce the message to the sender.",
        single: "a temporary failure (4xx): the MTA keeps the message and retries",
        plural: "temporary failures (4xx)",
        seen: "A temporary failure that no RFC or registry defines; the text says what went wrong.",
        todo: "Nothing at first: the MTA retries. If it persists, read the text and contact the receiving \
               site.",
    },
    ClassText {
        reply_title: "permanent negative completion (5xx)",
        enhanced_title: "permanent failure (5.x.x)",
        means: "not done; the same command unchanged fails again",
        message: "The MTA gives up on this recipient at once and sends the sender a bounce (a non-delivery \
                  report); sending the same message again unchanged fails the same way.",
        single: "a permanent failure (5xx): the message bounces",
        plural: "permanent failures (5xx)",
        seen: "A permanent failure that no RFC or registry defines; the text says what went wrong.",
        todo: "Read the text and fix what it names before sending again.",
    },
];

fn class_text(class: Class) -> &'static ClassText {
    &CLASSES[usize::from(class_digit(class) - 2)]
}

/// What each enhanced code subject covers, indexed by subject.
static SUBJECT_ABOUT: [&str; 8] = [
    "The code says nothing beyond its class. Postfix writes X.0.0 itself when the remote reply had no \
     enhanced code, so 5.0.0 in a Postfix log means \"no detail\".",
    "An address is wrong, the recipient's or the sender's: it does not exist, its syntax is bad, or its \
     domain takes no mail. Usually the sender can fix it.",
    "The recipient's mailbox exists but has a problem: full, disabled, or limited in size. The recipient \
     controls it.",
    "The receiving mail system as a whole: full, not accepting mail, misconfigured, or unable to handle \
     the message. Its administrator controls it.",
    "Getting the message there: DNS, routing, connections, loops and expiry. Often a problem between the \
     two servers rather than in either.",
    "The SMTP conversation itself: invalid commands or arguments, too many recipients, protocol versions.",
    "The message content: media types, conversions, and international (UTF-8) addresses and headers.",
    "Refusals over authorization, reputation, authentication (SPF, DKIM, DMARC, ARC), \
     encryption or local rules. X.7.1 covers nearly every kind of refusal, so the text matters most.",
];

/// For every code of [`registry::REPLY_CODES`]: the document that defines
/// it, when it is seen, and what to do.
static REPLY_NOTES: &[(u16, &str, &str, &str)] = &[
    (
        211,
        "RFC 5321 §4.2.2",
        "Answer to a HELP or status request. It is not part of delivering a message and never a delivery \
         result.",
        "Nothing; it is informational.",
    ),
    (214, "RFC 5321 §4.2.2", "Answer to HELP: text meant for a person reading the session.", "Nothing."),
    (
        220,
        "RFC 5321 §4.2.2, §3.1; RFC 3207 §4",
        "The greeting when a client connects, and the go-ahead after STARTTLS before the TLS handshake.",
        "Nothing; the client goes on with EHLO or the handshake. It shows the server was reachable.",
    ),
    (
        221,
        "RFC 5321 §4.2.2, §4.1.1.10",
        "Answer to QUIT: the server closes the connection at the end of a session.",
        "Nothing.",
    ),
    (
        235,
        "RFC 4954 §6",
        "Answer to AUTH when the credentials were accepted (mail submission, authenticated relaying).",
        "Nothing; the client goes on with MAIL FROM.",
    ),
    (
        250,
        "RFC 5321 §4.2.2, §4.1.1.4",
        "The normal success reply to MAIL, RCPT and most other commands. After the message data it means \
         the server accepted the message (RFC 5321 §4.1.1.4); Postfix logs status=sent, Exim =>. After \
         ETRN (RFC 1985) it means the queue run started.",
        "Nothing: the message reached that server. It can still bounce later from there, as a separate \
         bounce message to the sender.",
    ),
    (
        251,
        "RFC 5321 §3.4, §4.2.2",
        "Answer to RCPT when the recipient is not local and the server will forward the message to the \
         address it names.",
        "Nothing is wrong; you may update the stored address to the one given.",
    ),
    (
        252,
        "RFC 5321 §3.5.3, §4.2.2, §7.3; RFC 1123 §5.2.3; RFC 1985 (ETRN)",
        "Answer to VRFY or EXPN, never to RCPT or the message data, so never a per-recipient result in \
         Postfix or Exim logs. The server will not confirm whether the mailbox exists (RFC 5321 §7.3: a \
         site that turns VRFY off for privacy answers 252, against address harvesting). Postfix answers \
         252 2.0.0 to an address that passes its recipient restrictions, the rejection (such as 550 \
         5.1.1) to one that fails them, and 502 5.5.1 to every VRFY with disable_vrfy_command = yes; it \
         logs an answered VRFY only as vrfy=N in the disconnect line. Sendmail with novrfy answers 252 \
         2.5.2; Exim without a VRFY ACL answers 252 and logs it as a rejected VRFY. After ETRN (RFC \
         1985) 252 means the queue run for the node started.",
        "Nothing: it says nothing about the address, good or bad. Send the message normally; only the \
         answer to RCPT and the delivery tell whether the address works.",
    ),
    (
        253,
        "RFC 1985",
        "Answer to ETRN when the server has started delivering the messages queued for the node (RFC \
         1985).",
        "Nothing; the messages are on their way.",
    ),
    (
        334,
        "RFC 4954 §4",
        "A challenge in the middle of SMTP AUTH: the server waits for the client's next response.",
        "Nothing; the client answers the challenge.",
    ),
    (
        354,
        "RFC 5321 §4.2.2, §4.1.1.4",
        "Answer to DATA: the server is ready for the message, which ends with a line holding a single dot.",
        "Nothing; the client sends the message. If a session ends here, it broke off during the data and \
         the MTA retries.",
    ),
    (
        355,
        "RFC 1845 (experimental)",
        "Checkpoint/restart extension (RFC 1845, experimental): the server tells the client where to \
         resume an interrupted transfer. Rare.",
        "Nothing.",
    ),
    (
        421,
        "RFC 5321 §3.8, §4.2.2",
        "Greeting or answer to any command when the server is shutting down, overloaded, or limiting \
         connections or sending rate, often by the sender's reputation (Gmail, Yahoo and Microsoft \
         throttle this way). The server closes the connection after it.",
        "Nothing at first: the MTA retries, other MX hosts too. If it persists, read the text: for a rate \
         or reputation limit, send more slowly (fewer connections and messages per connection) and check \
         the sending IP's reputation and its SPF, DKIM and DMARC.",
    ),
    (
        422,
        "IANA enhanced status code registry (RFC 5248): associated with X.7.12",
        "No RFC defines it as a reply; the enhanced code registry pairs it with X.7.12 (a password \
         transition is needed). Rarely seen.",
        "Only submission is concerned: authenticate once with PLAIN over TLS, as for 432.",
    ),
    (
        430,
        "IANA enhanced status code registry (RFC 5248): associated with X.5.1",
        "No RFC defines it as a reply; the enhanced code registry pairs it with X.5.1 (invalid command) \
         as a temporary failure. Rarely seen.",
        "The MTA retries; if it persists, check what the client sends.",
    ),
    (
        432,
        "RFC 4954 §6",
        "Answer to AUTH on a submission server when the account must log in once with a plain mechanism \
         so that the server can convert its stored password (RFC 4954).",
        "Submission only: authenticate once with PLAIN over TLS. Relayed mail is not concerned.",
    ),
    (
        450,
        "RFC 5321 §4.2.2",
        "Answer to RCPT (or MAIL) when the mailbox is unavailable for now: locked or busy, greylisting, a \
         temporary policy block, or a recipient domain that does not resolve at the moment (Postfix's \
         default for unknown domains).",
        "Nothing at first: the MTA retries. Greylisting clears after a retry or two; if it lasts for days, \
         read the text.",
    ),
    (
        451,
        "RFC 5321 §4.2.2",
        "The server had a local problem while handling the command: a content scanner or database down, a \
         failed DNS lookup, an SPF temporary error, or greylisting.",
        "Nothing at first: the MTA retries. If it persists for one domain, tell its postmaster.",
    ),
    (
        452,
        "RFC 5321 §4.2.2, §4.5.3.1.10",
        "Answer to RCPT or after the data when the server is short of storage, the mailbox is over quota, \
         or the transaction has too many recipients (then with 4.5.3).",
        "Nothing at first: the MTA retries, and sends surplus recipients in a new transaction by itself. \
         A full mailbox needs the recipient to clean up.",
    ),
    (
        453,
        "RFC 2645",
        "Answer to ATRN in On-Demand Mail Relay (RFC 2645) when no mail is waiting for the client.",
        "Nothing.",
    ),
    (
        454,
        "RFC 4954 §6; RFC 3207 §4",
        "Answer to AUTH when the authentication backend is down for now, to STARTTLS when TLS is \
         unavailable for now, and at some sites to RCPT when relaying needs authentication.",
        "The MTA retries. If it lasts, check the server's TLS setup, or the client's credentials and relay \
         permissions.",
    ),
    (
        455,
        "RFC 5321 §4.2.2",
        "Answer to MAIL or RCPT when the server understands the parameters (SIZE, a priority, ...) but \
         cannot accept them now.",
        "Retry later, or send without the parameter.",
    ),
    (
        456,
        "draft-martin-smtp-ipv6-to-ipv4-fallback (expired draft)",
        "From an expired draft: the server asks the client to retry at once over IPv4, usually because \
         the IPv6 address lacks reverse DNS or reputation.",
        "Send over IPv4, or give the IPv6 address a reverse DNS name and proper SPF/DKIM.",
    ),
    (
        458,
        "RFC 1985",
        "Answer to ETRN when the server cannot start a queue run for the node (RFC 1985).",
        "Retry the ETRN later.",
    ),
    (
        459,
        "RFC 1985",
        "Answer to ETRN when the node is not allowed to request a queue run (RFC 1985).",
        "Ask the server's administrator to allow the node.",
    ),
    (
        500,
        "RFC 5321 §4.2.2; RFC 4954 §4",
        "Answer to a command the server does not recognise, or to a line that is too long.",
        "Fix the client or the program that talks SMTP; the same command fails again.",
    ),
    (
        501,
        "RFC 5321 §4.2.2; RFC 3207 §4",
        "Answer to a command with malformed arguments: bad address syntax in MAIL or RCPT, a bad EHLO \
         name, STARTTLS with a parameter.",
        "Fix the address or the argument; if the address came from a form, validate it there.",
    ),
    (
        502,
        "RFC 5321 §4.2.2, §4.2.4",
        "Answer to a command the server knows but does not offer, such as VRFY when Postfix has \
         disable_vrfy_command = yes.",
        "Do not use that command with this server.",
    ),
    (
        503,
        "RFC 5321 §4.2.2",
        "Commands in the wrong order: RCPT before MAIL, DATA without an accepted recipient, AUTH twice. \
         Pipelining clients also get it after an earlier refusal in the same session.",
        "Look at the reply before it, which is usually the real refusal; otherwise fix the client.",
    ),
    (
        504,
        "RFC 5321 §4.2.2; RFC 4954 §4",
        "Answer to a command parameter or an AUTH mechanism the server does not implement.",
        "Use another parameter or mechanism.",
    ),
    (
        520,
        "draft-fanf-smtp-quickstart (expired draft)",
        "From an expired draft (SMTP quickstart): the client used a wrong QHLO identifier. Practically \
         never seen.",
        "Fall back to a normal EHLO session.",
    ),
    (
        521,
        "RFC 7504 §3 (first described in RFC 1846)",
        "Greeting of a host that never accepts mail (RFC 7504 §3), such as a web server answering on port 25. \
         It is about that host, not the domain: by default Postfix treats a 5xx greeting as temporary \
         (smtp_skip_5xx_greeting = yes) and tries the domain's next MX host.",
        "Nothing while the domain has other MX hosts: the MTA tries them. If every MX host answers 521, \
         the domain takes no mail: correct or remove the address.",
    ),
    (
        523,
        "IANA enhanced status code registry (RFC 5248): associated with X.7.10",
        "No RFC defines it as a reply; the enhanced code registry pairs it with X.7.10: the \
         authentication mechanism needs an encrypted session.",
        "Start TLS first, or use a stronger mechanism.",
    ),
    (
        524,
        "IANA enhanced status code registry (RFC 5248): associated with X.7.11",
        "No RFC defines it as a reply; the enhanced code registry pairs it with X.7.11: the chosen \
         authentication mechanism is allowed only inside TLS.",
        "Start TLS before AUTH.",
    ),
    (
        525,
        "IANA enhanced status code registry (RFC 5248): associated with X.7.13",
        "No RFC defines it as a reply; the enhanced code registry pairs it with X.7.13 (RFC 5248): the \
         account of the user who authenticated (SMTP AUTH) is disabled. It concerns a login at a \
         submission server or smarthost, not a recipient's mailbox.",
        "Ask the provider of the submission server or smarthost to enable the account, or log in with \
         another one.",
    ),
    (
        530,
        "RFC 4954 §6; RFC 3207 §4",
        "Answer to MAIL or AUTH when the server demands authentication or STARTTLS first (RFC 4954, RFC \
         3207).",
        "Make the client use STARTTLS and authenticate. Between servers it means the target is a \
         submission service, not an MX host.",
    ),
    (
        533,
        "IANA enhanced status code registry (RFC 5248): associated with X.7.1",
        "No RFC defines it as a reply; the enhanced code registry pairs it with X.7.1 (delivery not \
         authorized). Rarely seen.",
        "Read the text; treat it like 550 5.7.1.",
    ),
    (
        534,
        "RFC 4954 §6",
        "Answer to AUTH when the chosen mechanism is weaker than the server's policy allows (RFC 4954).",
        "Use a stronger mechanism, or start TLS first.",
    ),
    (
        535,
        "RFC 4954 §6",
        "Answer to AUTH when the user name or password is wrong.",
        "Fix the credentials; repeated failures may get the client blocked.",
    ),
    (
        538,
        "RFC 4954 §6",
        "Answer to AUTH when the mechanism is allowed only inside TLS (RFC 4954).",
        "Start TLS before AUTH.",
    ),
    (
        550,
        "RFC 5321 §4.2.2",
        "The catch-all refusal, mostly to RCPT or after the data: unknown mailbox, access denied, relay \
         denied, a block list hit, a spam or policy rejection. The enhanced code and the text tell which.",
        "Read the enhanced code and the text (bounces explain \"<the whole reply>\"); do not resend \
         unchanged. Remove the address only when the reply says the mailbox does not exist.",
    ),
    (
        551,
        "RFC 5321 §3.4, §4.2.2",
        "Answer to RCPT when the recipient is not local and the server will not forward; it may name the \
         new address.",
        "Update the address to the one given, or ask the recipient for the new one.",
    ),
    (
        552,
        "RFC 5321 §4.2.2, §4.5.3.1.10",
        "Answer to RCPT or after the data when storage is exceeded: the mailbox is over quota (5.2.2), \
         the message is too big (5.2.3, 5.3.4), or, from old servers, too many recipients.",
        "Over quota (5.2.2): a soft bounce, as RFC 3463 calls a full mailbox transient; the MTA has bounced \
         it, so send again later. Too big: send a smaller message. Too many recipients: send them in \
         smaller groups (RFC 5321 §4.5.3.1.10 says to treat it as temporary).",
    ),
    (
        553,
        "RFC 5321 §4.2.2; RFC 6531",
        "Answer to MAIL or RCPT when the address is not allowed: bad syntax, a sender domain the server \
         refuses, or a non-ASCII address without SMTPUTF8.",
        "Fix the address; as a sender, use a domain that exists and resolves.",
    ),
    (
        554,
        "RFC 5321 §4.2.2, §3.1",
        "A general permanent failure, mostly after the data for content, spam or virus rejections. As a \
         greeting it means \"no SMTP service here\" or a block of the client's IP; Postfix then defers \
         and tries the next MX host.",
        "Read the text: at the greeting it is usually an IP block (check block lists), after the data a \
         content rejection.",
    ),
    (
        555,
        "RFC 5321 §4.2.2",
        "Answer to MAIL FROM or RCPT TO carrying an ESMTP parameter the server does not know or support \
         (SIZE, BODY, SMTPUTF8, ...).",
        "Send without the parameter, or fix the client.",
    ),
    (
        556,
        "RFC 7504 §4; RFC 7505 §3, §4.1",
        "Sent by an SMTP client or relay, never by the recipient's domain, which has no server to answer: \
         RFC 7504 §4 defines it for a relay that finds the next domain takes no mail, in practice because \
         it publishes a null MX (RFC 7505 §3: \"MX 0 .\"; §4.1 asks for 556 5.1.10). You meet it from your own smarthost or submission \
         server, at RCPT or in the bounce it sends back; Postfix as that server answers 556 5.1.10 only \
         with reject_unknown_recipient_domain. A sending Postfix or Exim that finds the null MX itself \
         logs no 556: Postfix dsn=5.1.0 ... does not accept mail (nullMX), Exim \"an MX or SRV record \
         indicated no SMTP service\".",
        "Correct the address (often a typo or a web-only domain) or remove it: no address at that domain \
         can get mail while the null MX is published. The MTA does not retry a 5xx.",
    ),
    (
        557,
        "draft-moore-email-addrquery (expired draft)",
        "From an expired draft (address query): a reply carrying information about an address. \
         Practically never seen.",
        "Nothing.",
    ),
];

/// Related codes a reader may confuse a reply code with.
static REPLY_SIBLINGS: &[(u16, &str)] = &[
    (
        250,
        "252 (VRFY: the address was not verified), 251 (accepted, forwarded to another address), 2.x.x \
         details in Postfix's dsn=",
    ),
    (
        252,
        "250 (VRFY: the address is verified), 251 and 551 (not local), 550 5.1.1 (VRFY of an unknown \
         address), 553 (ambiguous address, RFC 5321 §3.5.3), 502 5.5.1 (VRFY turned off)",
    ),
    (
        521,
        "556 (a relay found the next domain takes no mail), 554 at the greeting (no SMTP service here), \
         X.3.2 (system not accepting network messages)",
    ),
    (
        550,
        "551 (not local), 552 (storage), 553 (address not allowed), 554 (transaction failed), 556 (the \
         domain takes no mail)",
    ),
    (554, "521 (the host never accepts mail, RFC 7504 §3), 550 (mailbox unavailable or access refused)"),
    (
        556,
        "521 (one host takes no mail, RFC 7504 §3; Postfix then tries the next MX host); 550 5.7.27 (the \
         sender's domain has a null MX, RFC 7505 §4.1); 5.1.10 (the recipient's null MX, in bounces and with 556); \
         Postfix dsn=5.1.0 ... (nullMX) and Exim's \"an MX or SRV record indicated no SMTP service\" (the \
         sending MTA found the null MX itself)",
    ),
];

/// A reply code's notes condensed for a comparison on one screen: the same
/// facts as its [`REPLY_NOTES`] and [`REPLY_SIBLINGS`] entries, in fewer
/// words. Only for codes whose whole notes are too long to compare.
struct Brief {
    code: u16,
    seen: &'static str,
    todo: &'static str,
    siblings: &'static str,
}

static BRIEFS: [Brief; 2] = [
    Brief {
        code: 252,
        seen: "Answers VRFY or EXPN, never RCPT or the data, so never a per-recipient result in Postfix or Exim \
               logs. It confirms nothing (RFC 5321 §7.3: a site that turns VRFY off against address harvesting \
               answers 252). Postfix: 252 2.0.0 only if the address passes its recipient restrictions, else the \
               rejection (550 5.1.1); 502 5.5.1 to every VRFY with disable_vrfy_command = yes; logged only as \
               vrfy=N. Sendmail with novrfy: 252 2.5.2. Exim without a VRFY ACL: 252, logged as rejected VRFY. \
               After ETRN (RFC 1985): the queue run started.",
        todo: "Nothing: it says nothing about the address, good or bad. Send normally; the RCPT answer and the \
               delivery tell.",
        siblings: "250 (VRFY: verified), 251 and 551 (not local), 550 5.1.1 (unknown address), 553 (ambiguous, \
                   RFC 5321 §3.5.3), 502 5.5.1 (VRFY off)",
    },
    Brief {
        code: 556,
        seen: "Sent by an SMTP client or relay, never by the recipient's domain, which has no server to answer: \
               RFC 7504 §4 gives it to a relay that finds the next domain takes no mail, in practice by its null \
               MX (RFC 7505 §3: \"MX 0 .\"). You meet it from your own smarthost or submission server, at RCPT \
               or in its bounce; Postfix as that server answers 556 5.1.10 only with \
               reject_unknown_recipient_domain. A sending Postfix or Exim that finds the null MX itself logs no \
               556: Postfix dsn=5.1.0 ... does not accept mail (nullMX), Exim \"an MX or SRV record indicated \
               no SMTP service\".",
        todo: "Correct the address (often a typo or a web-only domain) or remove it: nothing there gets mail \
               while the null MX stands.",
        siblings: "521 (one host takes no mail, RFC 7504 §3; Postfix tries the next MX); 550 5.7.27 (the \
                   sender's domain has a null MX, RFC 7505 §4.1); 5.1.10 (the recipient's null MX, with 556 and \
                   in bounces)",
    },
];

/// The [`Brief`] of a reply code entry, if it has one.
fn brief_of(e: &CodeEntry) -> Option<&'static Brief> {
    if e.code_type != REPLY {
        return None;
    }
    BRIEFS.iter().find(|b| b.code.to_string() == e.code)
}

fn reply_note(code: u16) -> Option<&'static (u16, &'static str, &'static str, &'static str)> {
    REPLY_NOTES.binary_search_by_key(&code, |n| n.0).ok().map(|i| &REPLY_NOTES[i])
}

/// Notes for the enhanced codes that need more than their title, as
/// `(class, subject, detail, when seen, what to do)`. Class [`FAILURE`]
/// stands for both 4 and 5; an entry for the exact class wins. An empty
/// "what to do" leaves the advice to the reason.
static ENHANCED_NOTES: &[(u8, u16, u16, &str, &str)] = &[
    (
        2,
        0,
        0,
        "Success without detail. Postfix logs dsn=2.0.0 for a plain delivery, whether or not the server \
         sent an enhanced code.",
        "Nothing.",
    ),
    (
        FAILURE,
        0,
        0,
        "Postfix writes X.0.0 itself when the remote reply had no enhanced code, so it adds nothing beyond \
         the class: the reply code and the text decide.",
        "",
    ),
    (2, 1, 0, "The usual answer to MAIL FROM when the sender address is accepted (250 2.1.0).", "Nothing."),
    (2, 1, 5, "The usual answer to RCPT when the recipient is accepted (250 2.1.5).", "Nothing."),
    (
        FAILURE,
        1,
        0,
        "A vague address problem, the sender's or a recipient's. Postfix uses 5.1.0 for rejected senders \
         and, when sending, for a recipient domain with a null MX (text \"does not accept mail \
         (nullMX)\"); alone it does not say the address is bad: the text tells which.",
        "",
    ),
    (
        FAILURE,
        1,
        1,
        "The usual code for a mailbox that does not exist (550 5.1.1 User unknown, Gmail's NoSuchUser). \
         As 4.1.1 the server is not sure yet and the MTA retries. Some servers use it for every recipient \
         refusal, so the text has the last word.",
        "",
    ),
    (FAILURE, 1, 2, "The recipient's domain does not exist or has no mail host; it is a domain-level failure.", ""),
    (
        FAILURE,
        1,
        3,
        "The recipient address is malformed (a missing @, stray characters); Postfix answers 501 5.1.3 to \
         an address it cannot parse.",
        "",
    ),
    (
        4,
        1,
        1,
        "The server cannot confirm the mailbox for now: a directory lookup failed, or it defers unknown \
         recipients on purpose. The MTA retries; only a later 5.1.1 says the mailbox does not exist.",
        "",
    ),
    (
        FAILURE,
        1,
        4,
        "The address matches more than one mailbox (RFC 5321 §3.5.3 has 553 \"User ambiguous\" for it): \
         the local part is incomplete, not wrong.",
        "Use the recipient's exact, complete address: the mailbox probably exists under a longer name.",
    ),
    (FAILURE, 1, 6, "The mailbox has moved and the server knows no forwarding address.", ""),
    (
        FAILURE,
        1,
        7,
        "The sender address (MAIL FROM) is malformed: the problem is on the sending side, not the \
         recipient's.",
        "",
    ),
    (
        FAILURE,
        1,
        8,
        "The sender's domain is not acceptable, typically because it does not resolve: the problem is on \
         the sending side, not the recipient's.",
        "",
    ),
    (
        FAILURE,
        1,
        10,
        "Registered for a recipient domain with a null MX (RFC 7505 §4.1), sent with 556 (Postfix: 556 5.1.10 \
         ... does not accept mail (nullMX)). Caveat: Microsoft 365 sends 550 5.1.10 \
         RESOLVER.ADR.RecipientNotFound for a recipient missing from its directory, which is an unknown \
         user, not a null MX; the text tells them apart.",
        "",
    ),
    (FAILURE, 2, 1, "The mailbox exists but is disabled or suspended, typically an abandoned account.", ""),
    (
        4,
        2,
        1,
        "Gmail sends 450 4.2.1 \"The user you are trying to contact is receiving mail too quickly\": a \
         rate limit on that recipient, not a disabled mailbox. Elsewhere it means a mailbox disabled for \
         now.",
        "Nothing: the MTA's retries usually get through; if not, send to that recipient less often.",
    ),
    (
        FAILURE,
        2,
        2,
        "The recipient's mailbox is over quota (552 5.2.2, 452 4.2.2, Gmail's OverQuotaTemp). RFC 3463 \
         calls a full mailbox a transient condition, so it is a soft bounce even with a 5xx reply: the \
         recipient may clean up.",
        "",
    ),
    (
        5,
        2,
        2,
        "The recipient's mailbox is over quota (552 5.2.2, Gmail's OverQuotaTemp). RFC 3463 calls a full \
         mailbox a transient condition, so it is a soft bounce even with a 5xx reply: the recipient may \
         clean up. The MTA has bounced it, though, and does not retry.",
        "Send again later; suppress the address only if the mailbox stays full over weeks (an abandoned \
         mailbox fills up and stays full).",
    ),
    (FAILURE, 2, 3, "The message is larger than the recipient's mailbox accepts (552 5.2.3).", ""),
    (
        FAILURE,
        3,
        1,
        "The receiving system is out of disk space or resources (Microsoft: 452 4.3.1 insufficient system \
         resources).",
        "",
    ),
    (
        4,
        3,
        2,
        "The host does not accept mail for now (shutdown, excessive load or maintenance, RFC 3463). The \
         MTA retries, other MX hosts too.",
        "Nothing: the MTA retries; it is the destination's maintenance or load.",
    ),
    (
        5,
        3,
        2,
        "The host does not accept network mail (521 at the greeting, RFC 7504 §3). It is about that host, not \
         the domain: Postfix tries the domain's next MX host after a 5xx greeting.",
        "Nothing while the domain has other MX hosts that take mail; if every MX host refuses all mail, \
         the domain takes no mail: correct or remove the address.",
    ),
    (
        FAILURE,
        3,
        4,
        "The message is larger than the receiving system accepts. Postfix logs 5.3.4 itself (\"message \
         size N exceeds size limit M of server\") when the server announced a smaller SIZE in its EHLO \
         reply.",
        "Send a smaller message: shrink or drop attachments, or link to them.",
    ),
    (FAILURE, 4, 1, "No answer from the host: the connection failed or timed out.", ""),
    (
        4,
        4,
        1,
        "Postfix logs 4.4.1 when it cannot connect (\"connect to mx[ip]:25: Connection timed out\", \
         \"Connection refused\"). The MTA retries; if it never connects before the queue lifetime runs \
         out, the message expires.",
        "Nothing at first. If it lasts, check that the domain's MX hosts are up and that your network \
         allows outgoing port 25.",
    ),
    (
        5,
        4,
        1,
        "Registered as \"no answer from host\": as a 5.x.x, the MTA has given up reaching the host and \
         does not retry. Microsoft 365 sends 550 5.4.1 \"Recipient address rejected: Access denied\" \
         when the recipient is not in the tenant's directory (Directory Based Edge Blocking): in effect an \
         unknown user.",
        "For Microsoft's Access denied, check the address with the recipient: it is not in the directory. \
         Otherwise check the domain's MX hosts and your outbound port 25, then send again.",
    ),
    (
        FAILURE,
        4,
        2,
        "The connection broke during the session (Postfix: \"lost connection with ... while ...\", \
         \"conversation with ... timed out\").",
        "",
    ),
    (
        FAILURE,
        4,
        3,
        "A directory server failed, in practice DNS: Postfix logs 4.4.3 for \"Host not found, try again\", \
         a temporary DNS failure.",
        "",
    ),
    (
        4,
        4,
        4,
        "Unable to route for now, such as Postfix's \"unable to find primary relay\" or a DNS answer that \
         does not work yet. The MTA retries.",
        "",
    ),
    (
        5,
        4,
        4,
        "Unable to route: Postfix logs 5.4.4 when the recipient domain does not exist in DNS (\"Host or \
         domain name not found ... Host not found\"). No address at that domain can get mail.",
        "",
    ),
    (
        FAILURE,
        4,
        6,
        "A routing loop: the message passed too many hops, or the MX record points back at the sending \
         host (Postfix: \"mail for ... loops back to myself\", 5.4.6).",
        "Fix the routing: for \"loops back to myself\", the domain's MX points at your own server, so fix \
         the MX record or list the domain where your server accepts it (Postfix mydestination, \
         virtual_mailbox_domains or relay_domains); for too many hops, find the two hosts that forward \
         to each other.",
    ),
    (
        FAILURE,
        4,
        7,
        "Delivery time expired: the message waited in a queue longer than allowed and an MTA on the way \
         gave up. The reason of the last deferral tells why it never got through.",
        "",
    ),
    (
        4,
        4,
        7,
        "Some MTAs report 4.4.7 in delay warnings while the message is still queued, or for a message too \
         old to accept; the bounce follows when the queue lifetime runs out.",
        "",
    ),
    (
        FAILURE,
        5,
        3,
        "Too many recipients in one transaction (Postfix: 452 4.5.3). RFC 5321 says to treat it as \
         temporary even as 552: the MTA sends the rest in another transaction.",
        "",
    ),
    (
        FAILURE,
        6,
        6,
        "BURL (RFC 4468): the submission server could not fetch the message content from the IMAP URL \
         the client gave.",
        "Check the BURL URL and the IMAP server's URLAUTH setup, or submit the message with DATA.",
    ),
    (
        FAILURE,
        6,
        7,
        "A non-ASCII (internationalized) address sent to a server without SMTPUTF8 support (553 5.6.7).",
        "",
    ),
    (
        FAILURE,
        6,
        8,
        "The answer needs UTF-8 (RFC 6531), typically to VRFY or EXPN about an internationalized \
         address, but the client did not ask for SMTPUTF8. About a query, not a message.",
        "Repeat the query with SMTPUTF8 (VRFY name SMTPUTF8), or ignore it: no message is concerned.",
    ),
    (
        FAILURE,
        6,
        10,
        "Deprecated duplicate of X.6.8 (RFC 6531): the answer needs UTF-8, typically to VRFY or EXPN, but \
         the client did not ask for SMTPUTF8.",
        "Repeat the query with SMTPUTF8, or ignore it: no message is concerned.",
    ),
    (
        4,
        7,
        0,
        "Other or undefined security status (RFC 3463 §3.8), for now: a security or policy check refused \
         without saying which, such as a temporary authentication failure (454 4.7.0, RFC 4954 §6) or a \
         TLS problem (Postfix logs 4.7.0 for its own TLS setup errors). Providers also throttle with it \
         (Yahoo's 421 4.7.0 [TSS04], rate limits at Gmail and Microsoft); their texts decide the reason \
         (ratelimited, badreputation). Without a telling text it counts as a security error.",
        "",
    ),
    (
        5,
        7,
        0,
        "Other or undefined security status (RFC 3463 §3.8): a security refusal without detail, usually \
         authentication or STARTTLS required (530 5.7.0, RFC 4954 §6), or a policy refusal; the text \
         tells which. Without a telling text it counts as a security error.",
        "",
    ),
    (
        5,
        7,
        1,
        "Delivery not authorized (RFC 3463 §3.8: the sender is not authorized to send to the \
         destination, by per-host or per-recipient filtering). The most overloaded refusal: relay denied, \
         a block list hit (\"blocked using zen.spamhaus.org\"), spam and policy rejections, DMARC failures \
         and recipient rules all use it. The text decides the reason; without a telling text it counts as \
         a block of the sender.",
        "",
    ),
    (
        4,
        7,
        1,
        "Delivery not authorized, for now (RFC 3463 §3.8): the receiver refuses the sender or its host for \
         the time being, by a temporary block or a policy check that could not finish (451 4.7.1). \
         Greylisting uses it too, and says so in the text (then the reason is greylisted). Without a \
         telling text it counts as a block of the sender, as 5.7.1 does.",
        "",
    ),
    (FAILURE, 7, 8, "Wrong user name or password on AUTH (535 5.7.8).", ""),
    (
        FAILURE,
        7,
        5,
        "Message-level cryptography failed at the receiver (S/MIME or OpenPGP signing or encryption, not \
         TLS): a signature or decryption did not work.",
        "Check how the message is signed or encrypted; send it unsigned or unencrypted if the receiver \
         cannot handle it.",
    ),
    (
        FAILURE,
        7,
        6,
        "The message is signed or encrypted (S/MIME, OpenPGP; not TLS) with an algorithm the receiver \
         does not support.",
        "Sign or encrypt with an algorithm the receiver supports, or send the message without it.",
    ),
    (
        FAILURE,
        7,
        7,
        "The message failed an integrity check of its signature (S/MIME, OpenPGP; not TLS): it was \
         changed on the way, or signed wrongly.",
        "Look for a hop that alters signed messages (a footer, a content filter) and check the signing.",
    ),
    (FAILURE, 7, 8, "Wrong user name or password on AUTH (535 5.7.8).", ""),
    (
        FAILURE,
        7,
        13,
        "The account of the user who authenticated (SMTP AUTH) is disabled (RFC 5248; paired with 525): \
         the sender's login at a submission server or smarthost, not a recipient's mailbox.",
        "Ask the provider of the submission server or smarthost to enable the account, or log in with \
         another one.",
    ),
    (
        FAILURE,
        7,
        15,
        "MT-PRIORITY (RFC 6710): the priority the message asked for is lower than the server accepts for \
         this sender or recipient.",
        "Send with a higher priority, or without the MT-PRIORITY parameter.",
    ),
    (
        FAILURE,
        7,
        16,
        "MT-PRIORITY (RFC 6710): the message is too big for the priority it asked for.",
        "Send with another priority, or a smaller message.",
    ),
    (
        FAILURE,
        7,
        17,
        "RRVS (RFC 7293): the mailbox changed owner after the time the sender gave (RRVS parameter or \
         Require-Recipient-Valid-Since header): the address now belongs to someone else.",
        "",
    ),
    (
        5,
        7,
        17,
        "RRVS (RFC 7293): the mailbox changed owner after the time the sender gave (RRVS parameter or \
         Require-Recipient-Valid-Since header): the address now belongs to someone else.",
        "Stop sending to this address: it now belongs to someone else. Ask the person for a current one.",
    ),
    (
        FAILURE,
        7,
        18,
        "RRVS (RFC 7293): the domain changed owner after the time the sender gave (RRVS parameter or \
         Require-Recipient-Valid-Since header).",
        "",
    ),
    (
        5,
        7,
        18,
        "RRVS (RFC 7293): the domain changed owner after the time the sender gave (RRVS parameter or \
         Require-Recipient-Valid-Since header): its addresses now belong to someone else.",
        "Stop sending to this address: its domain now belongs to someone else. Ask the person for a \
         current one.",
    ),
    (
        FAILURE,
        7,
        19,
        "RRVS (RFC 7293): the server cannot check whether the mailbox changed owner since the time the \
         sender gave; not about SMTP AUTH.",
        "",
    ),
    (
        5,
        7,
        19,
        "RRVS (RFC 7293): the server cannot check whether the mailbox changed owner since the time the \
         sender gave, and the sender asked it to refuse in that case; not about SMTP AUTH.",
        "Send without the RRVS parameter (or Require-Recipient-Valid-Since header) if delivery to a \
         possibly new owner is acceptable.",
    ),
    (
        FAILURE,
        7,
        20,
        "The receiver requires a DKIM signature that passes and found none (RFC 7372).",
        "Sign outgoing mail with DKIM and check that the public key is published in DNS.",
    ),
    (
        FAILURE,
        7,
        21,
        "The message has DKIM signatures, but none the receiver accepts (wrong domain, weak key or \
         algorithm).",
        "",
    ),
    (
        FAILURE,
        7,
        22,
        "No valid DKIM signature from the author's (From) domain, which the receiver requires.",
        "Sign with a key of the From domain.",
    ),
    (
        FAILURE,
        7,
        23,
        "SPF failed: the sending IP is not allowed by the SPF record of the envelope sender's domain \
         (Microsoft sends 550 5.7.23).",
        "Add the sending IP, or your provider's include, to the sender domain's SPF record.",
    ),
    (
        FAILURE,
        7,
        24,
        "The SPF check ended in an error (a broken SPF record, too many DNS lookups, DNS trouble); 451 \
         4.7.24 is the temporary form.",
        "Fix the sender domain's SPF record (at most 10 DNS lookups).",
    ),
    (
        FAILURE,
        7,
        25,
        "Reverse DNS check failed: the sending IP has no PTR record, or its name does not resolve back to \
         the IP. Gmail, Microsoft and many others require one.",
        "Give the sending IP a PTR record whose name resolves back to the same IP.",
    ),
    (
        FAILURE,
        7,
        26,
        "Several authentication checks failed together. Gmail sends 550 5.7.26 when a message fails \
         DMARC: neither SPF nor DKIM passed in line with the From domain.",
        "Publish SPF, sign with DKIM, and align both with the From domain (DMARC).",
    ),
    (
        FAILURE,
        7,
        27,
        "Registered for a sender whose domain has a null MX (RFC 7505 §4.1; Postfix: 550 5.7.27 ... Sender address \
         rejected: ... does not accept mail (nullMX)): the sender's domain is the problem, not the \
         recipient. Caveat: Gmail uses 421 4.7.27 and 550 5.7.27 for mail that did not pass SPF \
         (\"...requires all senders to authenticate with SPF\"); the text tells them apart.",
        "A null-MX sender must use a domain that can receive mail (bounces need somewhere to go); for \
         Gmail's SPF message, publish a correct SPF record for the sending domain.",
    ),
    (
        FAILURE,
        7,
        28,
        "Registered as \"mail flood detected\" (a draft on mail bombing). Gmail sends 421 4.7.28 when it \
         sees an unusual rate of mail from the sending IP or domain: a throttle by reputation.",
        "Send more slowly, and look for spam complaints or a compromised account sending in bulk.",
    ),
    (
        FAILURE,
        7,
        29,
        "Registered for an ARC validation failure (RFC 8617). Caveat: Gmail uses 421 4.7.29 and 550 \
         5.7.29 to say that it requires senders to use TLS.",
        "For Gmail, make the sending MTA use STARTTLS (Postfix: smtp_tls_security_level = may). For ARC, \
         check the forwarders that sign on the way.",
    ),
    (
        FAILURE,
        7,
        30,
        "Registered for REQUIRETLS (RFC 8689): the message demands TLS on every hop and the next one \
         cannot provide it. Caveat: Gmail uses 421 4.7.30 and 550 5.7.30 to say the message must be \
         signed with DKIM.",
        "For REQUIRETLS, send over a path that supports it or drop the requirement; for Gmail, sign the \
         message with DKIM.",
    ),
];

/// The class of [`ENHANCED_NOTES`] entries that apply to both 4 and 5.
const FAILURE: u8 = 0;

type EnhancedNote = (u8, u16, u16, &'static str, &'static str);

fn enhanced_note(e: Enhanced) -> Option<&'static EnhancedNote> {
    let find = |class: u8| ENHANCED_NOTES.iter().find(|n| (n.0, n.1, n.2) == (class, e.subject, e.detail));
    find(e.class).or_else(|| if e.class == 2 { None } else { find(FAILURE) })
}

#[cfg(test)]
impl TextEntry {
    /// The verdict, which the text must have.
    fn verdict(&self) -> &VerdictInfo {
        self.verdict.as_ref().expect("a verdict")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn output(list: &[&str], format: Format) -> String {
        let mut out = Vec::new();
        run(&args(list), format, None, &mut out).expect("explains");
        String::from_utf8(out).expect("UTF-8")
    }

    /// The whole JSON document.
    fn doc(list: &[&str]) -> serde_json::Value {
        serde_json::from_str(&output(list, Format::Json)).expect("valid JSON")
    }

    /// The JSON document's main object, with the document's `kind`: the
    /// entry of a `code`, the `text` of a text, else the whole document.
    fn json(list: &[&str]) -> serde_json::Value {
        let doc = doc(list);
        let mut main = match doc["kind"].as_str() {
            Some("code") => doc["entries"][0].clone(),
            Some("text") => doc["text"].clone(),
            _ => return doc,
        };
        main["kind"] = doc["kind"].clone();
        main
    }

    fn enh(class: u8, subject: u16, detail: u16) -> Enhanced {
        Enhanced { class, subject, detail }
    }

    fn assert_fits(text: &str) {
        for line in text.lines() {
            assert!(line.chars().count() <= WIDTH, "too wide: {line:?}");
            assert_eq!(line, line.trim_end(), "trailing space: {line:?}");
        }
    }

    fn assert_entry(entry: &CodeEntry) {
        let code = &entry.code;
        assert!(!entry.meaning.is_empty(), "{code}: meaning");
        assert!(!entry.what_to_do.is_empty(), "{code}: what to do");
        assert!(!entry.class.title.is_empty() && !entry.class.means.is_empty() && !entry.class.message.is_empty());
        if entry.code_type == REPLY {
            assert!(entry.when_seen.is_some_and(|s| !s.is_empty()), "{code}: when seen");
        } else {
            let subject = entry.subject.as_ref().expect("enhanced codes have a subject");
            assert!(!subject.name.is_empty() && !subject.about.is_empty(), "{code}: subject");
        }
        match &entry.verdict {
            Some(v) => {
                for field in [v.outcome, v.outcome_from, v.reason, v.bounce_type, v.rule.id] {
                    assert!(!field.is_empty(), "{code}: verdict {v:?}");
                }
            }
            None => {
                let reply: u16 = code.parse().unwrap_or(0);
                assert!(
                    entry.class.digit == 3 || (entry.class.digit == 2 && !DELIVERY_REPLIES.contains(&reply)),
                    "{code}: only 3xx and 2xx replies other than 250 and 251 have no verdict"
                );
                assert!(entry.no_verdict.is_some(), "{code}: says why there is no verdict");
            }
        }
    }

    fn assert_both_formats(list: &[&str]) {
        let text = output(list, Format::Text);
        assert!(text.ends_with('\n') && text.lines().count() >= 4, "{list:?}: {text}");
        assert_fits(&text);
        let value = json(list);
        assert!(value["kind"].is_string(), "{list:?}");
    }

    /// Words that give up on a recipient: never in the advice for a
    /// temporary failure, which the MTA keeps and retries.
    const PERMANENT_WORDS: [&str; 12] = [
        "never retry",
        "do not retry",
        "not retry it",
        "will not help",
        "stop sending",
        "remove the address",
        "remove it",
        "do not resend",
        "never be delivered",
        "can ever be delivered",
        "cannot receive mail",
        "delisting",
    ];

    /// Every text an entry tells a person to act on.
    fn advice_of(entry: &CodeEntry) -> Vec<&str> {
        let mut texts = vec![entry.what_to_do, entry.class.means, entry.class.message];
        texts.extend(entry.verdict.as_ref().map(|v| v.advice));
        texts
    }

    /// Every reply code the tool knows and every registered enhanced code
    /// in classes 2, 4 and 5: the class is the first digit, the entry
    /// cites its source, a temporary failure never gets permanent advice,
    /// and only codes that can report a delivery get a verdict.
    #[test]
    fn every_entry_follows_the_rules() {
        let mut entries: Vec<CodeEntry> = registry::REPLY_CODES.iter().map(|&(code, _)| reply_entry(code)).collect();
        for class in [2, 4, 5] {
            for &(subject, detail, _) in registry::ENHANCED_CODES {
                entries.push(enhanced_entry(enh(class, subject, detail)));
            }
        }
        assert_eq!(entries.len(), registry::REPLY_CODES.len() + 3 * registry::ENHANCED_CODES.len());
        for e in &entries {
            let code = &e.code;
            let first = code.as_bytes()[0] - b'0';
            assert_eq!(e.class.digit, first, "{code}: class");
            let names: &[&str] = match (e.code_type, first) {
                (REPLY, 2) => &["positive_completion"],
                (REPLY, 3) => &["positive_intermediate"],
                (REPLY, 4) => &["transient_negative"],
                (REPLY, _) => &["permanent_negative"],
                (_, 2) => &["success"],
                (_, 4) => &["persistent_transient_failure"],
                _ => &["permanent_failure"],
            };
            assert!(names.contains(&e.class.name), "{code}: class name {}", e.class.name);
            assert!(
                ["RFC ", "IANA ", "draft-"].iter().any(|p| e.source.starts_with(p)),
                "{code}: cites no source: {:?}",
                e.source
            );
            if first == 4 {
                for text in advice_of(e) {
                    let lower = text.to_lowercase();
                    for words in PERMANENT_WORDS {
                        assert!(!lower.contains(words), "{code}: transient, yet {words:?}: {text}");
                    }
                }
                if let Some(v) = &e.verdict {
                    assert_eq!(v.outcome, "deferred", "{code}");
                    assert_ne!(v.bounce_type, "hard", "{code}: a temporary failure is never a hard bounce");
                }
            }
            if first == 5 {
                for text in advice_of(e) {
                    assert!(!text.contains("let the MTA retry"), "{code}: the MTA does not retry a 5xx: {text}");
                }
            }
            if e.code_type == REPLY && first == 2 {
                let delivery = DELIVERY_REPLIES.contains(&code.parse().unwrap());
                assert_eq!(e.verdict.is_some(), delivery, "{code}: a verdict only for 250 and 251");
            }
            let all = advice_of(e).join(" ") + e.when_seen.unwrap_or_default();
            assert!(!all.contains("always answers VRFY"), "{code}");
            if let Some(v) = &e.verdict
                && v.reason != "systemerror"
            {
                assert!(!v.advice.contains("loops back"), "{code}: the loop hint belongs to X.4.6");
            }
        }
    }

    /// The vague security codes: what each entry says it is, the verdict
    /// is, and the advice follows the verdict (RFC 3463 §3.8: X.7.0 other
    /// or undefined security status, X.7.1 delivery not authorized). A text
    /// rule still decides first (greylisting, a provider's throttling).
    #[test]
    fn vague_security_codes_agree_with_their_verdicts() {
        let code = |s: &str| {
            let Ok(Explanation::Code(e)) = explain(&args(&[s]), None) else { panic!("{s}: a code") };
            e
        };
        for (s, reason, words) in [
            ("4.7.0", "securityerror", "counts as a security error"),
            ("5.7.0", "securityerror", "counts as a security error"),
            ("4.7.1", "blocked", "counts as a block of the sender"),
            ("5.7.1", "blocked", "counts as a block of the sender"),
        ] {
            let e = code(s);
            let v = e.verdict.as_ref().expect("a verdict");
            assert_eq!(v.reason, reason, "{s}");
            let seen = e.when_seen.unwrap_or_default();
            assert!(seen.contains(words) && seen.contains("RFC 3463 §3.8"), "{s}: {seen}");
            assert_eq!(e.what_to_do, v.advice, "{s}: the advice is the verdict's");
        }
        assert!(!code("4.7.1").what_to_do.to_lowercase().contains("greylist"), "blocked advice");
        assert!(code("4.7.1").what_to_do.contains("Do not suppress the recipient"));
        assert!(code("4.7.0").what_to_do.contains("names the check"));
        let Ok(Explanation::Pair(p)) = explain(&args(&["421", "4.7.0"]), None) else { panic!("a pair") };
        let v = p.verdict.as_ref().expect("a verdict");
        assert_eq!((v.reason, v.bounce_type, v.outcome), ("securityerror", "block", "deferred"));
        assert!(p.reply.what_to_do.contains("read the text"), "{}", p.reply.what_to_do);
        let text = |t: &str| text_entry(t, None).verdict().reason;
        assert_eq!(text("451 4.7.1 Greylisted, please try again later"), "greylisted");
        assert_eq!(
            text("421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume"),
            "ratelimited"
        );
    }

    /// Entries whose scope the RFCs fix: host-level, the authenticating
    /// user, RRVS, an ambiguous address, message cryptography, BURL,
    /// UTF-8 replies, MT-PRIORITY; a 2.x.x with a failure detail warns.
    #[test]
    fn entries_keep_their_scope() {
        let entry = |s: &str| {
            let Ok(Explanation::Code(e)) = explain(&args(&[s]), None) else { panic!("{s}: a code") };
            e
        };
        let seen = |s: &str| entry(s).when_seen.unwrap_or_default().to_string();
        assert!(seen("521").contains("not the domain") && seen("521").contains("next MX"));
        assert!(seen("5.3.2").contains("not the domain") && seen("5.3.2").contains("RFC 7504"));
        assert!(seen("5.7.13").contains("authenticated") && seen("5.7.13").contains("not a recipient"));
        assert_eq!(entry("5.7.13").source, "RFC 5248");
        assert!(seen("5.7.19").contains("RFC 7293") && seen("5.7.19").contains("not about SMTP AUTH"));
        assert!(entry("5.1.4").what_to_do.contains("exact, complete address"));
        for code in ["5.7.5", "5.7.6", "5.7.7"] {
            assert!(seen(code).contains("S/MIME") && seen(code).contains("not"), "{code}");
        }
        assert!(seen("5.6.6").contains("BURL") && entry("5.6.6").source == "RFC 4468");
        assert!(seen("5.6.8").contains("VRFY") && seen("5.6.8").contains("SMTPUTF8"));
        assert!(seen("4.7.15").contains("MT-PRIORITY"));
        assert!(!entry("5.3.2").what_to_do.is_empty());
        assert!(entry("4.3.2").what_to_do.contains("retries"));
        let warned = entry("2.7.1");
        assert!(warned.notes.iter().any(|n| n.contains("contradicts itself")), "{:?}", warned.notes);
        assert!(entry("2.1.5").notes.is_empty() && entry("2.6.4").notes.is_empty());
        assert!(output(&["2.7.1"], Format::Text).contains("\n  note      2.7.1 contradicts itself"));
        // Contradictions removed.
        for list in [&["552"][..], &["5.2.2"], &["552", "5.2.2"]] {
            let text = output(list, Format::Text);
            assert!(!text.contains("will not help"), "{list:?}: {text}");
        }
        let delisting = |s: &str| entry(s).what_to_do.contains("delisting");
        assert!(!delisting("4.7.1"), "4.7.1 is greylisting or a temporary block");
        assert!(!entry("4.7.0").what_to_do.contains("SMTP AUTH"));
        assert!(!entry("455").verdict.unwrap().advice.contains("malformed"));
        assert!(!entry("5.4.1").what_to_do.contains("let the MTA retry"));
    }

    /// Arguments are bytes: invalid UTF-8 and control characters are
    /// shown escaped, long arguments are cut in messages, numbers that are
    /// no reply codes are not read as codes.
    #[test]
    fn arguments_are_shown_safely() {
        use std::ffi::OsString;
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStringExt;
            let latin1 = OsString::from_vec(b"caf\xe9 550 5.1.1 unknown \xff".to_vec());
            assert_eq!(args_from_os(&[latin1]), ["caf\\xe9 550 5.1.1 unknown \\xff"]);
        }
        assert_eq!(args_from_os(&[OsString::from("252")]), ["252"]);
        let text = output(&["550 5.1.1 \u{1b}[31munknown\u{7}\u{9b}2J"], Format::Text);
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text:?}");
        assert!(text.contains("\\x1b[31munknown\\x07\\u{9b}2J"), "{text}");
        let long = "1".repeat(100_000);
        let Err(Error::ExplainUsage(message)) = explain(&args(&[&long]), None) else { panic!("a usage error") };
        assert!(message.len() < 400, "{} bytes", message.len());
        assert!(message.contains("(100000 characters)"), "{message}");
        let read = |s: &str| {
            let Ok(Explanation::Text(t)) = explain(&args(&[s]), None) else { panic!("{s}: a text") };
            (t.reply_code, t.enhanced_code)
        };
        assert_eq!(read("held for 5.2 hours; 250 recipients"), (None, None));
        assert_eq!(read("Diagnostic-Code: X-Unix; 255"), (None, None));
        assert_eq!(read("Diagnostic-Code: smtp; 550 5.1.1 unknown").0.as_deref(), Some("550"));
        assert_eq!(read("Diagnostic-Code: SMTP; 452 too many").0.as_deref(), Some("452"));
        let refused = "Nov  5 10:00:00 mx1 postfix/smtp[123]: 4B1C2D3E4F: to=<u@example.com>, relay=none, \
                       delay=1, delays=0/0/1/0, dsn=4.0.0, status=deferred (host mx.example.com[192.0.2.1] \
                       refused to talk to me: 554 5.7.1 Access denied)";
        let Ok(Explanation::Text(t)) = explain(&args(&[refused]), None) else { panic!("a text") };
        assert!(t.notes.iter().any(|n| n.contains("smtp_skip_5xx_greeting")), "{:?}", t.notes);
        assert_eq!(t.verdict().outcome, "deferred");
        for words in PERMANENT_WORDS {
            assert!(!t.verdict().advice.to_lowercase().contains(words), "{}", t.verdict().advice);
        }
        let Ok(Explanation::Text(t)) = explain(&args(&["252 2.0.0 Cannot VRFY user"]), None) else { panic!() };
        assert!(t.verdict.is_none() && t.no_verdict.as_deref().is_some_and(|w| w.contains("VRFY")));
    }

    /// Our server's 252 to a VRFY is no delivery either.
    #[test]
    fn inbound_vrfy_is_no_delivery() {
        let exim = "2026-11-05 10:00:00 H=(x) [192.0.2.9] rejected VRFY u@ours.example: 252 Administrative prohibition";
        let Ok(Explanation::Text(t)) = explain(&args(&[exim]), None) else { panic!("a text") };
        assert_eq!(t.direction, Direction::Inbound);
        assert!(t.verdict.is_none(), "{:?}", t.verdict);
        assert!(t.notes.iter().any(|n| n.contains("RFC 5321 §7.3")), "{:?}", t.notes);
        assert!(!output(&[exim], Format::Text).contains("delivered"));
    }

    #[test]
    fn every_reply_code_has_a_note() {
        let noted: Vec<u16> = REPLY_NOTES.iter().map(|n| n.0).collect();
        let registered: Vec<u16> = registry::REPLY_CODES.iter().map(|r| r.0).collect();
        assert_eq!(noted, registered, "REPLY_NOTES must list exactly the codes of REPLY_CODES, sorted");
        for (code, source, seen, todo) in REPLY_NOTES {
            assert!(!source.is_empty() && !seen.is_empty() && !todo.is_empty(), "{code}");
        }
    }

    #[test]
    fn enhanced_notes_are_registered_codes() {
        for &(class, subject, detail, seen, _) in ENHANCED_NOTES {
            assert!(matches!(class, FAILURE | 2 | 4 | 5), "{class}.{subject}.{detail}");
            assert!(registry::enhanced_description(5, subject, detail).is_some(), "{subject}.{detail}");
            assert!(!seen.is_empty());
        }
    }

    #[test]
    fn every_reply_code_is_explained() {
        for &(code, description) in registry::REPLY_CODES {
            let entry = reply_entry(code);
            assert!(entry.registered, "{code}");
            assert_eq!(entry.meaning, description);
            assert_entry(&entry);
            assert_both_formats(&[&code.to_string()]);
            let value = json(&[&code.to_string()]);
            assert_eq!(value["kind"], "code");
            assert_eq!(value["code"], code.to_string());
            assert_eq!(value["meaning"], description);
        }
    }

    #[test]
    fn every_enhanced_code_is_explained() {
        for class in [2, 4, 5] {
            for &(subject, detail, title) in registry::ENHANCED_CODES {
                let e = enh(class, subject, detail);
                let entry = enhanced_entry(e);
                assert!(entry.registered, "{e}");
                assert_eq!(entry.meaning, title);
                assert_entry(&entry);
                let code = e.to_string();
                assert_both_formats(&[&code]);
                let value = json(&[&code]);
                assert_eq!(value["code"], code);
                assert_eq!(value["code_type"], "enhanced");
                assert_eq!(value["subject"]["number"], subject);
            }
        }
    }

    #[test]
    fn specific_enhanced_notes() {
        let seen = |e: Enhanced| enhanced_entry(e).when_seen.unwrap_or_default();
        assert!(seen(enh(5, 1, 10)).contains("RESOLVER.ADR"));
        assert!(seen(enh(4, 2, 1)).contains("Gmail"));
        assert!(!seen(enh(5, 2, 1)).contains("Gmail"));
        assert!(seen(enh(5, 4, 1)).contains("Microsoft"));
        assert!(!seen(enh(4, 4, 1)).contains("Microsoft"));
        assert!(seen(enh(4, 7, 27)).contains("SPF"));
        assert!(seen(enh(5, 2, 2)).contains("soft"));
        assert!(enhanced_entry(enh(2, 2, 2)).when_seen.is_none(), "failure notes do not apply to class 2");
    }

    #[test]
    fn unregistered_codes() {
        let entry = reply_entry(599);
        assert!(!entry.registered);
        assert!(entry.meaning.contains("not a registered reply code"));
        assert_entry(&entry);
        assert_both_formats(&["599"]);
        for e in [enh(5, 9, 99), enh(5, 7, 606), enh(4, 4, 316)] {
            let entry = enhanced_entry(e);
            assert!(!entry.registered, "{e}");
            assert!(entry.meaning.contains("not a registered enhanced status code"), "{e}");
            assert_entry(&entry);
            assert_both_formats(&[&e.to_string()]);
        }
        assert_eq!(enhanced_entry(enh(5, 9, 99)).subject.unwrap().name, "unknown subject");
        assert!(output(&["5.7.606"], Format::Text).contains("security or policy"));
    }

    #[test]
    fn intermediate_replies_have_no_reason() {
        let entry = reply_entry(354);
        assert!(entry.verdict.is_none());
        assert!(output(&["354"], Format::Text).contains("never a final outcome"));
        assert!(json(&["354"])["verdict"].is_null());
    }

    /// What an argument list should turn into.
    #[derive(Debug)]
    enum Want {
        Code(&'static str),
        Pair(&'static str),
        Comparison(&'static str, &'static str),
        Codes(usize),
        Text { read_as: &'static str, code: Option<u16>, enhanced: Option<&'static str>, outcome: Option<&'static str> },
        Usage,
    }

    const POSTFIX_LINE: &str = "Nov  5 10:00:00 mx1 postfix/smtp[123]: 4B1C2D3E4F: to=<u@example.com>, \
        relay=mx.example.com[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.0.0, status=bounced (host \
        mx.example.com[192.0.2.1] said: 550 No such user here (in reply to RCPT TO command))";
    const POSTFIX_DEFERRED: &str = "Nov  5 10:00:00 mx1 postfix/smtp[123]: 4B1C2D3E4F: to=<u@example.com>, \
        relay=none, delay=30, delays=0/0/30/0, dsn=4.4.1, status=deferred (connect to \
        mx.example.com[192.0.2.1]:25: Connection timed out)";
    const EXIM_LINE: &str = "2026-11-05 10:00:00 1tXyZa-0003Ab-Qr ** u@example.com R=dnslookup T=remote_smtp \
        H=mx.example.com [192.0.2.1] : SMTP error from remote mail server after RCPT TO:<u@example.com>: \
        550 5.1.1 unknown";
    const SPAMHAUS: &str = "550 5.7.1 Service unavailable; client host [192.0.2.1] blocked using zen.spamhaus.org";

    #[test]
    fn argument_interpretation() {
        use Want::*;
        let text = |read_as, code, enhanced, outcome| Text { read_as, code, enhanced, outcome };
        let cases: Vec<(Vec<&str>, Want)> = vec![
            (vec!["252"], Code("252")),
            (vec![" 556 "], Code("556")),
            (vec!["5.1.10"], Code("5.1.10")),
            (vec!["4.7.1"], Code("4.7.1")),
            (vec!["599"], Code("599")),
            (vec!["5.9.99"], Code("5.9.99")),
            (vec!["556", "5.1.10"], Pair("556 5.1.10")),
            (vec!["5.1.10", "556"], Pair("556 5.1.10")),
            (vec!["550", "4.1.1"], Pair("550 4.1.1")),
            (vec!["252", "556"], Comparison("252", "556")),
            (vec!["5.1.1", "5.2.2"], Comparison("5.1.1", "5.2.2")),
            (vec!["250", "550", "5.1.1"], Codes(3)),
            (vec!["252", ""], Code("252")),
            (vec![SPAMHAUS], text("reply text", Some(550), Some("5.7.1"), None)),
            (vec!["550", "User", "unknown"], text("reply text", Some(550), None, None)),
            (vec!["abc"], text("reply text", None, None, None)),
            (vec!["550 5.1.1"], text("reply text", Some(550), Some("5.1.1"), None)),
            (
                vec!["host mx[192.0.2.1] said: 550 5.7.1 <u@example.com>: Relay access denied"],
                text("reply text", Some(550), Some("5.7.1"), None),
            ),
            (
                vec!["connect to mx.example.com[192.0.2.1]:25: Connection timed out after 300 seconds"],
                text("reply text", None, None, None),
            ),
            (vec!["lost connection with mx[2.1.1.1] while sending RCPT TO"], text("reply text", None, None, None)),
            (
                vec!["dsn=5.2.2, status=bounced (host mx[192.0.2.1] said: 552 over quota)"],
                text("reply text", Some(552), Some("5.2.2"), Some("bounced")),
            ),
            (
                vec!["Diagnostic-Code: smtp; 550 #5.1.0 Address rejected"],
                text("reply text", Some(550), Some("5.1.0"), None),
            ),
            (
                vec![
                    "NOQUEUE: reject: RCPT from h[192.0.2.9]: 556 5.1.10 <r@nullmx.example>: Recipient address rejected",
                ],
                text("reply text", Some(556), Some("5.1.10"), None),
            ),
            (vec!["550 4.1.1 class mismatch 4.2.2 5.7.1"], text("reply text", Some(550), Some("5.7.1"), None)),
            (vec![POSTFIX_LINE], text("Postfix log line", Some(550), Some("5.0.0"), Some("bounced"))),
            (vec![POSTFIX_DEFERRED], text("Postfix log line", None, Some("4.4.1"), Some("deferred"))),
            (vec![EXIM_LINE], text("Exim log line", Some(550), Some("5.1.1"), Some("bounced"))),
            (vec![], Usage),
            (vec!["", "  "], Usage),
            (vec!["1000"], Usage),
            (vec!["6.1.1"], Usage),
            (vec!["3.1.1"], Usage),
            (vec!["5.1"], Usage),
            (vec!["5.1.1000"], Usage),
            (vec!["650"], Usage),
            (vec!["192.0.2.1"], Usage),
            (vec!["252", "1000"], Usage),
        ];
        for (list, want) in cases {
            let got = explain(&args(&list), None);
            match (&want, &got) {
                (Code(code), Ok(Explanation::Code(e))) => assert_eq!(e.code, *code),
                (Pair(codes), Ok(Explanation::Pair(p))) => assert_eq!(p.codes, *codes),
                (Comparison(a, b), Ok(Explanation::Comparison(c))) => {
                    assert_eq!((c.left.code.as_str(), c.right.code.as_str()), (*a, *b));
                }
                (Codes(n), Ok(Explanation::Codes { entries })) => assert_eq!(entries.len(), *n),
                (Text { read_as, code, enhanced, outcome }, Ok(Explanation::Text(t))) => {
                    assert_eq!(t.read_as, *read_as, "{list:?}");
                    assert_eq!(t.reply_code.as_deref().map(|c| c.parse::<u16>().unwrap()), *code, "{list:?}");
                    assert_eq!(t.enhanced_code.as_deref(), *enhanced, "{list:?}");
                    if let Some(outcome) = outcome {
                        assert_eq!((t.verdict().outcome, t.verdict().outcome_from), (*outcome, FROM_LOG), "{list:?}");
                    }
                }
                (Usage, Err(Error::ExplainUsage(message))) => {
                    assert!(message.contains("reply code") && message.contains("enhanced status code"), "{message}");
                }
                _ => panic!("{list:?}: want {want:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn usage_errors_name_the_argument() {
        let Err(Error::ExplainUsage(message)) = explain(&args(&["6.1.1"]), None) else { panic!("6.1.1 is not a code") };
        assert!(message.contains("'6.1.1'") && message.contains("5.1.1") && message.contains("550"), "{message}");
    }

    #[test]
    fn outcomes_of_bare_codes() {
        let outcome = |list: &[&str]| json(list)["verdict"]["outcome"].as_str().unwrap_or_default().to_string();
        assert_eq!(outcome(&["250"]), "delivered");
        assert_eq!(outcome(&["251"]), "delivered");
        for code in ["211", "214", "220", "221", "235", "252", "253"] {
            assert_eq!(outcome(&[code]), "", "{code} is no delivery result");
            assert!(json(&[code])["no_verdict"].as_str().unwrap().contains("never a delivery result"), "{code}");
        }
        assert_eq!(outcome(&["2.0.0"]), "delivered");
        assert!(json(&["252", "2.0.0"])["pair"]["verdict"].is_null());
        assert_eq!(outcome(&["421"]), "deferred");
        assert_eq!(outcome(&["556"]), "bounced");
        assert_eq!(outcome(&["4.2.2"]), "deferred");
        assert_eq!(json(&["556"])["verdict"]["outcome_from"], FROM_CLASS);
        assert!(output(&["556"], Format::Text).contains("(if the MTA bounced it)"));
        assert!(output(&["421"], Format::Text).contains("(if the MTA deferred it)"));
        let text = json(&["abc"]);
        assert_eq!(text["verdict"]["outcome"], "bounced");
        assert_eq!(text["verdict"]["outcome_from"], FROM_ASSUMPTION);
        assert!(text["class"].is_null());
    }

    #[test]
    fn pairs() {
        let Ok(Explanation::Pair(p)) = explain(&args(&["5.1.10", "556"]), None) else { panic!("a pair") };
        assert_eq!(p.class.digit, 5);
        assert!(p.class_note.is_none());
        assert_eq!(p.reply.meaning, registry::reply_description(556).unwrap());
        assert_eq!(p.enhanced.meaning, registry::enhanced_description(5, 1, 10).unwrap());
        let text = output(&["556", "5.1.10"], Format::Text);
        assert_fits(&text);
        assert!(text.starts_with("556 5.1.10  permanent negative completion (5xx)"), "{text}");
        assert!(text.contains("RESOLVER.ADR") && text.contains("rule"), "{text}");
        let Ok(Explanation::Pair(p)) = explain(&args(&["550", "4.1.1"]), None) else { panic!("a pair") };
        assert_eq!(p.class.digit, 5, "the reply code's class wins");
        assert!(p.class_note.as_deref().is_some_and(|n| n.contains("dsn=5.0.0")));
        assert_eq!(json(&["252", "2.0.0"])["kind"], "pair");
    }

    /// The question this tool started from: complete and right on one
    /// screen (RFC 5321 §3.5.3, §7.3; RFC 7504 §3, §4; RFC 7505 §3, §4.1).
    #[test]
    fn comparison_252_556() {
        let Ok(Explanation::Comparison(c)) = explain(&args(&["252", "556"]), None) else { panic!("a comparison") };
        assert!(c.summary.contains("252 is a positive reply (2xx) that is never a delivery result"), "{}", c.summary);
        assert!(c.summary.contains("556 is a permanent failure"), "{}", c.summary);
        let labels: Vec<&str> = c.rows.iter().map(|r| r.label).collect();
        assert_eq!(labels, ["class", "meaning", "seen", "message", "do", "siblings", "reason", "source"]);
        let cell = |label: &str| c.rows.iter().find(|r| r.label == label).map(|r| (&*r.left, &*r.right)).unwrap();
        assert_eq!(cell("class").0, "positive completion (2xx): the action was completed");
        assert!(cell("class").1.starts_with("permanent negative completion (5xx)"));
        assert_eq!(
            cell("meaning"),
            (registry::reply_description(252).unwrap(), registry::reply_description(556).unwrap())
        );
        // 252: VRFY/EXPN only, never a delivery result, the real MTA behaviour.
        let (seen252, seen556) = cell("seen");
        for words in [
            "VRFY or EXPN",
            "never a per-recipient result",
            "RFC 5321 §7.3",
            "252 2.0.0",
            "550 5.1.1",
            "502 5.5.1",
            "disable_vrfy_command = yes",
            "vrfy=N",
            "novrfy answers 252 2.5.2",
            "Exim",
            "ETRN",
        ] {
            assert!(seen252.contains(words), "252 lacks {words:?}: {seen252}");
        }
        assert!(!seen252.contains("always"), "Postfix does not always answer 252: {seen252}");
        // 556: a client or relay reports it; the sending MTA logs no 556.
        for words in [
            "client or relay",
            "RFC 7504",
            "null MX",
            "RFC 7505",
            "smarthost or submission server",
            "reject_unknown_recipient_domain",
            "556 5.1.10",
            "logs no 556",
            "dsn=5.1.0",
            "(nullMX)",
            "an MX or SRV record indicated no SMTP service",
        ] {
            assert!(seen556.contains(words), "556 lacks {words:?}: {seen556}");
        }
        assert!(cell("message").0.starts_with("None"), "{}", cell("message").0);
        assert!(cell("do").0.contains("Send the message normally"));
        assert!(cell("do").1.contains("Correct the address"));
        let (siblings252, siblings556) = cell("siblings");
        for words in ["250", "550 5.1.1", "502 5.5.1", "553"] {
            assert!(siblings252.contains(words), "252 siblings lack {words:?}");
        }
        for words in ["521", "550 5.7.27", "5.1.10", "dsn=5.1.0", "no SMTP service"] {
            assert!(siblings556.contains(words), "556 siblings lack {words:?}");
        }
        assert!(cell("reason").0.contains("never a delivery result"), "{}", cell("reason").0);
        assert!(cell("reason").1.starts_with("notaccept, bounce type hard"), "{}", cell("reason").1);
        assert!(cell("source").0.contains("RFC 5321 §3.5.3") && cell("source").0.contains("§7.3"));
        assert!(cell("source").1.contains("RFC 7504") && cell("source").1.contains("RFC 7505"));
        // Nothing is cut: the rows hold the entries' whole texts.
        assert_eq!(seen252, c.left.when_seen.unwrap());
        assert_eq!(seen556, c.right.when_seen.unwrap());
        assert_eq!(cell("do"), (c.left.what_to_do, c.right.what_to_do));
        // The text keeps every key fact, condensed (see the next test).
        let text = output(&["252", "556"], Format::Text);
        assert!(text.starts_with("252 versus 556: 252 is a positive reply (2xx)"), "{text}");
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for words in [
            "252 positive completion (2xx): cannot verify the user",
            "556 permanent negative completion (5xx): domain does not accept mail",
            "556 is a permanent failure (5xx)",
            "Answers VRFY or EXPN, never RCPT or the data",
            "never a per-recipient result in Postfix or Exim logs",
            "RFC 5321 §7.3",
            "252 2.0.0 only if the address passes its recipient restrictions",
            "the rejection (550 5.1.1)",
            "502 5.5.1 to every VRFY with disable_vrfy_command = yes",
            "vrfy=N",
            "Sendmail with novrfy: 252 2.5.2",
            "Exim without a VRFY ACL",
            "ETRN (RFC 1985)",
            "Send normally",
            "250 (VRFY: verified)",
            "553 (ambiguous, RFC 5321 §3.5.3)",
            "none: no delivery result",
            "RFC 5321 §3.5.3, §4.2.2, §7.3; RFC 1123 §5.2.3",
            "Sent by an SMTP client or relay, never by the recipient's domain",
            "RFC 7504 §4",
            "null MX (RFC 7505 §3",
            "your own smarthost or submission server, at RCPT or in its bounce",
            "556 5.1.10 only with reject_unknown_recipient_domain",
            "logs no 556: Postfix dsn=5.1.0 ... does not accept mail (nullMX)",
            "Exim \"an MX or SRV record indicated no SMTP service\"",
            "Correct the address",
            "521 (one host takes no mail, RFC 7504 §3; Postfix tries the next MX)",
            "550 5.7.27 (the sender's domain has a null MX, RFC 7505 §4.1)",
            "5.1.10 (the recipient's null MX, with 556 and in bounces)",
            "notaccept, bounce type hard (if the MTA bounced it)",
            "RFC 7504 §4; RFC 7505 §3, §4.1",
        ] {
            assert!(flat.contains(words), "the text lacks {words:?}:\n{text}");
        }
        assert!(!flat.contains("always"), "Postfix does not always answer 252: {text}");
        let value = json(&["252", "556"]);
        assert_eq!(value["kind"], "comparison");
        assert_eq!(value["entries"][0]["code"], "252");
        assert_eq!(value["entries"][1]["code"], "556");
        assert!(value["entries"][0]["verdict"].is_null());
        assert_eq!(value["comparison"]["rows"][0]["label"], "class");
        let same = explain(&args(&["5.1.1", "5.2.2"]), None);
        let Ok(Explanation::Comparison(c)) = same else { panic!("a comparison") };
        assert!(c.summary.contains("both permanent failures"), "{}", c.summary);
        let text = output(&["5.1.1", "5.2.2"], Format::Text);
        assert!(text.contains("\n  class     both: permanent failure (5.x.x)"), "{text}");
        assert!(c.rows.iter().any(|r| r.label == "subject" && r.left == "X.1 addressing"));
    }

    /// The most lines a comparison of two codes with a [`Brief`] takes: one
    /// screen.
    const SCREEN: usize = 40;

    /// The 252-versus-556 comparison fits one screen: at most [`SCREEN`]
    /// lines of at most 79 columns, as does any comparison of two codes
    /// with condensed notes; each note says no less than the whole one.
    #[test]
    fn comparison_252_556_fits_one_screen() {
        for list in [["252", "556"], ["556", "252"]] {
            let text = output(&list, Format::Text);
            assert_fits(&text);
            let lines = text.lines().count();
            assert!(lines <= SCREEN, "{list:?}: {lines} lines:\n{text}");
        }
        for brief in &BRIEFS {
            let e = reply_entry(brief.code);
            assert!(!brief.seen.is_empty() && !brief.todo.is_empty() && !brief.siblings.is_empty());
            // Every code a whole note names, the brief names too.
            let codes = |t: &str| -> Vec<String> {
                t.split(|c: char| !c.is_ascii_digit() && c != '.')
                    .map(|w| w.trim_matches('.').to_string())
                    .filter(|w| w.len() >= 3 && w.chars().next().is_some_and(|c| c != '0'))
                    .collect()
            };
            let whole = format!("{} {}", e.when_seen.unwrap_or_default(), e.siblings.unwrap_or_default());
            let short = format!("{} {}", brief.seen, brief.siblings);
            for code in codes(&whole) {
                assert!(short.contains(&code), "{}: the brief lacks {code}", brief.code);
            }
        }
    }

    #[test]
    fn texts_show_codes_rule_and_advice() {
        for list in [&[SPAMHAUS][..], &[POSTFIX_LINE], &[POSTFIX_DEFERRED], &[EXIM_LINE], &["abc"]] {
            let text = output(list, Format::Text);
            assert_fits(&text);
            for label in ["text", "codes", "reason", "rule", "means", "do"] {
                assert!(text.lines().any(|l| l.starts_with(&format!("  {label:<LABEL$}"))), "{label}: {text}");
            }
            let value = json(list);
            assert_eq!(value["kind"], "text");
            assert_eq!(value["text"], list[0]);
            assert!(value["verdict"]["rule"]["id"].is_string());
        }
        let text = output(&[SPAMHAUS], Format::Text);
        assert!(text.contains("550 5.7.1: action not taken"), "{text}");
        let nullmx = "Nov  5 10:00:00 mx1 postfix/smtp[1]: 4B1C2D3E4F: to=<u@nullmx.example>, relay=none, \
                      delay=0, dsn=5.1.0, status=bounced (Domain nullmx.example does not accept mail (nullMX))";
        assert!(json(&[nullmx])["description"].as_str().unwrap().contains("null MX"));
    }

    #[test]
    fn json_round_trip() {
        for list in
            [&["252"][..], &["5.1.10"], &["556", "5.1.10"], &["252", "556"], &["250", "421", "550"], &[SPAMHAUS]]
        {
            let written = output(list, Format::Json);
            assert!(written.ends_with("}\n"), "{written}");
            let value: serde_json::Value = serde_json::from_str(&written).expect("valid JSON");
            let explanation = explain(&args(list), None).expect("explains");
            assert_eq!(value, serde_json::to_value(document(&explanation)).unwrap(), "{list:?}");
        }
        let codes = json(&["250", "421", "550"]);
        assert_eq!(codes["kind"], "codes");
        assert_eq!(codes["entries"][1]["code"], "421");
        assert_eq!(codes["entries"][1]["class"]["name"], "transient_negative");
        let code = json(&["252"]);
        for field in ["code", "code_type", "registered", "class", "subject", "meaning", "when_seen", "what_to_do"] {
            assert!(code.get(field).is_some(), "{field}");
        }
        assert_eq!(code["class"]["digit"], 2);
        assert!(code["verdict"].is_null(), "252 is no delivery result");
        assert_eq!(json(&["250"])["verdict"]["outcome"], "delivered");
    }

    /// One shape for every kind: the same top-level keys, always present.
    #[test]
    fn one_json_schema_for_every_kind() {
        let keys = ["schema", "kind", "entries", "pair", "comparison", "text", "error"];
        let cases: [(&[&str], &str); 5] = [
            (&["252"], "code"),
            (&["556", "5.1.10"], "pair"),
            (&["252", "556"], "comparison"),
            (&["250", "421", "5.7.1"], "codes"),
            (&[SPAMHAUS], "text"),
        ];
        for (list, kind) in cases {
            let doc = doc(list);
            let object = doc.as_object().expect("an object");
            let mut found: Vec<&str> = object.keys().map(String::as_str).collect();
            let mut want = keys.to_vec();
            found.sort_unstable();
            want.sort_unstable();
            assert_eq!(found, want, "{list:?}");
            assert_eq!(doc["schema"], SCHEMA);
            assert_eq!(doc["kind"], kind);
            for entry in doc["entries"].as_array().expect("entries") {
                assert!(entry["code"].is_string(), "{list:?}: codes are strings");
                assert!(entry["source"].is_string(), "{list:?}: every entry cites a source");
            }
        }
        let pair = doc(&["556", "5.1.10"]);
        assert_eq!(pair["entries"][0]["class"]["name"], "permanent_negative");
        assert_eq!(pair["entries"][1]["class"]["name"], "permanent_failure");
        assert_eq!(doc(&["4.2.2"])["entries"][0]["class"]["name"], "persistent_transient_failure");
        assert_eq!(doc(&["2.0.0"])["entries"][0]["class"]["name"], "success");
        assert_eq!(doc(&[SPAMHAUS])["text"]["reply_code"], "550");
        // A usage error is a document too.
        let mut out = Vec::new();
        let err = run(&args(&["6.1.1"]), Format::Json, None, &mut out).unwrap_err();
        assert!(matches!(err, Error::ExplainUsage(_)));
        let error: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
        assert_eq!(error["kind"], "error");
        assert_eq!(error["schema"], SCHEMA);
        assert!(error["error"]["message"].as_str().unwrap().contains("'6.1.1' is not a code"));
        assert!(error["entries"].as_array().unwrap().is_empty());
        let mut out = Vec::new();
        run(&args(&["6.1.1"]), Format::Text, None, &mut out).unwrap_err();
        assert!(out.is_empty(), "text errors go to standard error only");
    }

    #[test]
    fn write_errors() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let err = run(&args(&["252"]), Format::Text, None, &mut Broken).unwrap_err();
        assert!(matches!(&err, Error::Output { path, .. } if path.as_os_str() == "-"));
        assert!(err.is_broken_pipe());
    }

    #[test]
    fn wrapping() {
        assert_eq!(wrap("a bb ccc", 4, 4), ["a bb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4, 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4, 4), [""]);
        assert_eq!(wrap("ab cd", 2, 5), ["ab", "cd"]);
        assert_eq!(wrap("a   b  c", 20, 20), ["a   b  c"]);
        assert_eq!(wrap("aa   bb", 4, 4), ["aa", "bb"]);
        assert_eq!(wrap(" a\tb\n", 9, 9), ["a b"]);
    }

    /// What an inbound line should be read as.
    struct InboundCase {
        line: &'static str,
        server: &'static str,
        command: &'static str,
        client: (Option<&'static str>, Option<&'static str>),
        sender: Option<&'static str>,
        recipient: Option<&'static str>,
        codes: (Option<u16>, Option<&'static str>),
        reason: &'static str,
        /// Words of the inbound advice.
        advice: &'static str,
    }

    const SMTPD_RBL: &str = "Nov  5 10:00:00 mx1 postfix/smtpd[4242]: NOQUEUE: reject: RCPT from \
        unknown[192.0.2.9]: 554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked using \
        zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.9; from=<a@b.example> to=<c@ours.example> \
        proto=ESMTP helo=<x>";

    #[test]
    fn inbound_lines_say_who_refused_whom_and_advise_our_side() {
        let case = |line, server, command, client, sender, recipient, codes, reason, advice| InboundCase {
            line,
            server,
            command,
            client,
            sender,
            recipient,
            codes,
            reason,
            advice,
        };
        let cases = [
            case(
                SMTPD_RBL,
                "Postfix smtpd",
                "RCPT",
                (Some("unknown"), Some("192.0.2.9")),
                Some("a@b.example"),
                Some("c@ours.example"),
                (Some(554), Some("5.7.1")),
                "blocked",
                "postscreen_access_list",
            ),
            case(
                "2023-03-14T00:26:51.985219+01:00 mx1 postfix/postscreen[3163107]: NOQUEUE: reject: RCPT from \
                 [192.0.2.9]:62795: 550 5.7.1 Service unavailable; client [192.0.2.9] blocked using \
                 zen.spamhaus.org; from=<a@b.example>, to=<u@ours.example>, proto=ESMTP, helo=<x>",
                "Postfix postscreen",
                "RCPT",
                (None, Some("192.0.2.9")),
                Some("a@b.example"),
                Some("u@ours.example"),
                (Some(550), Some("5.7.1")),
                "blocked",
                "check that client's listing",
            ),
            case(
                "Nov  5 10:00:00 mx1 postfix/smtpd[7]: NOQUEUE: reject: RCPT from h.example[192.0.2.9]: 550 \
                 5.1.1 <u@ours.example>: Recipient address rejected: User unknown in local recipient table; \
                 from=<a@b.example> to=<u@ours.example> proto=ESMTP helo=<h.example>",
                "Postfix smtpd",
                "RCPT",
                (Some("h.example"), Some("192.0.2.9")),
                Some("a@b.example"),
                Some("u@ours.example"),
                (Some(550), Some("5.1.1")),
                "userunknown",
                "virtual_alias_maps",
            ),
            case(
                "Jul 12 07:47:48 mx1 postfix/smtpd[8738]: NOQUEUE: reject: RCPT from h.example[192.0.2.9]: 554 \
                 5.7.1 <u@else.example>: Relay access denied; from=<a@b.example> to=<u@else.example> \
                 proto=SMTP helo=<h.example>",
                "Postfix smtpd",
                "RCPT",
                (Some("h.example"), Some("192.0.2.9")),
                Some("a@b.example"),
                Some("u@else.example"),
                (Some(554), Some("5.7.1")),
                "norelaying",
                "authenticate (SASL",
            ),
            case(
                "Nov  5 10:00:00 mx1 postfix/smtpd[7]: NOQUEUE: reject: RCPT from unknown[192.0.2.9]: 450 4.7.1 \
                 <x>: Helo command rejected: Host not found; from=<a@b.example> to=<c@ours.example> \
                 proto=ESMTP helo=<x>",
                "Postfix smtpd",
                "RCPT",
                (Some("unknown"), Some("192.0.2.9")),
                Some("a@b.example"),
                Some("c@ours.example"),
                (Some(450), Some("4.7.1")),
                "blocked",
                "HELO name",
            ),
            case(
                "Nov  5 10:00:00 mx1 postfix/smtpd[7]: NOQUEUE: reject: EHLO from s1.example[192.0.2.8]: 504 \
                 5.5.2 <User>: Helo command rejected: need fully-qualified hostname; proto=SMTP helo=<User>",
                "Postfix smtpd",
                "EHLO",
                (Some("s1.example"), Some("192.0.2.8")),
                None,
                None,
                (Some(504), Some("5.5.2")),
                "syntaxerror",
                "HELO name",
            ),
            case(
                "Nov  5 10:00:00 mx1 postfix/smtpd[7]: NOQUEUE: reject: RCPT from h.example[192.0.2.9]: 450 \
                 4.1.8 <a@b.example>: Sender address rejected: Domain not found; from=<a@b.example> \
                 to=<u@ours.example> proto=ESMTP helo=<h.example>",
                "Postfix smtpd",
                "RCPT",
                (Some("h.example"), Some("192.0.2.9")),
                Some("a@b.example"),
                Some("u@ours.example"),
                (Some(450), Some("4.1.8")),
                "rejected",
                "sender address",
            ),
            case(
                "Nov  5 10:00:00 mx1 postfix/smtpd[7]: NOQUEUE: reject: RCPT from h.example[192.0.2.9]: 450 \
                 4.2.0 <u@ours.example>: Recipient address rejected: Greylisted, see \
                 http://postgrey.example/help.html; from=<a@b.example> to=<u@ours.example> proto=ESMTP \
                 helo=<h.example>",
                "Postfix smtpd",
                "RCPT",
                (Some("h.example"), Some("192.0.2.9")),
                Some("a@b.example"),
                Some("u@ours.example"),
                (Some(450), Some("4.2.0")),
                "greylisted",
                "come back later",
            ),
            case(
                "Nov  5 10:00:00 mx1 postfix/submission/smtpd[7]: 4B1C2D3E4F: milter-reject: END-OF-MESSAGE \
                 from h.example[192.0.2.9]: 5.7.1 Blocked by SpamAssassin; from=<> to=<u@ours.example> \
                 proto=ESMTP helo=<h.example>",
                "Postfix smtpd",
                "END-OF-MESSAGE",
                (Some("h.example"), Some("192.0.2.9")),
                Some(""),
                Some("u@ours.example"),
                (None, Some("5.7.1")),
                "blocked",
                "content filter",
            ),
            case(
                "Nov  5 10:00:00 mx1 postfix/postscreen[1]: NOQUEUE: reject: CONNECT from [192.0.2.1]:1337: too \
                 many connections",
                "Postfix postscreen",
                "CONNECT",
                (None, Some("192.0.2.1")),
                None,
                None,
                (None, None),
                "ratelimited",
                "raise its limits",
            ),
            case(
                "2020-02-22 00:48:43 H=([198.51.100.163]) [198.51.100.168] F=<f@b.example> rejected RCPT \
                 <u@ours.example>: Unrouteable address",
                "Exim",
                "RCPT",
                (None, Some("198.51.100.168")),
                Some("f@b.example"),
                Some("u@ours.example"),
                (None, None),
                "hostunknown",
                "local_domains",
            ),
            case(
                "2022-06-29 15:33:46 H=mx.example (helo.example) [192.0.2.4]:53343 F=<i@b.example> rejected RCPT \
                 <t@ours.example>: 550 5.1.1 Unknown user",
                "Exim",
                "RCPT",
                (Some("mx.example"), Some("192.0.2.4")),
                Some("i@b.example"),
                Some("t@ours.example"),
                (Some(550), Some("5.1.1")),
                "userunknown",
                "aliases",
            ),
            case(
                "2022-06-29 15:33:46 1tXyZa-0003Ab-Qr H=mx.example [192.0.2.4]:53343 F=<i@b.example> rejected \
                 after DATA: This message was classified as SPAM",
                "Exim",
                "DATA",
                (Some("mx.example"), Some("192.0.2.4")),
                Some("i@b.example"),
                None,
                (None, None),
                "spamdetected",
                "content filter",
            ),
            case(
                "2022-06-29 15:33:46 H=mx.example [192.0.2.4] F=<i@b.example> temporarily rejected RCPT \
                 <t@ours.example>: greylisted",
                "Exim",
                "RCPT",
                (Some("mx.example"), Some("192.0.2.4")),
                Some("i@b.example"),
                Some("t@ours.example"),
                (None, None),
                "greylisted",
                "come back later",
            ),
            case(
                "2020-01-01 00:00:00 rejected EHLO from [192.0.2.1]: syntactically invalid argument(s): _",
                "Exim",
                "EHLO",
                (None, Some("192.0.2.1")),
                None,
                None,
                (None, None),
                "undefined",
                "HELO name",
            ),
        ];
        for c in cases {
            let Ok(Explanation::Text(t)) = explain(&args(&[c.line]), None) else { panic!("{}: a text", c.line) };
            let what = c.line;
            assert_eq!(t.direction, Direction::Inbound, "{what}");
            let i = t.inbound.as_ref().expect("inbound");
            assert_eq!((i.server, i.command.as_str(), i.refused), (c.server, c.command, true), "{what}");
            assert_eq!((i.client_host.as_deref(), i.client_ip.as_deref()), c.client, "{what}");
            assert_eq!((i.sender.as_deref(), i.recipient.as_deref()), (c.sender, c.recipient), "{what}");
            assert_eq!(
                (t.reply_code.as_deref().map(|c| c.parse::<u16>().unwrap()), t.enhanced_code.as_deref()),
                c.codes,
                "{what}"
            );
            assert_eq!(t.verdict().reason, c.reason, "{what}");
            assert!(t.verdict().advice.contains(c.advice), "{what}: {}", t.verdict().advice);
            for outbound in Reason::ALL.map(Reason::advice) {
                assert_ne!(t.verdict().advice, outbound, "{what}: outbound advice");
            }
            assert!(i.summary.starts_with(&format!("our server ({}) ", c.server)), "{}", i.summary);
            let text = output(&[c.line], Format::Text);
            assert_fits(&text);
            assert!(text.contains("\n  inbound   our server ("), "{text}");
            assert!(!text.contains("delisting"), "{text}");
            let value = json(&[c.line]);
            assert_eq!(value["direction"], "inbound", "{what}");
            assert_eq!(value["inbound"]["server"], c.server, "{what}");
            assert_eq!(value["verdict"]["advice"], t.verdict().advice, "{what}");
        }
    }

    #[test]
    fn inbound_summaries() {
        let summary = |line: &str| match explain(&args(&[line]), None) {
            Ok(Explanation::Text(t)) => t.inbound.map(|i| i.summary).unwrap_or_default(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            summary(SMTPD_RBL),
            "our server (Postfix smtpd) refused a message from client unknown [192.0.2.9]: sender <a@b.example>, \
             recipient <c@ours.example>"
        );
        assert_eq!(
            summary(
                "Nov  5 10:00:00 mx1 postfix/postscreen[1]: NOQUEUE: reject: CONNECT from [192.0.2.1]:1337: too \
                 many connections"
            ),
            "our server (Postfix postscreen) refused the connection of client [192.0.2.1]"
        );
        assert_eq!(
            summary("2022-06-29 15:33:46 H=mx.example [192.0.2.4] F=<> temporarily rejected RCPT <t@o.example>: x"),
            "our server (Exim) temporarily refused a message from client mx.example [192.0.2.4]: sender <>, \
             recipient <t@o.example>"
        );
        assert_eq!(
            summary("Nov  5 10:00:00 mx1 postfix/smtpd[1]: NOQUEUE: reject: VRFY from h[192.0.2.3]: 550 5.1.1 x"),
            "our server (Postfix smtpd) refused a VRFY from client h [192.0.2.3]"
        );
        // reject_warning is a dry run: nothing was refused.
        let warning = "Nov  5 10:00:00 mx1 postfix/smtpd[1]: NOQUEUE: reject_warning: RCPT from h[192.0.2.3]: 554 \
                       5.7.1 Service unavailable; Client host [192.0.2.3] blocked using zen.spamhaus.org; \
                       from=<a@b.example> to=<c@ours.example> proto=ESMTP helo=<h>";
        assert_eq!(
            summary(warning),
            "our server (Postfix smtpd) would have refused a message from client h [192.0.2.3]: sender \
             <a@b.example>, recipient <c@ours.example> (reject_warning: a dry run, nothing was refused)"
        );
        let value = json(&[warning]);
        assert_eq!(value["inbound"]["refused"], false);
        assert!(value["verdict"]["advice"].as_str().unwrap().starts_with("Nothing was refused"));
    }

    /// The same reply received by our MTA, a line of another program or
    /// a line without its tag keep the advice for the sending side.
    #[test]
    fn outbound_lines_keep_outbound_advice() {
        let smtp_rbl = "Nov  5 10:00:00 mx1 postfix/smtp[123]: 4B1C2D3E4F: to=<c@theirs.example>, \
            relay=mx.theirs.example[198.51.100.1]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host \
            mx.theirs.example[198.51.100.1] said: 554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked \
            using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.9 (in reply to RCPT TO command))";
        let exim_rejected = "2026-11-05 10:00:00 1tXyZa-0003Ab-Qr ** u@theirs.example R=dnslookup T=remote_smtp \
            H=mx.theirs.example [198.51.100.1] : SMTP error from remote mail server after RCPT TO:<u@theirs.example>: \
            550 5.7.1 H=x [192.0.2.1] rejected RCPT <u@theirs.example>: blocked using zen.spamhaus.org";
        let not_a_daemon = "Nov  5 10:00:00 mx1 postfix/smtp[1]: NOQUEUE: reject: RCPT from unknown[192.0.2.9]: 554 \
            5.7.1 Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org";
        let untagged = &SMTPD_RBL[SMTPD_RBL.find("NOQUEUE").unwrap()..];
        let not_postfix = SMTPD_RBL.replace("postfix/smtpd", "sendmail/smtpd");
        for line in [smtp_rbl, exim_rejected, not_a_daemon, untagged, &not_postfix, SPAMHAUS, POSTFIX_LINE, EXIM_LINE] {
            let Ok(Explanation::Text(t)) = explain(&args(&[line]), None) else { panic!("{line}: a text") };
            assert_eq!(t.direction, Direction::Outbound, "{line}");
            assert!(t.inbound.is_none(), "{line}");
            let reason = Reason::ALL.into_iter().find(|r| r.as_str() == t.verdict().reason).expect("a reason");
            assert_eq!(t.verdict().advice, reason.advice(), "{line}");
            let value = json(&[line]);
            assert_eq!(value["direction"], "outbound", "{line}");
            assert!(value["inbound"].is_null(), "{line}");
            assert!(!output(&[line], Format::Text).contains("\n  inbound "), "{line}");
        }
        let Ok(Explanation::Text(t)) = explain(&args(&[smtp_rbl]), None) else { panic!("a text") };
        assert_eq!(t.verdict().reason, "blocked");
        assert!(t.verdict().advice.contains("delisting"), "{}", t.verdict().advice);
    }

    #[test]
    fn inbound_line_names_are_the_dialects() {
        let names: Vec<&str> = DIALECTS.iter().map(|d| d.line_name).collect();
        assert!(names.contains(&POSTFIX_LINE_NAME) && names.contains(&EXIM_LINE_NAME), "{names:?}");
    }

    #[test]
    fn real_reasons() {
        let verdict = |list: &[&str]| {
            let value = json(list);
            let v = if value["kind"] == "pair" { &value["pair"]["verdict"] } else { &value["verdict"] };
            (v["reason"].as_str().unwrap().to_string(), v["bounce_type"].as_str().unwrap().to_string())
        };
        assert_eq!(verdict(&["556"]), ("notaccept".into(), "hard".into()));
        assert_eq!(verdict(&["5.1.1"]).0, "userunknown");
        assert_eq!(verdict(&["552", "5.2.2"]), ("mailboxfull".into(), "soft".into()));
        assert_eq!(verdict(&[SPAMHAUS]), ("blocked".into(), "block".into()));
        assert_eq!(verdict(&["250"]), ("delivered".into(), "none".into()));
        assert!(json(&["252"])["verdict"].is_null());
    }

    /// A close call shows the rival: the first later rule that names
    /// another reason (`onhold` rules are no rivals); none when every rule
    /// that matches agrees. The user's rules come first, the built-in
    /// verdict then shows as the rival.
    #[test]
    fn the_runner_up_is_the_first_rival() {
        let sender = "550 5.1.1 <a@our.example>: Sender address rejected: User unknown in local recipient table";
        let text = output(&[sender], Format::Text);
        assert!(text.contains("  rule      P02: "), "{text}");
        assert!(text.contains("  also      P09 matches too, after P02: userunknown (bounce type hard)"), "{text}");
        let value = json(&[sender]);
        assert_eq!(value["verdict"]["runner_up"]["rule"]["id"], "P09");
        assert_eq!(value["verdict"]["runner_up"]["reason"], "userunknown");
        // Agreeing rules and onhold rules are no rivals.
        let quota = "552 5.2.2 mailbox over quota";
        assert!(!output(&[quota], Format::Text).contains("  also "));
        assert!(json(&[quota])["verdict"]["runner_up"].is_null());
        // With a rule of the user's.
        let rules = UserRules::parse("over quota\tsuspend\n").unwrap();
        let mut out = Vec::new();
        run(&args(&[quota]), Format::Text, Some(&rules), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("  rule      U1: rules file, line 1: over quota"), "{text}");
        assert!(text.contains("  also      P16 matches too, after U1: mailboxfull (bounce type soft)"), "{text}");
        // Codes alone have no user rule to match.
        let mut out = Vec::new();
        run(&args(&["552"]), Format::Text, Some(&rules), &mut out).unwrap();
        assert!(!String::from_utf8(out).unwrap().contains("U1"));
    }
}
