//! The Postfix log: the delivery agents' lines with their retries, hops
//! and expiries, and the noise around them (smtpd, postscreen, qmgr,
//! cleanup, dovecot, milters, cron), each line counted into the truth as it
//! is written.

use super::*;

impl<W: Write> Gen<W> {
    pub(crate) fn run_postfix(&mut self) {
        while !self.done() {
            self.clk.us += self.rng.below(1_400_000);
            if self.clk.us >= self.next_periodic {
                self.pf_periodic();
            }
            while self.retries.peek().is_some_and(|r| r.due <= self.clk.us) && !self.done() {
                let r = self.retries.pop().expect("peeked");
                self.pf_retry(r);
            }
            match self.rng.weighted(&[300, 170, 45, 70, 70, 40, 40, 25, 20, 25, 20, 15, 10, 3]) {
                0 => self.pf_outbound(false),
                1 => self.pf_inbound(),
                2 => self.pf_outbound(true),
                3 => self.pf_postscreen(),
                4 => self.pf_smtpd_reject(),
                5 => self.pf_dovecot(),
                6 => self.pf_hosted(),
                7 => self.pf_cron(),
                8 => self.pf_probe(),
                9 => self.pf_sasl_fail(),
                10 => self.pf_milter(),
                11 => self.pf_tlsproxy(),
                12 => self.pf_warning(),
                _ => self.pf_sendmail(),
            }
            self.style_left = self.style_left.saturating_sub(10);
            if self.style_left == 0 {
                self.switch_style();
            }
        }
    }

    /// anvil statistics and friends, every ten minutes of log time.
    pub(crate) fn pf_periodic(&mut self) {
        self.next_periodic = self.clk.us + 600_000_000;
        let pid = 30_112;
        for i in 0..self.rng.range(1, 3) {
            self.ph(0, "anvil", pid);
            self.o.t("statistics: max ");
            match i {
                0 => {
                    self.o.t("connection rate ");
                    self.o.n(self.rng.range(2, 20));
                    self.o.t("/60s for (smtpd:");
                    self.client_ip();
                }
                1 => {
                    self.o.t("connection count ");
                    self.o.n(self.rng.range(1, 6));
                    self.o.t(" for (smtpd:");
                    self.client_ip();
                }
                _ => {
                    self.o.t("cache size ");
                    self.o.n(self.rng.range(2, 30));
                }
            }
            if i < 2 {
                self.o.c(b')');
            }
            self.o.t(" at ");
            self.bsd_stamp(true);
            self.end();
        }
        if self.rng.percent(30) {
            let pid = self.newpid();
            self.ph(0, "scache", pid);
            self.o.t("statistics: domain lookup hits=");
            let (hits, miss) = (self.rng.below(50), self.rng.range(1, 50));
            self.o.n(hits);
            self.o.t(" miss=");
            self.o.n(miss);
            self.o.t(" success=");
            self.o.n(hits * 100 / (hits + miss));
            self.o.c(b'%');
            self.end();
        }
    }

    pub(crate) fn pf_tls_in(&mut self, inst: u8, daemon: &str, pid: u32, client: &[u8]) {
        self.ph(inst, daemon, pid);
        self.o.t("Anonymous TLS connection established from ");
        self.o.s(client);
        self.o.t(": TLSv1.3 with cipher ");
        self.o.t(self.rng.pick(&[
            "TLS_AES_256_GCM_SHA384 (256/256 bits)",
            "TLS_AES_128_GCM_SHA256 (128/128 bits)",
            "TLS_CHACHA20_POLY1305_SHA256 (256/256 bits)",
        ]));
        self.o.t(" key-exchange X25519 server-signature ");
        self.o.t(self.rng.pick(&["RSA-PSS (2048 bits)", "ECDSA (P-256)", "RSA-PSS (4096 bits)"]));
        self.o.t(" server-digest SHA256");
        self.end();
    }

    /// Writes `host[ip]` of a random client into a small buffer.
    pub(crate) fn client_name(&mut self, prefix: &str) -> Vec<u8> {
        let start = self.o.line.len();
        match self.rng.below(4) {
            0 => self.o.t("unknown"),
            1 => {
                self.o.t("mail-");
                let a = self.rcpt();
                self.dom_name(a.dom);
            }
            _ => {
                self.o.t(prefix);
                let a = self.rcpt();
                self.dom_name(a.dom);
            }
        }
        self.o.c(b'[');
        self.client_ip();
        self.o.c(b']');
        let v = self.o.line[start..].to_vec();
        self.o.line.truncate(start);
        v
    }

    pub(crate) fn pf_outbound(&mut self, newsletter: bool) {
        let inst = u8::from(newsletter);
        let sender = if newsletter { Self::role(self.news, "newsletter") } else { self.local_user(self.home) };
        let msg = self.new_msg(inst, sender);
        let k = if newsletter {
            self.rng.range(4, 40)
        } else {
            [1, 1, 1, 1, 1, 2, 2, 3, 4, 6][self.rng.below(10) as usize]
        };
        let rcpts: Vec<Addr> = (0..k).map(|_| self.rcpt()).collect();
        if newsletter {
            let pid = self.newpid();
            self.ph(1, "pickup", pid);
            self.qid(&msg);
            self.o.t(": uid=1010 from=<newsletter>");
            self.end();
            let pid = self.newpid();
            self.ph(1, "cleanup", pid);
            self.qid(&msg);
            self.o.t(": message-id=<nl-");
            let ymd = self.clk.ymd;
            self.o.s(&ymd);
            self.o.c(b'.');
            self.o.pad(msg.n % 100_000, 5);
            self.o.c(b'@');
            self.dom_name(self.news);
            self.o.t(">");
            self.end();
            self.pf_queue_active(&msg, k);
        } else {
            let pid = self.newpid();
            let mut client = b"laptop-".to_vec();
            let laptop = self.rng.range(1, 60);
            client.extend_from_slice(format!("{laptop:02}.corp.example[198.51.100.").as_bytes());
            client.extend_from_slice(format!("{}]", 100 + laptop).as_bytes());
            let daemon = "submission/smtpd";
            self.ph(0, daemon, pid);
            self.o.t("connect from ");
            self.o.s(&client);
            self.end();
            if self.rng.percent(90) {
                self.pf_tls_in(0, daemon, pid, &client);
            }
            self.ph(0, daemon, pid);
            self.qid(&msg);
            self.o.t(": client=");
            self.o.s(&client);
            self.o.t(", sasl_method=");
            self.o.t(self.rng.pick(&["PLAIN", "LOGIN"]));
            self.o.t(", sasl_username=");
            self.addr(sender);
            self.end();
            self.pf_cleanup_msgid(&msg, false, msg.n);
            self.pf_queue_active(&msg, k);
            self.ph(0, daemon, pid);
            self.o.t("disconnect from ");
            self.o.s(&client);
            self.o.t(" ehlo=2 starttls=1 auth=1 mail=1 rcpt=");
            self.o.n(k);
            self.o.t(if self.rng.percent(20) { " bdat=1 quit=1 commands=" } else { " data=1 quit=1 commands=" });
            self.o.n(k + 6);
            self.end();
        }
        self.pf_round(msg, rcpts, 0, Route::Remote);
    }

