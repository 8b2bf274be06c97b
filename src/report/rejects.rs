//! The `rejects` report: what our own server refused (or only warned
//! about, discarded or held), per (action, stage, code, enhanced code,
//! reason, bounce type).
//!
//! Columns: [`RejectRow::COLUMNS`]. The reason and bounce type are the
//! classifier's, read from our side: a DNSBL hit is `blocked`, an unknown
//! local user `userunknown`, a refused relay `norelaying`. Warn-only lines
//! (`reject_warning`) are rows of their own, with the action `warn`: the
//! mail was not refused. Sorted by action (reject, discard, hold, warn),
//! then count (descending), then stage, codes, reason and bounce type; a
//! last row, with the action `unparsable`, counts the lines shaped like a
//! refusal that could not be read, when there are any. The top client and
//! recipient domain are those with the most refusals in the row, ties to
//! the name that sorts first; the example is the reply that sorts first.
//! None of it depends on threads or input order.

use super::table::{Cell, Column, Row};

use crate::classify::{BounceType, Reason};
use crate::parse::Enhanced;
use crate::parse::refusal::{Action, RefusalStage};
use crate::refusals::{Refusals, top};

/// One row of the `rejects` report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectRow {
    /// What was done; `None` for the row of unparsable lines.
    pub action: Option<Action>,
    /// When in the session.
    pub stage: Option<RefusalStage>,
    /// Our reply code, when logged.
    pub code: Option<u16>,
    /// Our enhanced status code, when logged.
    pub enhanced: Option<Enhanced>,
    /// Why, in the classifier's words.
    pub reason: Option<Reason>,
    /// What that says about the address or the sender.
    pub bounce_type: Option<BounceType>,
    /// How many lines.
    pub count: u64,
    /// Distinct clients.
    pub clients: u64,
    /// The client with the most refusals, and how many.
    pub top_client: (String, u64),
    /// The recipient domain with the most refusals, and how many (empty
    /// when no line of the row named a recipient).
    pub top_domain: (String, u64),
    /// The reply that sorts first (for unparsable lines, the line).
    pub example: String,
}

/// The rows of the refusals counted, in report order.
pub fn rows(refusals: &Refusals) -> Vec<RejectRow> {
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let named = |top: Option<(&[u8], u64)>| top.map(|(name, n)| (text(name), n)).unwrap_or_default();
    let mut rows: Vec<RejectRow> = refusals
        .rows()
        .map(|(key, counts)| RejectRow {
            action: Some(key.action),
            stage: Some(key.stage),
            code: key.code,
            enhanced: key.enhanced,
            reason: Some(key.reason),
            bounce_type: Some(key.bounce_type),
            count: counts.count,
            clients: counts.clients.len() as u64,
            top_client: named(top(&counts.clients)),
            top_domain: named(top(&counts.domains)),
            example: counts.example.as_deref().map(text).unwrap_or_default(),
        })
        .collect();
    rows.sort_unstable_by(|a, b| {
        a.action.cmp(&b.action).then(b.count.cmp(&a.count)).then_with(|| {
            (a.stage, a.code, a.enhanced, a.reason, a.bounce_type).cmp(&(
                b.stage,
                b.code,
                b.enhanced,
                b.reason,
                b.bounce_type,
            ))
        })
    });
    if let (n @ 1.., example) = refusals.unparsable() {
        rows.push(RejectRow {
            action: None,
            stage: None,
            code: None,
            enhanced: None,
            reason: None,
            bounce_type: None,
            count: n,
            clients: 0,
            top_client: Default::default(),
            top_domain: Default::default(),
            example: example.map(text).unwrap_or_default(),
        });
    }
    rows
}

impl Row for RejectRow {
    const COLUMNS: &'static [Column] = &[
        Column { name: "action", about: "reject, discard, hold, warn (reject_warning: not refused), or unparsable" },
        Column { name: "stage", about: "CONNECT, HELO, MAIL, RCPT, DATA, END-OF-MESSAGE, VRFY... (when refused)" },
        Column { name: "code", about: "our reply code; empty when the line has none" },
        Column { name: "enhanced", about: "our enhanced status code; empty when the line has none" },
        Column { name: "reason", about: "why, in the classifier's words, from our side" },
        Column { name: "count", about: "lines" },
        Column { name: "bounce_type", about: "hard, soft, block or undetermined" },
        Column { name: "clients", about: "distinct clients (host name, or IP address without one)" },
        Column { name: "top_client", about: "the client refused most often" },
        Column { name: "top_client_count", about: "its refusals" },
        Column { name: "top_recipient_domain", about: "the recipient domain refused most often; empty when none" },
        Column { name: "top_recipient_domain_count", about: "its refusals" },
        Column { name: "example", about: "the reply that sorts first (for unparsable lines, the line)" },
    ];

    fn cells<'a>(&'a self, out: &mut Vec<Cell<'a>>) {
        let (domain, domain_count) = &self.top_domain;
        out.extend([
            Cell::Text(self.action.map_or("unparsable", Action::as_str)),
            Cell::Text(self.stage.map_or("", RefusalStage::as_str)),
            Cell::Code(self.code),
            Cell::Enhanced(self.enhanced),
            Cell::Text(self.reason.map_or("", Reason::as_str)),
            Cell::Count(self.count),
            Cell::Text(self.bounce_type.map_or("", BounceType::as_str)),
            Cell::Count(self.clients),
            Cell::Logged(&self.top_client.0),
            Cell::Count(self.top_client.1),
            Cell::Logged(domain),
            Cell::Count(*domain_count),
            Cell::Logged(&self.example),
        ]);
    }
}
