//! Outcomes: what each delivery attempt meets (decided by the domain's
//! mail host and character), its codes, stage and DSN, and the messages and
//! retries that carry it. The words of the replies are in `replies.rs`.

use super::*;

/// What happened to one delivery attempt, and with which words.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum K {
    // Delivered.
    SQueued,
    SGmail,
    SMsft,
    SYahoo,
    SAccepted,
    SEximId,
    SApple,
    // Deferred with a remote reply.
    DGrey,
    D451,
    D452,
    DYahoo,
    DGmailRate,
    DGmail421,
    DMsft,
    D430,
    DRefused421,
    DLmtpQuota,
    // Deferred without a reply.
    DTimeout,
    DRefusedConn,
    DLost,
    DConv,
    DDnsAgain,
    DSuspended,
    // Bounced with a remote reply.
    BUser,
    BContent,
    BQuota,
    BBlocked,
    BGmailUser,
    BGmailSpam,
    BGmailQuota,
    BMsftUser,
    BOutlookUser,
    BYahooUser,
    BDtSpm,
    BLatin1,
    BPlain550,
    B553,
    BDmarc,
    // Bounced without a reply.
    BHostNotFound,
    BNullMx,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    Connect,
    Mail,
    Rcpt,
    Data,
}

impl K {
    /// 0 delivered, 1 deferred, 2 bounced.
    pub(crate) fn outcome(self) -> usize {
        use K::*;
        match self {
            SQueued | SGmail | SMsft | SYahoo | SAccepted | SEximId | SApple => 0,
            DGrey | D451 | D452 | DYahoo | DGmailRate | DGmail421 | DMsft | D430 | DRefused421 | DLmtpQuota
            | DTimeout | DRefusedConn | DLost | DConv | DDnsAgain | DSuspended => 1,
            _ => 2,
        }
    }

    /// Whether the text holds a remote server's reply (a code).
    pub(crate) fn has_reply(self) -> bool {
        self.reply_codes().is_some()
    }

    /// The basic code that starts the remote server's reply, and the
    /// enhanced code right after it (if any): [`Gen::reply`] writes them from
    /// here, and the truth counts them from what it wrote.
    pub(crate) fn reply_codes(self) -> Option<(u16, Option<&'static str>)> {
        use K::*;
        let (code, enhanced) = match self {
            SQueued | SGmail | SApple => (250, Some("2.0.0")),
            SMsft => (250, Some("2.6.0")),
            SYahoo | SAccepted | SEximId => (250, None),
            DGrey => (450, Some("4.2.0")),
            D451 => (451, Some("4.7.1")),
            D452 | DLmtpQuota => (452, Some("4.2.2")),
            DYahoo | DGmail421 | DRefused421 => (421, Some("4.7.0")),
            DGmailRate => (450, Some("4.2.1")),
            DMsft => (451, Some("4.7.650")),
            D430 => (451, Some("4.3.0")),
            BUser | BGmailUser => (550, Some("5.1.1")),
            BContent | BGmailSpam | BLatin1 | BDmarc => (550, Some("5.7.1")),
            BQuota | BGmailQuota => (552, Some("5.2.2")),
            BBlocked => (554, Some("5.7.1")),
            BMsftUser => (550, Some("5.1.10")),
            BOutlookUser => (550, Some("5.5.0")),
            BYahooUser | BDtSpm => (554, None),
            BPlain550 => (550, None),
            B553 => (553, Some("5.1.3")),
            DTimeout | DRefusedConn | DLost | DConv | DDnsAgain | DSuspended | BHostNotFound | BNullMx => return None,
        };
        Some((code, enhanced))
    }

    /// Whether Postfix logs `relay=none` (no server was talked to).
    pub(crate) fn no_relay(self) -> bool {
        use K::*;
        matches!(self, DTimeout | DRefusedConn | DDnsAgain | DSuspended | BHostNotFound | BNullMx)
    }