    pub(crate) fn pf_cleanup_msgid(&mut self, msg: &Msg, local: bool, id_n: u64) {
        let pid = self.newpid();
        self.ph(msg.inst, "cleanup", pid);
        self.qid(msg);
        self.o.t(": message-id=<");
        if local {
            let (ymd, hms) = (self.clk.ymd, self.clk.hms);
            for &b in ymd.iter().chain(hms.iter()) {
                if b.is_ascii_digit() {
                    self.o.c(b);
                }
            }
            self.o.c(b'.');
            self.qid(msg);
            self.o.t("@mx1.corp.example>");
        } else {
            let x = mix64(id_n ^ 0x1D);
            self.o.digits(x >> 32, 8, HEX_LO);
            self.o.c(b'-');
            self.o.digits(x >> 16, 4, HEX_LO);
            self.o.t("-4");
            self.o.digits(x, 3, HEX_LO);
            self.o.c(b'-');
            self.o.digits(x >> 7, 4, HEX_LO);
            self.o.c(b'-');
            self.o.digits(mix64(x), 12, HEX_LO);
            self.o.c(b'@');
            self.dom_name(msg.sender.dom);
            self.o.c(b'>');
        }
        self.end();
    }

    pub(crate) fn pf_queue_active(&mut self, msg: &Msg, nrcpt: u64) {
        let pid = if msg.inst == 1 { 40_105 } else { 1_190 };
        self.ph(msg.inst, "qmgr", pid);
        self.qid(msg);
        self.o.t(": from=<");
        if msg.sender.user != u32::MAX {
            self.addr(msg.sender);
        }
        self.o.t(">, size=");
        self.o.n(msg.size);
        self.o.t(", nrcpt=");
        self.o.n(nrcpt);
        self.o.t(" (queue active)");
        self.end();
    }

    pub(crate) fn pf_removed(&mut self, msg: &Msg) {
        let pid = if msg.inst == 1 { 40_105 } else { 1_190 };
        self.ph(msg.inst, "qmgr", pid);
        self.qid(msg);
        self.o.t(": removed");
        self.end();
    }

    /// One delivery attempt to each recipient, then notification, retry or
    /// removal.
    pub(crate) fn pf_round(&mut self, msg: Msg, rcpts: Vec<Addr>, attempt: u8, route: Route) {
        let mut deferred = Vec::new();
        let mut bounced = false;
        for &a in &rcpts {
            let outcome = match route {
                Route::Remote => self.pf_attempt(&msg, a, attempt),
                Route::Lmtp => self.pf_lmtp(&msg, a, attempt),
            };
            match outcome {
                1 => deferred.push(a),
                2 => bounced = true,
                _ => {}
            }
        }
        if bounced {
            self.pf_notify(&msg, false);
        }
        if deferred.is_empty() {
            self.pf_removed(&msg);
        } else {
            self.schedule(msg, deferred, attempt + 1, route);
        }
    }

    pub(crate) fn pf_retry(&mut self, r: Retry) {
        if r.attempt >= MAX_ATTEMPTS && r.route == Route::Remote {
            self.pf_notify(&r.msg, true);
            return;
        }
        self.pf_queue_active(&r.msg, r.rcpts.len() as u64);
        self.pf_round(r.msg, r.rcpts, r.attempt, r.route);
    }

    /// A bounce (or, with `expired`, the qmgr expiry line and then the
    /// bounce): the notification message and its delivery to the sender.
    pub(crate) fn pf_notify(&mut self, msg: &Msg, expired: bool) {
        let qmgr = if msg.inst == 1 { 40_105 } else { 1_190 };
        if expired {
            self.ph(msg.inst, "qmgr", qmgr);
            self.qid(msg);
            self.o.t(": from=<");
            self.addr(msg.sender);
            self.o.t(">, status=expired, returned to sender");
            self.end();
        }
        let null = Addr { dom: self.home, user: u32::MAX, look: 0 };
        let mut ndr = self.new_msg(msg.inst, null);
        ndr.size = msg.size.min(60_000) + self.rng.range(2_000, 6_000);
        self.pf_cleanup_msgid(&ndr, true, ndr.n);
        let pid = self.newpid();
        self.ph(msg.inst, "bounce", pid);
        self.qid(msg);
        self.o.t(": sender non-delivery notification: ");
        self.qid(&ndr);
        self.end();
        if expired {
            self.pf_removed(msg);
        }
        self.pf_queue_active(&ndr, 1);
        let to = msg.sender;
        let pid = self.newpid();
        if msg.inst == 1 {
            self.ph(1, "smtp", pid);
            self.qid(&ndr);
            self.o.t(": to=<");
            self.addr(to);
            self.o.t(">, relay=mx1.corp.example[192.0.2.25]:25");
            let ds = self.delays(0, K::SQueued);
            self.delay_fields(ds);
            self.dsn_field("2.0.0");
            self.o.t(", status=sent (");
            let hop = Hop { dom: to.dom, which: 0, v6: false };
            self.reply(K::SQueued, to, hop, " ");
            self.o.c(b')');
        } else {
            self.ph(0, "lmtp", pid);
            self.qid(&ndr);
            self.o.t(": to=<");
            self.addr(to);
            self.o.t(">, relay=mail.corp.example[private/dovecot-lmtp]");
            let ds = self.delays(0, K::SYahoo);
            self.delay_fields(ds);
            self.dsn_field("2.0.0");
            self.o.t(", status=sent (");
            self.saved_reply(to);
            self.o.c(b')');
        }
        self.o.event = Some((to.dom, 0));
        self.end();
        self.pf_removed(&ndr);
    }

