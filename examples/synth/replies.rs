//! The remote servers' replies: each outcome's code and words (Gmail's
//! multi-line replies, Microsoft's and Yahoo's texts, ids and host names
//! in them), with the codes noted for the truth of the line as they are
//! written.

use super::*;

impl<W: Write> Gen<W> {
    /// Starts a remote server's reply: writes `CODE ` or `CODE ENHANCED `
    /// and notes both codes for the truth of this line.
    pub(crate) fn reply_start(&mut self, code: u16, enhanced: Option<&'static str>) {
        self.o.reply = Some((code, enhanced));
        self.o.n(u64::from(code));
        self.o.c(b' ');
        if let Some(e) = enhanced {
            self.o.t(e);
            self.o.c(b' ');
        }
    }

    /// The remote server's reply (code and text) for `k`: the codes from
    /// [`K::reply_codes`], then the words.
    pub(crate) fn reply(&mut self, k: K, a: Addr, hop: Hop, sep: &str) {
        use K::*;
        let ip = self.our_ip;
        let (code, enhanced) = k.reply_codes().expect("only kinds with a reply have a reply text");
        let multiline = matches!(k, DGmailRate | DGmail421 | BGmailUser | BGmailSpam | BGmailQuota);
        if multiline {
            self.o.reply = Some((code, enhanced));
        } else {
            self.reply_start(code, enhanced);
        }
        let enh = enhanced.unwrap_or_default();
        match k {
            SQueued => {
                self.o.t("Ok: queued as ");
                let x = self.rng.next();
                self.o.digits(x, 10, HEX_UP);
            }
            SGmail => {
                self.o.t("OK  ");
                self.o.n(self.clk.unix());
                self.o.c(b' ');
                self.gmail_id();
                self.o.t(" - gsmtp");
            }
            SMsft => {
                self.o.c(b'<');
                let x = self.rng.next();
                self.o.digits(x, 16, HEX_LO);
                self.o.c(b'@');
                self.dom_name(self.home);
                self.o.t("> [InternalId=");
                self.o.n(self.rng.range(10_000_000_000_000, 99_999_999_999_999));
                self.o.t(", Hostname=");
                self.msft_host();
                self.o.t(".namprd");
                self.o.pad(self.rng.range(1, 22), 2);
                self.o.t(".prod.outlook.com] ");
                self.o.n(self.rng.range(2_000, 900_000));
                self.o.t(" bytes in 0.");
                self.o.pad(self.rng.below(1000), 3);
                self.o.t(", ");
                self.o.n(self.rng.range(20, 900));
                self.o.c(b'.');
                self.o.pad(self.rng.below(1000), 3);
                self.o.t(" KB/sec Queued mail for delivery");
            }
            SYahoo => self.o.t("ok dirdel"),
            SAccepted => self.o.t("Message accepted"),
            SEximId => {
                self.o.t("OK id=");
                let (x, y) = (self.rng.next(), self.rng.next());
                self.o.digits(x, 6, B62);
                self.o.c(b'-');
                self.o.digits(y, 6, B62);
                self.o.c(b'-');
                self.o.digits(y >> 40, 2, B62);
            }
            SApple => {
                self.o.t("Ok: queued as ");
                let (x, y) = (self.rng.next(), self.rng.next());
                self.o.digits(x >> 32, 8, HEX_UP);
                self.o.c(b'-');
                self.o.digits(x >> 16, 4, HEX_UP);
                self.o.c(b'-');
                self.o.digits(x, 4, HEX_UP);
                self.o.c(b'-');
                self.o.digits(y >> 48, 4, HEX_UP);
                self.o.c(b'-');
                self.o.digits(y, 12, HEX_UP);
            }
            DGrey => {
                self.o.c(b'<');
                self.addr(a);
                self.o.t(">: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/");
                self.dom_name(a.dom);
                self.o.t(".html");
            }
            D451 => self.o.t("Service unavailable - try again later"),
            D452 => {
                self.o.c(b'<');
                self.addr(a);
                self.o.t(">: Recipient address rejected: Mailbox full");
            }
            DYahoo => {
                self.o.t("[TSS04] Messages from ");
                self.o.t(ip);
                self.o.t(" temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes");
            }
            DGmailRate => self.multiline(
                code,
                enh,
                &[
                    "The user you are trying to contact is receiving mail at a rate that",
                    "prevents additional messages from being delivered. Please resend your",
                    "message at a later point. If the user is able to receive mail at that",
                    "time, your message will be delivered. For more information, go to",
                    " https://support.google.com/mail/?p=ReceivingRate",
                ],
                sep,
            ),
            DGmail421 => {
                let first = format!("[{ip}      15] Our system has detected an unusual rate of");
                self.multiline(
                    code,
                    enh,
                    &[
                        &first,
                        "unsolicited mail originating from your IP address. To protect our",
                        "users from spam, mail sent from your IP address has been temporarily",
                        "rate limited. For more information, go to",
                        " https://support.google.com/mail/?p=UnsolicitedRateLimitError",
                    ],
                    sep,
                );
            }
            DMsft => {
                self.o.t("The mail server [");
                self.o.t(ip);
                self.o.t("] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775) [");
                self.msft_host();
                self.o.t(".eop-nam12.prod.protection.outlook.com]");
            }
            D430 => self.o.t("Temporary server error. Please try again later"),
            DRefused421 => {
                self.mx_host(hop);
                self.o.t(" Service temporarily unavailable, closing transmission channel");
            }
            DLmtpQuota => {
                self.o.c(b'<');
                self.addr(a);
                self.o.t("> Quota exceeded (mailbox for user is full)");
            }
            BUser => {
                self.o.c(b'<');
                self.addr(a);
                self.o.t(">: Recipient address rejected: User unknown in virtual mailbox table");
            }
            BContent => self.o.t("Message rejected due to content restrictions"),
            BQuota => {
                self.o.c(b'<');
                self.addr(a);
                self.o.t(">: Recipient address rejected: Mailbox quota exceeded");
            }
            BBlocked => {
                self.o.t("Service unavailable; Client host [");
                self.o.t(ip);
                self.o.t("] blocked using bl.spamcop.net");
            }
            BGmailUser => self.multiline(
                code,
                enh,
                &[
                    "The email account that you tried to reach does not exist. Please try",
                    "double-checking the recipient's email address for typos or",
                    "unnecessary spaces. For more information, go to",
                    " https://support.google.com/mail/?p=NoSuchUser",
                ],
                sep,
            ),
            BGmailSpam => {
                let first = format!("[{ip}      12] Our system has detected that this message is");
                self.multiline(
                    code,
                    enh,
                    &[
                        &first,
                        "likely unsolicited mail. To reduce the amount of spam sent to Gmail,",
                        "this message has been blocked. For more information, go to",
                        " https://support.google.com/mail/?p=UnsolicitedMessage",
                    ],
                    sep,
                );
            }
            BGmailQuota => self.multiline(
                code,
                enh,
                &[
                    "The recipient's inbox is out of storage space and inactive. Please",
                    "direct the recipient to",
                    " https://support.google.com/mail/?p=OverQuotaPerm",
                ],
                sep,
            ),
            BMsftUser => {
                self.o.t("RESOLVER.ADR.RecipientNotFound; Recipient ");
                self.addr(a);
                self.o.t(" not found by SMTP address lookup");
            }
            BOutlookUser => {
                self.o.t("Requested action not taken: mailbox unavailable (S2017062302). [");
                self.msft_host();
                self.o.t(".eop-nam12.prod.protection.outlook.com]");
            }
            BYahooUser => {
                self.o.t("delivery error: dd This user doesn't have a ");
                self.dom_name(a.dom);
                self.o.t(" account (");
                self.addr(a);
                self.o.t(") [0] - ");
                self.mx_host(hop);
            }
            BDtSpm => {
                self.o.t("DT:SPM 163 mx");
                self.o.n(self.rng.range(1, 40));
                self.o.c(b',');
                let (x, y) = (self.rng.next(), self.rng.next());
                self.o.digits(x, 10, B64ISH);
                self.o.digits(y, 10, B64ISH);
                self.o.t("--.");
                self.o.n(self.rng.range(10_000, 60_000));
                self.o.t("S2 ");
                self.o.n(self.clk.unix());
                self.o.t(",please see http://");
                self.mx_host(hop);
                self.o.t("/help/help_spam.htm?ip=");
                self.o.t(ip);
            }
            BLatin1 => {
                // ISO 8859-1, not UTF-8: bytes a scanner must survive.
                self.o.s(b"Nachricht abgelehnt: Betreff enth\xe4lt unzul\xe4ssige Zeichen \xa7\xfe");
            }
            BPlain550 => self.o.t("Requested action not taken: mailbox unavailable"),
            B553 => {
                self.o.c(b'<');
                self.addr(a);
                self.o.t(">: Recipient address rejected: invalid address");
            }
            BDmarc => {
                self.o.t("Sender domain ");
                self.dom_name(self.home);
                self.o.t(" rejected by DMARC policy");
            }
            DTimeout | DRefusedConn | DLost | DConv | DDnsAgain | DSuspended | BHostNotFound | BNullMx => {
                unreachable!("no reply text")
            }
        }
    }