    pub(crate) fn stage(self) -> Stage {
        use K::*;
        match self {
            DYahoo | DMsft | BDmarc => Stage::Mail,
            DRefused421 => Stage::Connect,
            BContent | BBlocked | BGmailSpam | DGmail421 | BYahooUser | BDtSpm | BLatin1 | D430 | DLmtpQuota => {
                Stage::Data
            }
            _ => Stage::Rcpt,
        }
    }

    /// Postfix's `dsn=`.
    pub(crate) fn dsn(self) -> &'static str {
        use K::*;
        match self {
            SQueued | SGmail | SYahoo | SAccepted | SEximId | SApple => "2.0.0",
            SMsft => "2.6.0",
            DGrey => "4.2.0",
            D451 => "4.7.1",
            D452 | DLmtpQuota => "4.2.2",
            DYahoo | DGmail421 | DRefused421 => "4.7.0",
            DGmailRate => "4.2.1",
            DMsft => "4.7.650",
            D430 => "4.3.0",
            DTimeout | DRefusedConn | DSuspended => "4.4.1",
            DLost | DConv => "4.4.2",
            DDnsAgain => "4.4.3",
            BUser | BGmailUser => "5.1.1",
            BContent | BBlocked | BGmailSpam | BLatin1 | BDmarc => "5.7.1",
            BQuota | BGmailQuota => "5.2.2",
            BMsftUser => "5.1.10",
            BOutlookUser => "5.5.0",
            BYahooUser | BDtSpm | BPlain550 => "5.0.0",
            B553 => "5.1.3",
            BHostNotFound => "5.4.4",
            BNullMx => "5.1.0",
        }
    }
}

impl<W: Write> Gen<W> {
    /// What one attempt to deliver to `dom` gives.
    pub(crate) fn decide(&mut self, dom: u32, attempt: u8) -> K {
        use K::*;
        let (mx, tr) = {
            let d = &self.doms[dom as usize];
            (d.mx, d.trait_)
        };
        match tr {
            Trait::NullMx => return BNullMx,
            Trait::NoDns => return BHostNotFound,
            Trait::Dead => {
                return if attempt == 0 || self.rng.percent(50) { DTimeout } else { DSuspended };
            }
            Trait::Greylist if attempt == 0 && self.rng.percent(80) => return DGrey,
            _ => {}
        }
        let (p_bounce, p_defer) = if attempt == 0 { (35, 55) } else { (30, 120) };
        let r = self.rng.below(1000);
        if r < p_bounce {
            let pick = |rng: &mut Rng, ks: &[K], ws: &[u32]| ks[rng.weighted(ws)];
            return match (mx, tr) {
                (Mx::Gmail | Mx::Workspace, _) => {
                    pick(&mut self.rng, &[BGmailUser, BGmailQuota, BGmailSpam], &[70, 15, 15])
                }
                (Mx::Outlook, _) => pick(&mut self.rng, &[BOutlookUser, BBlocked], &[80, 20]),
                (Mx::M365, _) => pick(&mut self.rng, &[BMsftUser, BContent], &[85, 15]),
                (Mx::Yahoo | Mx::Aol, _) => pick(&mut self.rng, &[BYahooUser, BBlocked], &[85, 15]),
                (_, Trait::DtSpm) => pick(&mut self.rng, &[BDtSpm, BUser], &[70, 30]),
                _ => pick(
                    &mut self.rng,
                    &[BUser, BContent, BQuota, BBlocked, BPlain550, B553, BLatin1, BHostNotFound, BDmarc],
                    &[45, 8, 10, 10, 10, 5, 1, 5, 6],
                ),
            };
        }
        if r < p_bounce + p_defer {
            let pick = |rng: &mut Rng, ks: &[K], ws: &[u32]| ks[rng.weighted(ws)];
            return match mx {
                Mx::Gmail | Mx::Workspace => pick(&mut self.rng, &[DGmailRate, DGmail421], &[60, 40]),
                Mx::Outlook | Mx::M365 => pick(&mut self.rng, &[DMsft, DTimeout, D451], &[70, 10, 20]),
                Mx::Yahoo | Mx::Aol => pick(&mut self.rng, &[DYahoo, DTimeout], &[90, 10]),
                Mx::Apple => pick(&mut self.rng, &[D451, DTimeout], &[50, 50]),
                _ => pick(
                    &mut self.rng,
                    &[DGrey, D451, D452, DTimeout, DRefused421, DLost, DConv, DDnsAgain, D430, DRefusedConn],
                    &[18, 15, 15, 14, 10, 7, 5, 5, 8, 3],
                ),
            };
        }
        match mx {
            Mx::Gmail | Mx::Workspace => SGmail,
            Mx::Outlook | Mx::M365 => SMsft,
            Mx::Yahoo | Mx::Aol => SYahoo,
            Mx::Apple => SApple,
            _ => [SQueued, SAccepted, SEximId][self.rng.weighted(&[80, 10, 10])],
        }
    }
}