    /// One SMTP delivery attempt; returns the outcome.
    pub(crate) fn pf_attempt(&mut self, msg: &Msg, a: Addr, attempt: u8) -> usize {
        let k = self.decide(a.dom, attempt);
        let mut hop = self.hop(a.dom);
        let pid = self.newpid();
        let own_two = {
            let d = &self.doms[a.dom as usize];
            d.mx == Mx::Own && d.h.is_multiple_of(3)
        };
        if own_two && k.has_reply() && self.rng.percent(10) {
            // The first MX failed; Postfix logs it without to= and tries the next.
            self.ph(msg.inst, "smtp", pid);
            self.qid(msg);
            self.o.t(": host ");
            self.mx_host(hop);
            self.o.c(b'[');
            self.mx_ip(hop);
            self.o.t("] said: ");
            self.reply(K::D430, a, hop, " ");
            self.o.t(" (in reply to end of DATA command)");
            self.end();
            hop.which = 1;
        }
        if k.outcome() == 0 && self.rng.percent(8) {
            self.ph(msg.inst, "smtp", pid);
            self.o.t(self.rng.pick(&["Trusted", "Verified", "Untrusted"]));
            self.o.t(" TLS connection established to ");
            self.mx_host(hop);
            self.o.c(b'[');
            self.mx_ip(hop);
            self.o.t("]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (P-256) server-digest SHA256");
            self.end();
        }
        let daemon = if k == K::DSuspended { "error" } else { "smtp" };
        self.ph(msg.inst, daemon, pid);
        self.qid(msg);
        self.o.t(": to=<");
        self.addr(a);
        self.o.t(">, ");
        // Some recipients came in through a local alias; the same on every
        // attempt.
        let alias = mix64(msg.n ^ (u64::from(a.user) << 20) ^ u64::from(a.dom));
        if msg.inst == 0 && alias.is_multiple_of(33) {
            self.o.t("orig_to=<");
            self.o.t(["finance-out", "sales-team", "all-partners", "press"][(alias >> 8) as usize % 4]);
            self.o.t("@corp.example>, ");
        }
        self.o.t("relay=");
        if k.no_relay() {
            self.o.t("none");
        } else {
            self.mx_host(hop);
            self.o.c(b'[');
            self.mx_ip(hop);
            self.o.t("]:25");
            if self.rng.percent(6) {
                self.o.t(", conn_use=");
                self.o.n(self.rng.range(2, 9));
            }
        }
        let age = self.clk.us - msg.arrived;
        let ds = self.delays(age, k);
        self.delay_fields(ds);
        if msg.inst == 1 && self.rng.percent(30) {
            self.o.t(", tls=may");
        }
        self.dsn_field(k.dsn());
        self.o.t(", status=");
        let outcome = k.outcome();
        self.o.t(["sent (", "deferred (", "bounced ("][outcome]);
        self.pf_status_text(k, a, hop);
        self.o.c(b')');
        self.o.event = Some((a.dom, outcome));
        self.end();
        outcome
    }

    /// The text inside `status=... (...)`.
    pub(crate) fn pf_status_text(&mut self, k: K, a: Addr, hop: Hop) {
        use K::*;
        match k {
            DTimeout | DRefusedConn | DSuspended => {
                if k == DSuspended {
                    self.o.t("delivery temporarily suspended: ");
                }
                self.o.t("connect to ");
                self.mx_host(hop);
                self.o.c(b'[');
                self.mx_ip(hop);
                self.o.t(if k == DRefusedConn { "]:25: Connection refused" } else { "]:25: Connection timed out" });
            }
            DLost | DConv => {
                self.o.t(if k == DLost { "lost connection with " } else { "conversation with " });
                self.mx_host(hop);
                self.o.c(b'[');
                self.mx_ip(hop);
                self.o.t(if k == DLost {
                    "] while sending end of data -- message may be sent more than once"
                } else {
                    "] timed out while receiving the initial server greeting"
                });
            }
            DDnsAgain | BHostNotFound => {
                self.o.t("Host or domain name not found. Name service error for name=");
                self.dom_name(a.dom);
                if k == DDnsAgain {
                    self.o.t(" type=MX: Host not found, try again");
                } else {
                    self.o.t(self.rng.pick(&[
                        " type=MX: Host not found",
                        " type=AAAA: Host not found",
                        " type=A: Host not found",
                    ]));
                }
            }
            BNullMx => {
                self.o.t("Domain ");
                self.dom_name(a.dom);
                self.o.t(" does not accept mail (nullMX)");
            }
            _ if k.outcome() == 0 => self.reply(k, a, hop, " "),
            _ => {
                self.o.t("host ");
                self.mx_host(hop);
                self.o.c(b'[');
                self.mx_ip(hop);
                if k.stage() == Stage::Connect {
                    self.o.t("] refused to talk to me: ");
                    self.reply(k, a, hop, " ");
                } else {
                    self.o.t("] said: ");
                    self.reply(k, a, hop, " ");
                    self.o.t(match k.stage() {
                        Stage::Mail => " (in reply to MAIL FROM command)",
                        Stage::Data => " (in reply to end of DATA command)",
                        _ => " (in reply to RCPT TO command)",
                    });
                }
            }
        }
    }