    /// A multi-line reply, joined the MTA's way: `sep` is a space for
    /// Postfix and a literal `\n` for Exim.
    pub(crate) fn multiline(&mut self, code: u16, enh: &str, parts: &[&str], sep: &str) {
        for (i, part) in parts.iter().enumerate() {
            self.o.n(u64::from(code));
            self.o.c(if i + 1 == parts.len() { b' ' } else { b'-' });
            self.o.t(enh);
            self.o.c(b' ');
            self.o.t(part);
            if i + 1 < parts.len() {
                self.o.t(sep);
            }
        }
        self.o.c(b' ');
        self.gmail_id();
        self.o.t(" - gsmtp");
    }

    /// Dovecot's LMTP reply: `250 2.0.0 <ADDR> ID Saved`.
    pub(crate) fn saved_reply(&mut self, a: Addr) {
        self.reply_start(250, Some("2.0.0"));
        self.o.c(b'<');
        self.addr(a);
        self.o.t("> ");
        self.rand_chars(22, B64ISH);
        self.o.t(" Saved");
    }

    /// A Gmail-style request id: `5b1f17b1804b1-43b41c7d2e0si1310458f8f.201`.
    pub(crate) fn gmail_id(&mut self) {
        let x = self.rng.next();
        self.o.digits(x, 13, HEX_LO);
        self.o.c(b'-');
        let y = self.rng.next();
        self.o.digits(y, 11, HEX_LO);
        self.o.t("si");
        self.o.n(self.rng.range(1_000_000, 9_999_999));
        self.o.t("f8f.");
        self.o.n(self.rng.below(500));
    }

    /// Microsoft's front-end host names: `SN7P220MB0412`.
    pub(crate) fn msft_host(&mut self) {
        self.o.t(self.rng.pick(&["SN7P", "DM6P", "BN8P", "CH3P", "PH0P"]));
        self.o.n(self.rng.range(100, 299));
        self.o.t("MB");
        self.o.pad(self.rng.below(10_000), 4);
    }

    /// `n` random characters from `alphabet` (a fresh random number for
    /// every 8 characters, so that no character is padding).
    pub(crate) fn rand_chars(&mut self, n: usize, alphabet: &[u8]) {
        let mut left = n;
        while left > 0 {
            let k = left.min(8);
            let x = self.rng.next();
            self.o.digits(x, k, alphabet);
            left -= k;
        }
    }
}