/// Which server of a domain was talked to.
#[derive(Clone, Copy)]
pub(crate) struct Hop {
    pub(crate) dom: u32,
    /// 0 the primary MX, 1 the secondary.
    pub(crate) which: u8,
    pub(crate) v6: bool,
}

/// Where a recipient's mail goes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// Over SMTP to the domain's MX.
    Remote,
    /// Into a local mailbox over LMTP.
    Lmtp,
}

/// A message as the queue knows it.
#[derive(Clone, Copy)]
pub(crate) struct Msg {
    /// Counter: the source of its unique ids.
    pub(crate) n: u64,
    /// Postfix: 0 the main instance (short hex ids), 1 `postfix-out` (long
    /// ids). Exim: 0 the 6-6-2 id, 1 the 6-11-4 id.
    pub(crate) inst: u8,
    pub(crate) sender: Addr,
    pub(crate) size: u64,
    /// Clock at arrival (for Postfix's `delay=`).
    pub(crate) arrived: u64,
    /// Unix seconds at arrival (the time part of long ids).
    pub(crate) id_sec: u64,
    pub(crate) tail: u64,
}

/// Recipients waiting for their next attempt.
pub(crate) struct Retry {
    pub(crate) due: u64,
    pub(crate) seq: u64,
    pub(crate) msg: Msg,
    pub(crate) rcpts: Vec<Addr>,
    pub(crate) attempt: u8,
    pub(crate) route: Route,
}

impl PartialEq for Retry {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.seq) == (other.due, other.seq)
    }
}
impl Eq for Retry {}
impl PartialOrd for Retry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Retry {
    /// Reversed, so that the `BinaryHeap` pops the earliest first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.due, other.seq).cmp(&(self.due, self.seq))
    }
}

/// Attempts before a message expires (Postfix `status=expired`, Exim
/// `retry timeout exceeded`).
pub(crate) const MAX_ATTEMPTS: u8 = 5;

pub(crate) const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Postfix long queue ids: no vowels, and no `z`, which separates the parts.
pub(crate) const B51: &[u8] = b"0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxy";
pub(crate) const HEX_UP: &[u8] = b"0123456789ABCDEF";
pub(crate) const HEX_LO: &[u8] = b"0123456789abcdef";
pub(crate) const B64ISH: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(crate) const SUBJECTS: &[&str] = &[
    "Re: Lunch on Friday?",
    "Quote request",
    "Invoice 2026-11",
    "Weekly metrics",
    "Meeting notes",
    "Re: Migration plan: old => new cluster",
    "Fwd: contract draft",
    "Your order has shipped",
    "Gr\u{fc}\u{df}e aus M\u{fc}nchen",
    "Angebot f\\374r Sie",
    "[ALERT] disk /var 91%",
    "Re: Re: budget ** final **",
    "Password reset",
    "Newsletter November",
    "Q4 planning -> next steps",
    "\u{8bf7}\u{67e5}\u{6536}\u{9644}\u{4ef6}",
];