    /// Final delivery into a mailbox over LMTP (or pipe to dovecot).
    pub(crate) fn pf_lmtp(&mut self, msg: &Msg, a: Addr, attempt: u8) -> usize {
        let pid = self.newpid();
        let quota = attempt == 0 && self.rng.permille(15);
        let pipe = !quota && self.rng.percent(20);
        self.ph(0, if pipe { "pipe" } else { "lmtp" }, pid);
        self.qid(msg);
        self.o.t(": to=<");
        self.addr(a);
        self.o.t(">, ");
        if self.rng.percent(10) {
            self.o.t("orig_to=<");
            self.o.t(self.rng.pick(&["sales", "info", "support", "jobs"]));
            self.o.t("@corp.example>, ");
        }
        self.o.t(if pipe { "relay=dovecot" } else { "relay=mail.corp.example[private/dovecot-lmtp]" });
        let age = self.clk.us - msg.arrived;
        let mut ds = self.delays(age, K::SQueued);
        ds[2] /= 50;
        ds[3] /= 10;
        self.delay_fields(ds);
        let outcome = if quota {
            self.dsn_field(K::DLmtpQuota.dsn());
            self.o.t(", status=deferred (host mail.corp.example[private/dovecot-lmtp] said: ");
            let hop = Hop { dom: a.dom, which: 0, v6: false };
            self.reply(K::DLmtpQuota, a, hop, " ");
            self.o.t(" (in reply to end of DATA command))");
            1
        } else if pipe {
            self.dsn_field("2.0.0");
            self.o.t(", status=sent (delivered via dovecot service)");
            0
        } else {
            self.dsn_field("2.0.0");
            self.o.t(", status=sent (");
            self.saved_reply(a);
            self.o.c(b')');
            0
        };
        self.o.event = Some((a.dom, outcome));
        self.end();
        if outcome == 0 && self.rng.percent(50) {
            self.ph_other("dovecot", None);
            self.o.t(if pipe { "lda(" } else { "lmtp(" });
            self.addr(a);
            self.o.t(")<");
            self.o.n(u64::from(pid) + 1);
            self.o.t("><");
            self.rand_chars(22, B64ISH);
            self.o.t(">: msgid=<");
            self.o.digits(mix64(msg.n), 16, HEX_LO);
            self.o.c(b'@');
            self.dom_name(msg.sender.dom);
            self.o.t(if pipe { ">: sieve: stored mail into mailbox 'INBOX'" } else { ">: saved mail to INBOX" });
            self.end();
        }
        outcome
    }

    /// Inbound mail: postscreen, smtpd, amavis, then local delivery.
    pub(crate) fn pf_inbound(&mut self) {
        let sender = self.rcpt();
        let msg = self.new_msg(0, sender);
        let k = [1, 1, 1, 1, 1, 1, 1, 2, 2, 3][self.rng.below(10) as usize];
        let rcpts: Vec<Addr> = (0..k).map(|_| self.local_user(self.home)).collect();
        let ip_seed = self.rng.next();
        let port = self.rng.range(1_024, 65_535);
        let mut client = b"mail-out.".to_vec();
        client.extend_from_slice(self.doms[sender.dom as usize].name.as_bytes());
        client.push(b'[');
        let start = self.o.line.len();
        if ip_seed.is_multiple_of(8) {
            self.ip_v6(ip_seed >> 8);
        } else {
            self.ip_v4(ip_seed >> 8);
        }
        let ip = self.o.line[start..].to_vec();
        self.o.line.truncate(start);
        client.extend_from_slice(&ip);
        client.push(b']');
        let ps = 1_184;
        self.ph(0, "postscreen", ps);
        self.o.t("CONNECT from [");
        self.o.s(&ip);
        self.o.t("]:");
        self.o.n(port);
        self.o.t(" to [192.0.2.25]:25");
        self.end();
        self.ph(0, "postscreen", ps);
        self.o.t(if self.rng.percent(90) { "PASS OLD [" } else { "PASS NEW [" });
        self.o.s(&ip);
        self.o.t("]:");
        self.o.n(port);
        self.end();
        let pid = self.newpid();
        self.ph(0, "smtpd", pid);
        self.o.t("connect from ");
        self.o.s(&client);
        self.end();
        if self.rng.percent(80) {
            self.pf_tls_in(0, "smtpd", pid, &client);
        }
        self.ph(0, "smtpd", pid);
        self.qid(&msg);
        self.o.t(": client=");
        self.o.s(&client);
        self.end();
        self.pf_cleanup_msgid(&msg, false, msg.n);
        self.pf_queue_active(&msg, k);
        self.ph(0, "smtpd", pid);
        self.o.t("disconnect from ");
        self.o.s(&client);
        self.o.t(" ehlo=2 starttls=1 mail=1 rcpt=");
        self.o.n(k);
        self.o.t(" data=1 quit=1 commands=");
        self.o.n(k + 6);
        self.end();

        // The content filter.
        let spam = self.rng.percent(5);
        let filtered = self.new_msg(0, sender);
        let apid = 2_210 + self.rng.below(8) as u32;
        self.ph_other("amavis", Some(apid));
        self.o.c(b'(');
        self.o.pad(u64::from(apid), 5);
        self.o.c(b'-');
        self.o.pad(self.rng.range(1, 99), 2);
        self.o.t(if spam { ") Blocked SPAM {DiscardedInbound}, [" } else { ") Passed CLEAN {RelayedInbound}, [" });
        self.o.s(&ip);
        self.o.t("]:");
        self.o.n(port);
        self.o.t(" [");
        self.o.s(&ip);
        self.o.t("] <");
        self.addr(sender);
        self.o.t("> -> ");
        for (i, &r) in rcpts.iter().enumerate() {
            if i > 0 {
                self.o.c(b',');
            }
            self.o.c(b'<');
            self.addr(r);
            self.o.c(b'>');
        }
        self.o.t(", Queue-ID: ");
        self.qid(&msg);
        self.o.t(", mail_id: ");
        self.rand_chars(12, B62);
        self.o.t(", Hits: ");
        if spam {
            self.o.n(self.rng.range(6, 30));
        } else {
            if self.rng.percent(50) {
                self.o.c(b'-');
            }
            self.o.n(self.rng.below(3));
        }
        self.o.c(b'.');
        self.o.pad(self.rng.below(1000), 3);
        self.o.t(", size: ");
        self.o.n(msg.size);
        if !spam {
            self.o.t(", queued_as: ");
            self.qid(&filtered);
        }
        self.o.t(", ");
        self.o.n(self.rng.range(300, 4_000));
        self.o.t(" ms");
        self.end();
        if !spam {
            let pid2 = self.newpid();
            self.ph(0, "10025/smtpd", pid2);
            self.o.t("connect from localhost[127.0.0.1]");
            self.end();
            self.ph(0, "10025/smtpd", pid2);
            self.qid(&filtered);
            self.o.t(": client=localhost[127.0.0.1]");
            self.end();
            self.pf_cleanup_msgid(&filtered, false, msg.n);
            self.ph(0, "10025/smtpd", pid2);
            self.o.t("disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=");
            self.o.n(k);
            self.o.t(" data=1 quit=1 commands=");
            self.o.n(k + 4);
            self.end();
            let mut f = filtered;
            f.size = msg.size + self.rng.range(300, 900);
            self.pf_queue_active(&f, k);
        }
        let hpid = self.newpid();
        for &r in &rcpts {
            self.ph(0, "amavis/smtp", hpid);
            self.qid(&msg);
            self.o.t(": to=<");
            self.addr(r);
            self.o.t(">, relay=127.0.0.1[127.0.0.1]:10024");
            let mut ds = self.delays(0, K::SQueued);
            ds[3] += 1_000_000;
            self.delay_fields(ds);
            self.dsn_field("2.0.0");
            self.o.t(", status=sent (");
            if spam {
                self.reply_start(250, Some("2.7.0"));
                self.o.t("Ok, discarded, id=");
                self.o.pad(u64::from(apid), 5);
                self.o.t("-01 - spam)");
            } else {
                self.reply_start(250, Some("2.0.0"));
                self.o.t("from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as ");
                self.qid(&filtered);
                self.o.c(b')');
            }
            self.o.event = Some((r.dom, 0));
            self.end();
        }
        self.pf_removed(&msg);
        if !spam {
            self.pf_round(filtered, rcpts, 0, Route::Lmtp);
        }
    }

    /// Mail for a virtual-mailbox domain: no filter, `postfix/virtual`.
    pub(crate) fn pf_hosted(&mut self) {
        let sender = self.rcpt();
        let msg = self.new_msg(0, sender);
        let k = self.rng.range(1, 3);
        let pid = self.newpid();
        let client = self.client_name("relay.");
        self.ph(0, "smtpd", pid);
        self.o.t("connect from ");
        self.o.s(&client);
        self.end();
        self.ph(0, "smtpd", pid);
        self.qid(&msg);
        self.o.t(": client=");
        self.o.s(&client);
        self.end();
        self.pf_cleanup_msgid(&msg, false, msg.n);
        self.pf_queue_active(&msg, k);
        self.ph(0, "smtpd", pid);
        self.o.t("disconnect from ");
        self.o.s(&client);
        self.o.t(" ehlo=1 mail=1 rcpt=");
        self.o.n(k);
        self.o.t(" data=1 quit=1 commands=");
        self.o.n(k + 4);
        self.end();
        let vpid = self.newpid();
        for _ in 0..k {
            let mut a = self.local_user(self.hosted);
            if self.rng.percent(10) {
                a.look = 2;
            }
            self.ph(0, "virtual", vpid);
            self.qid(&msg);
            self.o.t(": to=<");
            self.addr(a);
            self.o.t(">, relay=virtual");
            let mut ds = self.delays(0, K::SQueued);
            ds[2] = 0;
            ds[3] /= 20;
            self.delay_fields(ds);
            self.dsn_field("2.0.0");
            self.o.t(", status=sent (delivered to maildir)");
            self.o.event = Some((a.dom, 0));
            self.end();
        }
        self.pf_removed(&msg);
    }

    /// Cron mail to root, delivered by `postfix/local` with a bare address.
    pub(crate) fn pf_cron(&mut self) {
        let sender = Self::role(self.local_host, "root");
        let msg = self.new_msg(0, sender);
        let pid = self.newpid();
        self.ph(0, "pickup", pid);
        self.qid(&msg);
        self.o.t(": uid=0 from=<root>");
        self.end();
        self.pf_cleanup_msgid(&msg, true, msg.n);
        self.pf_queue_active(&msg, 1);
        let lpid = self.newpid();
        self.ph(0, "local", lpid);
        self.qid(&msg);
        let to = Self::role(self.local_host, "admin");
        if self.rng.percent(70) {
            self.o.t(": to=");
            self.addr(to);
            self.o.t(", orig_to=root@localhost, relay=local");
        } else {
            self.o.t(": to=<");
            self.addr(to);
            self.o.t(">, orig_to=<root>, relay=local");
        }
        let mut ds = self.delays(0, K::SQueued);
        ds[2] = 0;
        ds[3] /= 50;
        self.delay_fields(ds);
        self.dsn_field("2.0.0");
        self.o.t(", status=sent (delivered to mailbox)");
        self.o.event = Some((to.dom, 0));
        self.end();
        self.pf_removed(&msg);
    }

    /// Address verification probes: not deliveries.
    pub(crate) fn pf_probe(&mut self) {
        let sender = Self::role(self.local_host, "root");
        let mut msg = self.new_msg(0, sender);
        msg.size = self.rng.range(250, 300);
        let a = self.rcpt();
        let pid = self.newpid();
        self.ph(0, "qmgr", 1_190);
        self.qid(&msg);
        self.o.t(": from=<double-bounce@mx1.corp.example>, size=");
        self.o.n(msg.size);
        self.o.t(", nrcpt=1 (queue active)");
        self.end();
        let hop = self.hop(a.dom);
        let ok = self.rng.percent(75);
        self.ph(0, "smtp", pid);
        self.qid(&msg);
        self.o.t(": to=<");
        self.addr(a);
        self.o.t(">, relay=");
        self.mx_host(hop);
        self.o.c(b'[');
        self.mx_ip(hop);
        self.o.t("]:25");
        let ds = self.delays(0, K::SQueued);
        self.delay_fields(ds);
        if ok {
            self.o.t(", dsn=2.1.5, status=deliverable (250 2.1.5 Ok)");
        } else {
            self.o.t(", dsn=5.1.1, status=undeliverable (host ");
            self.mx_host(hop);
            self.o.c(b'[');
            self.mx_ip(hop);
            self.o.t("] said: ");
            self.reply(K::BUser, a, hop, " ");
            self.o.t(" (in reply to RCPT TO command))");
        }
        self.end();
        self.pf_removed(&msg);
    }

    /// `[ip]:port` of a postscreen client.
    pub(crate) fn ps_client(&mut self, ip: &[u8], port: u64) {
        self.o.c(b'[');
        self.o.s(ip);
        self.o.t("]:");
        self.o.n(port);
    }

    /// A spam bot stopped by postscreen.
    pub(crate) fn pf_postscreen(&mut self) {
        let ps = 1_184;
        let start = self.o.line.len();
        self.client_ip();
        let ip = self.o.line[start..].to_vec();
        self.o.line.truncate(start);
        let port = self.rng.range(1_024, 65_535);
        self.ph(0, "postscreen", ps);
        self.o.t("CONNECT from ");
        self.ps_client(&ip, port);
        self.o.t(" to [192.0.2.25]:25");
        self.end();
        if self.rng.percent(30) {
            self.ph(0, "postscreen", ps);
            self.o.t("PREGREET ");
            self.o.n(self.rng.range(6, 40));
            self.o.t(" after 0.");
            self.o.pad(self.rng.below(100), 2);
            self.o.t(" from ");
            self.ps_client(&ip, port);
            self.o.t(": ");
            if self.rng.percent(40) {
                // A TLS hello or other binary sent before the greeting.
                // Postfix escapes control characters but passes high bytes.
                self.o.t("\\026\\003\\001\\000");
                for _ in 0..self.rng.range(3, 9) {
                    let b = 0x80 + self.rng.below(0x80) as u8;
                    self.o.c(b);
                }
                self.o.t("\\001EHLO User\\r\\n");
            } else {
                self.o.t(self.rng.pick(&["EHLO User\\r\\n", "RSET\\r\\n", "HELO ylmf-pc\\r\\n"]));
            }
            self.end();
        }
        if self.rng.percent(70) {
            let pid = self.newpid();
            self.ph(0, "dnsblog", pid);
            self.o.t("addr ");
            self.o.s(&ip);
            self.o.t(" listed by domain ");
            let list = self.rng.pick(&["zen.spamhaus.org", "bl.spamcop.net", "b.barracudacentral.org"]);
            self.o.t(list);
            self.o.t(" as 127.0.0.");
            self.o.n(self.rng.range(2, 11));
            self.end();
            self.ph(0, "postscreen", ps);
            self.o.t("DNSBL rank ");
            self.o.n(self.rng.range(2, 8));
            self.o.t(" for ");
            self.ps_client(&ip, port);
            self.end();
            if self.rng.percent(60) {
                self.ph(0, "postscreen", ps);
                self.o.t("NOQUEUE: reject: RCPT from ");
                self.ps_client(&ip, port);
                self.o.t(": 550 5.7.1 Service unavailable; client [");
                self.o.s(&ip);
                self.o.t("] blocked using ");
                self.o.t(list);
                self.o.t("; from=<");
                let s = self.rcpt();
                self.addr(s);
                self.o.t(">, to=<");
                let r = self.local_user(self.home);
                self.addr(r);
                self.o.t(">, proto=ESMTP, helo=<");
                self.o.t(self.rng.pick(&["User", "ylmf-pc", "localhost", "[127.0.0.1]"]));
                self.o.c(b'>');
                self.end();
            }
        }
        if self.rng.percent(30) {
            self.ph(0, "postscreen", ps);
            self.o.t("HANGUP after ");
            self.o.n(self.rng.range(1, 9));
            self.o.c(b'.');
            self.o.n(self.rng.below(10));
            self.o.t(" from ");
            self.ps_client(&ip, port);
            self.o.t(" in tests after SMTP handshake");
            self.end();
        }
        self.ph(0, "postscreen", ps);
        self.o.t("DISCONNECT ");
        self.ps_client(&ip, port);
        self.end();
    }

    /// smtpd rejects before a queue file exists: not deliveries.
    pub(crate) fn pf_smtpd_reject(&mut self) {
        let pid = self.newpid();
        let client = self.client_name("mx.");
        self.ph(0, "smtpd", pid);
        self.o.t("connect from ");
        self.o.s(&client);
        self.end();
        let what = self.rng.below(4);
        self.ph(0, "smtpd", pid);
        self.o.t("NOQUEUE: reject: RCPT from ");
        self.o.s(&client);
        let to = match what {
            0 => {
                let to = self.rcpt();
                self.o.t(": 554 5.7.1 <");
                self.addr(to);
                self.o.t(">: Relay access denied");
                to
            }
            1 => {
                let mut to = self.local_user(self.home);
                to.user += 500;
                self.o.t(": 550 5.1.1 <");
                self.addr(to);
                self.o.t(">: Recipient address rejected: User unknown in virtual mailbox table");
                to
            }
            2 => {
                self.o.t(": 450 4.7.1 Client host rejected: cannot find your reverse hostname, [");
                self.o.t("203.0.113.");
                self.o.n(self.rng.range(1, 254));
                self.o.c(b']');
                self.local_user(self.home)
            }
            _ => {
                let to = self.rcpt();
                self.o.t(": 556 5.1.10 <");
                self.addr(to);
                self.o.t(">: Recipient address rejected: Domain ");
                self.dom_name(to.dom);
                self.o.t(" does not accept mail (nullMX)");
                to
            }
        };
        self.o.t("; from=<");
        let s = self.rcpt();
        self.addr(s);
        self.o.t("> to=<");
        self.addr(to);
        self.o.t("> proto=ESMTP helo=<");
        self.o.t(self.rng.pick(&["User", "mail.example.com", "[203.0.113.87]", "localhost"]));
        self.o.c(b'>');
        self.end();
        self.ph(0, "smtpd", pid);
        self.o.t("disconnect from ");
        self.o.s(&client);
        self.o.t(" ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4");
        self.end();
    }

    pub(crate) fn pf_milter(&mut self) {
        let pid = self.newpid();
        let client = self.client_name("smtp.");
        let sender = self.rcpt();
        let msg = self.new_msg(0, sender);
        let to = self.local_user(self.home);
        self.ph(0, "smtpd", pid);
        self.o.t("connect from ");
        self.o.s(&client);
        self.end();
        self.ph(0, "smtpd", pid);
        self.qid(&msg);
        self.o.t(": client=");
        self.o.s(&client);
        self.end();
        let cpid = self.newpid();
        self.ph(0, "cleanup", cpid);
        self.qid(&msg);
        self.o.t(": milter-reject: END-OF-MESSAGE from ");
        self.o.s(&client);
        self.o.t(": 5.7.1 Blocked by SpamAssassin; from=<");
        self.addr(sender);
        self.o.t("> to=<");
        self.addr(to);
        self.o.t("> proto=ESMTP helo=<");
        self.dom_name(sender.dom);
        self.o.c(b'>');
        self.end();
        self.ph(0, "smtpd", pid);
        self.o.t("disconnect from ");
        self.o.s(&client);
        self.o.t(" ehlo=1 mail=1 rcpt=1 data=0/1 quit=1 commands=4/5");
        self.end();
    }

    pub(crate) fn pf_sasl_fail(&mut self) {
        let pid = self.newpid();
        let client = self.client_name("dyn-");
        self.ph(0, "submission/smtpd", pid);
        self.o.t("connect from ");
        self.o.s(&client);
        self.end();
        for _ in 0..self.rng.range(1, 3) {
            self.ph(0, "submission/smtpd", pid);
            self.o.t("warning: ");
            self.o.s(&client);
            self.o.t(": SASL LOGIN authentication failed: ");
            self.o.t(self.rng.pick(&["UGFzc3dvcmQ6", "authentication failure"]));
            self.end();
        }
        self.ph(0, "submission/smtpd", pid);
        self.o.t("lost connection after AUTH from ");
        self.o.s(&client);
        self.end();
        self.ph(0, "submission/smtpd", pid);
        self.o.t("disconnect from ");
        self.o.s(&client);
        self.o.t(" ehlo=1 auth=0/1 commands=1/2");
        self.end();
    }

    pub(crate) fn pf_dovecot(&mut self) {
        let user = self.local_user(self.home);
        let pid = self.rng.range(10_000, 99_999);
        let sess = (self.rng.next(), self.rng.next());
        self.ph_other("dovecot", None);
        self.o.t("imap-login: Login: user=<");
        self.addr(user);
        self.o.t(">, method=PLAIN, rip=198.51.100.");
        self.o.n(100 + user.user as u64 % 60);
        self.o.t(", lip=192.0.2.25, mpid=");
        self.o.n(pid);
        self.o.t(", TLS, session=<");
        self.o.digits(sess.0, 8, B64ISH);
        self.o.digits(sess.1, 8, B64ISH);
        self.o.c(b'>');
        self.end();
        self.ph_other("dovecot", None);
        self.o.t("imap(");
        self.addr(user);
        self.o.t(")<");
        self.o.n(pid);
        self.o.t("><");
        self.o.digits(sess.0, 8, B64ISH);
        self.o.digits(sess.1, 8, B64ISH);
        self.o.t(">: Disconnected: Logged out in=");
        self.o.n(self.rng.range(50, 5_000));
        self.o.t(" out=");
        self.o.n(self.rng.range(500, 900_000));
        self.o.t(" deleted=0 expunged=0 trashed=0 hdr_count=0 hdr_bytes=0 body_count=0 body_bytes=0");
        self.end();
    }

    pub(crate) fn pf_tlsproxy(&mut self) {
        let pid = self.newpid();
        let start = self.o.line.len();
        self.client_ip();
        let ip = self.o.line[start..].to_vec();
        self.o.line.truncate(start);
        let port = self.rng.range(1_024, 65_535);
        self.ph(0, "tlsproxy", pid);
        self.o.t("CONNECT from [");
        self.o.s(&ip);
        self.o.t("]:");
        self.o.n(port);
        self.end();
        let mut client = b"[".to_vec();
        client.extend_from_slice(&ip);
        client.extend_from_slice(format!("]:{port}").as_bytes());
        self.pf_tls_in(0, "tlsproxy", pid, &client);
        self.ph(0, "tlsproxy", pid);
        self.o.t("DISCONNECT [");
        self.o.s(&ip);
        self.o.t("]:");
        self.o.n(port);
        self.end();
    }

    pub(crate) fn pf_warning(&mut self) {
        let pid = self.newpid();
        match self.rng.below(4) {
            0 => {
                self.ph(0, "smtp", pid);
                self.o.t("warning: TLS library problem: error:0A000086:SSL routines::certificate verify failed:../ssl/statem/statem_clnt.c:2092:");
            }
            1 => {
                let a = self.rcpt();
                self.ph(0, "smtp", pid);
                self.o.t("warning: no MX host for ");
                self.dom_name(a.dom);
                self.o.t(" has a valid address record");
            }
            2 => {
                self.ph(0, "smtpd", pid);
                self.o.t("warning: hostname ");
                self.o.n(self.rng.range(1, 254));
                self.o.t("-0-113-");
                self.o.n(self.rng.range(1, 254));
                self.o.t(".rev.isp.example does not resolve to address 203.0.113.");
                self.o.n(self.rng.range(1, 254));
                self.o.t(": Name or service not known");
            }
            _ => {
                self.ph(0, "smtpd", pid);
                self.o.t("warning: non-SMTP command from unknown[203.0.113.");
                self.o.n(self.rng.range(1, 254));
                self.o.t("]: GET / HTTP/1.1");
            }
        }
        self.end();
    }

    /// A sendmail on the same host: `: to=` lines that are not Postfix's.
    pub(crate) fn pf_sendmail(&mut self) {
        let pid = self.newpid();
        let id = self.rng.next();
        let a = self.rcpt();
        self.ph_other("sm-mta", Some(pid));
        self.o.digits(id, 8, B62);
        self.o.pad(u64::from(pid) % 1_000_000, 6);
        self.o.t(": to=<");
        self.addr(a);
        self.o.t(">, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120431, relay=");
        let hop = self.hop(a.dom);
        self.mx_host(hop);
        self.o.t(". [");
        self.mx_ip(Hop { v6: false, ..hop });
        self.o.t("], dsn=2.0.0, stat=Sent (Ok: queued as ");
        let x = self.rng.next();
        self.o.digits(x, 10, HEX_UP);
        self.o.c(b')');
        self.end();
        self.ph_other("sm-mta", Some(pid));
        self.o.digits(id, 8, B62);
        self.o.pad(u64::from(pid) % 1_000_000, 6);
        self.o.t(": done; delay=00:00:01, ntries=1");
        self.end();
    }

    // ------------------------------------------------------------------
    // Exim
    // ------------------------------------------------------------------
}

// Pieces of Postfix lines: the prefix up to the daemon's pid, queue ids,
// the dsn= field (noted for the truth) and the delay fields.
impl<W: Write> Gen<W> {
    /// Moves the clock and writes a Postfix line's prefix, up to the `: `
    /// after `[pid]`. `inst` 1 is the `postfix-out` instance.
    pub(crate) fn ph(&mut self, inst: u8, daemon: &str, pid: u32) {
        self.clk.us += self.rng.below(self.step);
        self.clk.refresh();
        match self.style {
            Style::BsdNoPad => self.bsd_stamp(false),
            Style::Rfc => self.rfc_stamp(),
            _ => self.bsd_stamp(true),
        }
        self.o.c(b' ');
        self.o.s(self.host.as_bytes());
        self.o.t(if inst == 1 { " postfix-out/" } else { " postfix/" });
        self.o.t(daemon);
        self.o.c(b'[');
        self.o.n(u64::from(pid));
        self.o.t("]: ");
    }

    /// A prefix for programs that are not Postfix daemons (`dovecot: `,
    /// `amavis[123]: `).
    pub(crate) fn ph_other(&mut self, prog: &str, pid: Option<u32>) {
        self.clk.us += self.rng.below(self.step);
        self.clk.refresh();
        match self.style {
            Style::BsdNoPad => self.bsd_stamp(false),
            Style::Rfc => self.rfc_stamp(),
            _ => self.bsd_stamp(true),
        }
        self.o.c(b' ');
        self.o.s(self.host.as_bytes());
        self.o.c(b' ');
        self.o.t(prog);
        if let Some(pid) = pid {
            self.o.c(b'[');
            self.o.n(u64::from(pid));
            self.o.c(b']');
        }
        self.o.t(": ");
    }

    /// A Postfix queue id: 10 upper-case hex digits for the main instance,
    /// the 15-character long form (`4PbC4x469Jz3tBr`) for `postfix-out`.
    pub(crate) fn qid(&mut self, m: &Msg) {
        if m.inst == 1 {
            self.o.digits(m.id_sec, 6, B51);
            let x = scramble(m.n, 51u64.pow(8));
            self.o.digits(x / 51u64.pow(4), 4, B51);
            self.o.c(b'z');
            self.o.digits(x, 4, B51);
        } else {
            let mut x = m.n.wrapping_mul(0x9E37_79B9_7F4B) & ((1 << 40) - 1);
            x ^= x >> 19;
            self.o.digits(x, 10, HEX_UP);
        }
    }

    /// Writes Postfix's `, dsn=X` and notes it for the truth of this line.
    pub(crate) fn dsn_field(&mut self, dsn: &'static str) {
        self.o.dsn = Some(dsn);
        self.o.t(", dsn=");
        self.o.t(dsn);
    }

    /// Random `delays=a/b/c/d` fields and their sum, in microseconds; `age`
    /// is the time already spent in the queue.
    pub(crate) fn delays(&mut self, age: u64, k: K) -> [u64; 4] {
        let a = age + self.rng.range(2_000, 300_000);
        let b = if self.rng.percent(40) { 0 } else { self.rng.below(30_000) };
        let (c, d) = if k.no_relay() {
            match k {
                K::DTimeout => (30_000_000 + self.rng.below(100_000), 0),
                _ => (self.rng.below(150_000), 0),
            }
        } else if k == K::DConv {
            (self.rng.below(900_000), 300_000_000)
        } else {
            (self.rng.range(100_000, 2_000_000), self.rng.range(50_000, 1_500_000))
        };
        [a, b, c, d]
    }

    pub(crate) fn delay_fields(&mut self, ds: [u64; 4]) {
        self.o.t(", delay=");
        self.o.secs(ds.iter().sum());
        self.o.t(", delays=");
        for (i, &v) in ds.iter().enumerate() {
            if i > 0 {
                self.o.c(b'/');
            }
            self.o.secs(v);
        }
    }
}
