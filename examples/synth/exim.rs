//! The Exim main log: arrivals, deliveries (`=>`, `->`), deferrals (`==`)
//! and failures (`**`) with their retries and bounce messages, and the
//! noise around them (rejections, queue runs, TLS and authentication
//! errors), each line counted into the truth as it is written.

use super::*;

impl<W: Write> Gen<W> {
    pub(crate) fn run_exim(&mut self) {
        let mut next_queue_run = 0;
        while !self.done() {
            self.clk.us += self.rng.below(2_400_000);
            if self.clk.us >= next_queue_run {
                next_queue_run = self.clk.us + 1_800_000_000;
                self.ex_queue_run();
            }
            match self.rng.weighted(&[380, 230, 60, 80, 30, 30, 20, 20, 20, 15, 20, 5]) {
                0 => self.ex_outbound(),
                1 => self.ex_inbound(),
                2 => self.ex_list(),
                3 => self.ex_reject(),
                4 => self.ex_auth_fail(),
                5 => self.ex_callout_reject(),
                6 => self.ex_tls_error(),
                7 => self.ex_sync_error(),
                8 => self.ex_no_host_name(),
                9 => self.ex_sender_verify_nullmx(),
                10 => self.ex_lost(),
                _ => self.ex_cron(),
            }
            self.style_left = self.style_left.saturating_sub(8);
            if self.style_left == 0 {
                self.switch_style();
            }
        }
    }

    /// `H=(helo) [ip]:port I=[192.0.2.35]:25`
    pub(crate) fn ex_client(&mut self, helo: bool, port_25: bool) -> Vec<u8> {
        let start = self.o.line.len();
        let seed = self.rng.next();
        match seed % 3 {
            0 if helo => {
                self.o.t("(");
                self.o.t(self.rng.pick(&["User", "ylmf-pc", "WIN-3LK2JQ", "localhost"]));
                self.o.t(") ");
            }
            _ => {
                self.o.t("mail.");
                let a = self.rcpt();
                self.dom_name(a.dom);
                self.o.c(b' ');
            }
        }
        self.o.c(b'[');
        if seed % 10 == 1 {
            self.ip_v6(seed >> 8);
        } else {
            self.ip_v4(seed >> 8);
        }
        self.o.t("]:");
        self.o.n(self.rng.range(1_024, 65_535));
        self.o.t(if port_25 { " I=[192.0.2.35]:25" } else { " I=[192.0.2.35]:587" });
        let v = self.o.line[start..].to_vec();
        self.o.line.truncate(start);
        v
    }

    pub(crate) fn ex_conn(&mut self, pid: u32, client: &[u8], opening: bool) {
        self.eh(pid);
        self.o.t("SMTP connection from ");
        self.o.s(client);
        if opening {
            self.o.t(" (TCP/IP connection count = ");
            self.o.n(self.rng.range(1, 8));
            self.o.c(b')');
        } else {
            self.o.t(" closed by QUIT");
        }
        self.end();
    }

    pub(crate) fn ex_arrival(&mut self, pid: u32, msg: &Msg, client: Option<&[u8]>, rcpts: &[Addr]) {
        self.eh(pid);
        self.eid(msg);
        self.o.t(" <= ");
        self.addr(msg.sender);
        match client {
            Some(c) => {
                self.o.t(" H=");
                self.o.s(c);
                if c.ends_with(b":587") {
                    self.o.t(" P=esmtpsa X=TLS1.3:TLS_AES_128_GCM_SHA256:128 CV=no A=dovecot_plain:");
                    self.addr(msg.sender);
                } else {
                    self.o.t(" P=esmtps X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no");
                }
            }
            None => {
                self.o.t(" U=");
                self.local_part(msg.sender.user);
                self.o.t(" P=local");
            }
        }
        self.o.t(" S=");
        self.o.n(msg.size);
        self.o.t(" id=");
        let x = mix64(msg.n ^ 0xE1);
        self.o.digits(x, 10, B62);
        self.o.c(b'.');
        self.o.pad(msg.n % 100_000, 5);
        self.o.c(b'@');
        self.dom_name(msg.sender.dom);
        self.o.t(" T=\"");
        self.o.t(self.rng.pick(SUBJECTS));
        self.o.t("\" for");
        for &r in rcpts {
            self.o.c(b' ');
            self.addr(r);
        }
        self.end();
    }

    pub(crate) fn ex_completed(&mut self, pid: u32, msg: &Msg) {
        self.eh(pid);
        self.eid(msg);
        self.o.t(" Completed");
        self.end();
    }

    pub(crate) fn ex_new_msg(&mut self, sender: Addr) -> Msg {
        let inst = u8::from(self.new_exim);
        self.new_msg(inst, sender)
    }

    pub(crate) fn ex_outbound(&mut self) {
        let sender = self.local_user(self.home);
        let mut msg = self.ex_new_msg(sender);
        let k = [1, 1, 1, 1, 1, 2, 2, 3, 4, 6][self.rng.below(10) as usize];
        let mut rcpts: Vec<Addr> = (0..k).map(|_| self.rcpt()).collect();
        rcpts.sort_by_key(|a| a.dom);
        let pid = self.newpid();
        let client = self.ex_client(false, false);
        let mut laptop = b"(laptop-".to_vec();
        laptop.extend_from_slice(format!("{:02}) ", self.rng.range(1, 60)).as_bytes());
        let client = [&laptop[..], &client[client.iter().position(|&b| b == b'[').unwrap_or(0)..]].concat();
        self.ex_conn(pid, &client, true);
        self.ex_arrival(pid, &msg, Some(&client), &rcpts);
        if k == 1 && self.rng.percent(15) {
            // Cut-through delivery: the `>>` line comes before the QUIT.
            let a = rcpts[0];
            let kk = self.decide(a.dom, 0);
            if kk.outcome() == 0 {
                let hop = self.hop(a.dom);
                self.ex_delivered(pid, &msg, a, kk, hop, ">>");
                self.ex_conn(pid, &client, false);
                self.ex_completed(pid, &msg);
                return;
            }
        }
        self.ex_conn(pid, &client, false);
        msg.arrived = self.clk.us;
        self.ex_round(msg, rcpts, 0, Route::Remote);
    }

    /// A mailing-list or report message from a local program: many
    /// recipients, grouped by domain (`->` lines).
    pub(crate) fn ex_list(&mut self) {
        let sender = Self::role(self.doms.len() as u32 - 2, "newsletter");
        let msg = self.ex_new_msg(sender);
        let k = self.rng.range(3, 25);
        let mut rcpts: Vec<Addr> = (0..k).map(|_| self.rcpt()).collect();
        rcpts.sort_by_key(|a| a.dom);
        let pid = self.newpid();
        self.ex_arrival(pid, &msg, None, &rcpts);
        self.ex_round(msg, rcpts, 0, Route::Remote);
    }

    pub(crate) fn ex_cron(&mut self) {
        let sender = Self::role(self.doms.len() as u32 - 1, "root");
        let msg = self.ex_new_msg(sender);
        let to = Self::role(self.home, "admin");
        let pid = self.newpid();
        self.ex_arrival(pid, &msg, None, &[to]);
        self.eh(pid);
        self.eid(&msg);
        self.o.t(" => admin <");
        self.addr(to);
        self.o.t("> R=local_user T=local_delivery");
        self.o.event = Some((to.dom, 0));
        self.end();
        self.ex_completed(pid, &msg);
    }

    pub(crate) fn ex_inbound(&mut self) {
        let sender = self.rcpt();
        let msg = self.ex_new_msg(sender);
        let k = [1, 1, 1, 1, 1, 1, 2, 2, 3, 1][self.rng.below(10) as usize];
        let rcpts: Vec<Addr> = (0..k).map(|_| self.local_user(self.home)).collect();
        let pid = self.newpid();
        let client = self.ex_client(false, true);
        self.ex_conn(pid, &client, true);
        if self.rng.percent(40) {
            self.eh(pid);
            self.eid(&msg);
            self.o.t(" DKIM: d=");
            self.dom_name(sender.dom);
            self.o.t(" s=");
            self.o.t(self.rng.pick(&["20230601", "selector1", "s1", "default", "google"]));
            self.o.t(" c=relaxed/relaxed a=rsa-sha256 b=2048 [verification succeeded]");
            self.end();
        }
        self.ex_arrival(pid, &msg, Some(&client), &rcpts);
        self.ex_conn(pid, &client, false);
        self.ex_round(msg, rcpts, 0, Route::Lmtp);
    }

    /// One delivery attempt to each recipient, then the bounce message,
    /// a retry, or `Completed`.
    pub(crate) fn ex_round(&mut self, msg: Msg, rcpts: Vec<Addr>, attempt: u8, route: Route) {
        let pid = self.newpid();
        let mut deferred = Vec::new();
        let mut bounced = false;
        let mut prev: Option<u32> = None;
        for &a in &rcpts {
            let outcome = match route {
                Route::Remote => self.ex_attempt(pid, &msg, a, attempt, &mut prev),
                Route::Lmtp => self.ex_lmtp(pid, &msg, a, attempt),
            };
            match outcome {
                1 => deferred.push(a),
                2 => bounced = true,
                _ => {}
            }
        }
        if bounced {
            self.ex_bounce_message(pid, &msg);
        }
        if deferred.is_empty() {
            self.ex_completed(pid, &msg);
        } else {
            self.schedule(msg, deferred, attempt + 1, route);
        }
    }

    pub(crate) fn ex_delivered(&mut self, pid: u32, msg: &Msg, a: Addr, k: K, hop: Hop, flag: &str) {
        self.eh(pid);
        self.eid(msg);
        self.o.c(b' ');
        self.o.t(flag);
        self.o.c(b' ');
        self.addr(a);
        if self.rng.percent(3) {
            self.o.t(" <");
            self.o.t(self.rng.pick(&["sales", "all-staff", "partners", "billing"]));
            self.o.t("@hostco.example>");
        }
        self.o.t(" R=dnslookup T=remote_smtp H=");
        self.mx_host(hop);
        self.o.t(" [");
        self.mx_ip(hop);
        self.o.c(b']');
        if self.rng.percent(85) {
            self.o.t(self.rng.pick(&[
                " X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes",
                " X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=no",
                " X=TLS1.3:TLS_AES_128_GCM_SHA256:128 CV=yes",
            ]));
        }
        if matches!(k, K::SGmail) {
            self.o.t(" DN=\"CN=mx.google.com\"");
        }
        if self.rng.percent(if self.new_exim { 95 } else { 80 }) {
            self.o.t(" C=\"");
            self.reply(k, a, hop, "\\n");
            self.o.c(b'"');
        }
        self.o.event = Some((a.dom, 0));
        self.end();
    }

    pub(crate) fn ex_attempt(&mut self, pid: u32, msg: &Msg, a: Addr, attempt: u8, prev: &mut Option<u32>) -> usize {
        let k = self.decide(a.dom, attempt);
        let mut hop = self.hop(a.dom);
        let outcome = k.outcome();
        if outcome == 0 {
            let flag = if *prev == Some(a.dom) && self.rng.percent(80) { "->" } else { "=>" };
            self.ex_delivered(pid, msg, a, k, hop, flag);
            *prev = Some(a.dom);
            return 0;
        }
        *prev = None;
        let own_two = {
            let d = &self.doms[a.dom as usize];
            d.mx == Mx::Own && d.h.is_multiple_of(3)
        };
        if own_two && k.has_reply() && self.rng.percent(10) {
            // The first host failed; Exim logs it and tries the next.
            self.eh(pid);
            self.eid(msg);
            self.o.t(" H=");
            self.mx_host(hop);
            self.o.t(" [");
            self.mx_ip(hop);
            self.o.t("]: SMTP error from remote mail server after end of data: ");
            self.reply(K::D430, a, hop, "\\n");
            self.end();
            hop.which = 1;
        }
        self.eh(pid);
        self.eid(msg);
        self.o.t(if outcome == 1 { " == " } else { " ** " });
        self.addr(a);
        use K::*;
        match k {
            BHostNotFound => {
                self.o.t(if self.rng.percent(50) { ": Unrouteable address" } else { " : Unrouteable address" })
            }
            BNullMx => self.o.t(" R=dnslookup: an MX or SRV record indicated no SMTP service"),
            DDnsAgain => self.o.t(" R=dnslookup defer (-36): host lookup did not complete"),
            DSuspended => {
                self.o.t(" R=dnslookup T=remote_smtp defer (-54): retry time not reached for any host for '");
                self.dom_name(a.dom);
                self.o.c(b'\'');
            }
            DTimeout => self.o.t(" R=dnslookup T=remote_smtp defer (110): Connection timed out"),
            DRefusedConn => self.o.t(" R=dnslookup T=remote_smtp defer (111): Connection refused"),
            DLost | DConv => {
                self.o.t(" R=dnslookup T=remote_smtp defer (");
                self.o.t(if k == DLost { "-18" } else { "-37" });
                self.o.t(") H=");
                self.mx_host(hop);
                self.o.t(" [");
                self.mx_ip(hop);
                self.o.t(if k == DLost {
                    "]: Remote host closed connection in response to end of data"
                } else {
                    "]: TLS session: (SSL_connect): error:0A000086:SSL routines::certificate verify failed"
                });
            }
            _ => {
                self.o.t(" R=dnslookup T=remote_smtp");
                let new_form = msg.inst == 1;
                if outcome == 1 {
                    self.o.t(match k.stage() {
                        Stage::Rcpt => " defer (-44)",
                        Stage::Mail => " defer (-45)",
                        Stage::Data => " defer (-46)",
                        Stage::Connect => " defer (0)",
                    });
                }
                if new_form || outcome == 1 {
                    self.o.t(" H=");
                    self.mx_host(hop);
                    self.o.t(" [");
                    self.mx_ip(hop);
                    self.o.c(b']');
                    if outcome == 2 {
                        if self.rng.percent(70) {
                            self.o.t(" X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes");
                        }
                        self.o.t(" :");
                    } else {
                        self.o.c(b':');
                    }
                } else {
                    self.o.c(b':');
                }
                self.o.t(if self.rng.percent(3) {
                    " SMTP error from remote mailer after "
                } else {
                    " SMTP error from remote mail server after "
                });
                match k.stage() {
                    Stage::Rcpt => {
                        if self.rng.percent(20) {
                            self.o.t("pipelined ");
                        }
                        self.o.t("RCPT TO:<");
                        self.addr(a);
                        self.o.c(b'>');
                    }
                    Stage::Mail => {
                        self.o.t("MAIL FROM:<");
                        self.addr(msg.sender);
                        self.o.t("> SIZE=");
                        self.o.n(msg.size);
                    }
                    Stage::Data => self.o.t("end of data"),
                    Stage::Connect => self.o.t("initial connection"),
                }
                self.o.t(": ");
                if !new_form && outcome == 2 {
                    self.o.t("host ");
                    self.mx_host(hop);
                    self.o.t(" [");
                    self.mx_ip(hop);
                    self.o.t("]: ");
                }
                self.reply(k, a, hop, "\\n");
            }
        }
        self.o.event = Some((a.dom, outcome));
        self.end();
        outcome
    }

    /// Local delivery over LMTP (or to a local user's mailbox).
    pub(crate) fn ex_lmtp(&mut self, pid: u32, msg: &Msg, a: Addr, attempt: u8) -> usize {
        self.eh(pid);
        self.eid(msg);
        let outcome = if attempt == 0 && self.rng.permille(15) {
            self.o.t(" == ");
            self.addr(a);
            self.o.t(" R=virtual_user T=dovecot_lmtp defer (0) H=127.0.0.1 [127.0.0.1]: LMTP error after DATA: ");
            let hop = Hop { dom: a.dom, which: 0, v6: false };
            self.reply(K::DLmtpQuota, a, hop, "\\n");
            1
        } else if self.rng.percent(25) {
            self.o.t(" => ");
            self.local_part(a.user);
            self.o.t(" <");
            self.addr(a);
            self.o.t("> R=local_user T=local_delivery");
            0
        } else {
            self.o.t(" => ");
            self.addr(a);
            self.o.t(" R=virtual_user T=dovecot_lmtp H=127.0.0.1 [127.0.0.1]");
            if self.rng.percent(85) {
                self.o.t(" C=\"");
                self.saved_reply(a);
                self.o.c(b'"');
            }
            0
        };
        self.o.event = Some((a.dom, outcome));
        self.end();
        outcome
    }

    /// The bounce message Exim sends back, and its local delivery.
    pub(crate) fn ex_bounce_message(&mut self, pid: u32, orig: &Msg) {
        let null = Addr { dom: self.home, user: u32::MAX, look: 0 };
        let msg = self.ex_new_msg(null);
        self.eh(pid);
        self.eid(&msg);
        self.o.t(" <= <> R=");
        self.eid(orig);
        self.o.t(" U=Debian-exim P=local S=");
        self.o.n(orig.size.min(60_000) + self.rng.range(2_000, 6_000));
        self.o.t(" T=\"Mail delivery failed: returning message to sender\" for ");
        let to = orig.sender;
        self.addr(to);
        self.end();
        self.eh(pid);
        self.eid(&msg);
        if to.dom == self.home && self.rng.percent(50) {
            self.o.t(" => ");
            self.local_part(to.user);
            self.o.t(" <");
            self.addr(to);
            self.o.t("> R=local_user T=local_delivery");
        } else {
            self.o.t(" => ");
            self.addr(to);
            self.o.t(" R=virtual_user T=dovecot_lmtp H=127.0.0.1 [127.0.0.1] C=\"");
            self.saved_reply(to);
            self.o.c(b'"');
        }
        self.o.event = Some((to.dom, 0));
        self.end();
        self.ex_completed(pid, &msg);
    }

    pub(crate) fn ex_queue_run(&mut self) {
        let qpid = self.newpid();
        self.eh(qpid);
        self.o.t("Start queue run: pid=");
        self.o.n(u64::from(qpid));
        self.end();
        while self.retries.peek().is_some_and(|r| r.due <= self.clk.us) && !self.done() {
            let r = self.retries.pop().expect("peeked");
            self.ex_retry(r);
        }
        self.eh(qpid);
        self.o.t("End queue run: pid=");
        self.o.n(u64::from(qpid));
        self.end();
    }

    pub(crate) fn ex_retry(&mut self, r: Retry) {
        let pid = self.newpid();
        if r.route == Route::Remote && r.attempt >= MAX_ATTEMPTS {
            for &a in &r.rcpts {
                self.eh(pid);
                self.eid(&r.msg);
                self.o.t(" ** ");
                self.addr(a);
                self.o.t(": retry timeout exceeded");
                self.o.event = Some((a.dom, 2));
                self.end();
            }
            self.ex_bounce_message(pid, &r.msg);
            self.ex_completed(pid, &r.msg);
            return;
        }
        if r.route == Route::Remote && self.rng.percent(25) {
            // The host's retry time has not come yet: deferred again, no try.
            for &a in &r.rcpts {
                self.eh(pid);
                self.eid(&r.msg);
                self.o.t(" == ");
                self.addr(a);
                self.o.t(" R=dnslookup T=remote_smtp defer (-54): retry time not reached for any host for '");
                self.dom_name(a.dom);
                self.o.c(b'\'');
                self.o.event = Some((a.dom, 1));
                self.end();
            }
            let attempt = r.attempt;
            self.schedule(r.msg, r.rcpts, attempt, r.route);
            return;
        }
        self.ex_round(r.msg, r.rcpts, r.attempt, r.route);
    }

    pub(crate) fn ex_reject(&mut self) {
        let pid = self.newpid();
        let client = self.ex_client(true, true);
        self.eh(pid);
        self.o.t("H=");
        self.o.s(&client);
        self.o.t(" F=<");
        let s = self.rcpt();
        self.addr(s);
        self.o.t(">");
        match self.rng.below(4) {
            0 => {
                self.o.t(" rejected RCPT <");
                let mut r = self.local_user(self.home);
                r.user += 500;
                self.addr(r);
                self.o.t(">: Unrouteable address");
            }
            1 => {
                self.o.t(" rejected RCPT <");
                let r = self.local_user(self.home);
                self.addr(r);
                self.o.t(">: ** BLOCKED ** sender IP is listed at zen.spamhaus.org");
            }
            2 => {
                self.o.t(" temporarily rejected RCPT <");
                let r = self.local_user(self.home);
                self.addr(r);
                self.o.t(">: Deferred due to greylisting. Waiting: 300s");
            }
            _ => {
                self.o.t(" rejected RCPT <");
                let r = self.rcpt();
                self.addr(r);
                self.o.t(">: relay not permitted");
            }
        }
        self.end();
    }

    /// A callout failure: the remote reply is there, but it is not a delivery.
    pub(crate) fn ex_callout_reject(&mut self) {
        let pid = self.newpid();
        let client = self.ex_client(false, true);
        let r = self.local_user(self.home);
        self.eh(pid);
        self.o.t("H=");
        self.o.s(&client);
        self.o.t(" F=<");
        let s = self.rcpt();
        self.addr(s);
        self.o.t("> rejected RCPT <");
        self.addr(r);
        self.o.t(">: relay.hostco.example [192.0.2.36] : SMTP error from remote mail server after RCPT TO:<");
        self.addr(r);
        self.o.t(">: 550 5.1.1 <");
        self.addr(r);
        self.o.t(">: Recipient address rejected: User unknown in local recipient table");
        self.end();
    }

    pub(crate) fn ex_auth_fail(&mut self) {
        let pid = self.newpid();
        let client = self.ex_client(true, false);
        self.eh(pid);
        self.o.t("dovecot_login authenticator failed for ");
        self.o.s(&client);
        self.o.t(": 535 Incorrect authentication data (set_id=");
        let u = self.local_user(self.home);
        self.addr(u);
        self.o.c(b')');
        self.end();
        if self.rng.percent(50) {
            self.eh(pid);
            self.o.t("SMTP call from ");
            self.o.s(&client);
            self.o.t(
                " dropped: too many syntax or protocol errors (last command was \"AUTH LOGIN\", C=EHLO,AUTH,AUTH,AUTH)",
            );
            self.end();
        }
    }

    pub(crate) fn ex_tls_error(&mut self) {
        let pid = self.newpid();
        let client = self.ex_client(true, true);
        self.eh(pid);
        self.o.t("TLS error on connection from ");
        self.o.s(&client);
        self.o.t(" (SSL_accept): error:0A000102:SSL routines::unsupported protocol");
        self.end();
    }

    pub(crate) fn ex_sync_error(&mut self) {
        let pid = self.newpid();
        self.eh(pid);
        self.o.t("SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection from H=[");
        let seed = self.rng.next();
        self.ip_v4(seed);
        self.o.t("]:");
        self.o.n(self.rng.range(1_024, 65_535));
        self.o.t(" I=[192.0.2.35]:25 input=\"");
        if self.rng.percent(30) {
            self.o.s(b"\\026\\003\\001\\002\\000\\001\\000\\001\\374\\003\\003\xd5\xe1");
        } else {
            self.o.t("EHLO User\\r\\n");
        }
        self.o.c(b'"');
        self.end();
    }

    pub(crate) fn ex_no_host_name(&mut self) {
        let pid = self.newpid();
        self.eh(pid);
        self.o.t("no host name found for IP address ");
        let seed = self.rng.next();
        self.ip_v4(seed);
        self.end();
    }

    pub(crate) fn ex_sender_verify_nullmx(&mut self) {
        let pid = self.newpid();
        let client = self.ex_client(false, true);
        let s = self.rcpt();
        self.eh(pid);
        self.o.t("H=");
        self.o.s(&client);
        self.o.t(" sender verify fail for <");
        self.addr(s);
        self.o.t(">: an MX or SRV record indicated no SMTP service");
        self.end();
        self.eh(pid);
        self.o.t("H=");
        self.o.s(&client);
        self.o.t(" F=<");
        self.addr(s);
        self.o.t("> rejected RCPT <");
        let r = self.local_user(self.home);
        self.addr(r);
        self.o.t(">: Sender verify failed");
        self.end();
    }

    pub(crate) fn ex_lost(&mut self) {
        let pid = self.newpid();
        let client = self.ex_client(true, true);
        self.ex_conn(pid, &client, true);
        self.eh(pid);
        self.o.t("unexpected disconnection while reading SMTP command from ");
        self.o.s(&client);
        self.o.t(" D=");
        self.o.n(self.rng.below(30));
        self.o.c(b'.');
        self.o.pad(self.rng.below(1000), 3);
        self.o.c(b's');
        self.end();
    }
}

// Pieces of Exim lines: the prefix up to the message id, and the id.
impl<W: Write> Gen<W> {
    /// Moves the clock and writes an Exim line's prefix, up to the space
    /// before the message id or text.
    pub(crate) fn eh(&mut self, pid: u32) {
        self.clk.us += self.rng.below(self.step);
        self.clk.refresh();
        match self.style {
            Style::SyslogBsd | Style::SyslogRfc => {
                if self.style == Style::SyslogBsd {
                    self.bsd_stamp(true);
                } else {
                    self.rfc_stamp();
                }
                self.o.c(b' ');
                self.o.s(self.host.as_bytes());
                self.o.t(" exim[");
                self.o.n(u64::from(pid));
                self.o.t("]: ");
            }
            _ => {}
        }
        let (ymd, hms) = (self.clk.ymd, self.clk.hms);
        self.o.s(&ymd);
        self.o.c(b' ');
        self.o.s(&hms);
        match self.style {
            Style::NativeMs => {
                self.o.c(b'.');
                self.o.pad(self.clk.us / 1000 % 1000, 3);
            }
            Style::NativePid => {
                self.o.t(" [");
                self.o.n(u64::from(pid));
                self.o.c(b']');
            }
            Style::NativeZone => self.o.t(" +0100"),
            _ => {}
        }
        self.o.c(b' ');
    }

    /// An Exim message id: `1tVm3a-000Fq2-Xe` or `1tVn0R-00000000Kx3-Ab1c`.
    pub(crate) fn eid(&mut self, m: &Msg) {
        self.o.digits(m.id_sec, 6, B62);
        self.o.c(b'-');
        if m.inst == 1 {
            self.o.t("00000");
        }
        self.o.digits(scramble(m.n, 62u64.pow(6)), 6, B62);
        self.o.c(b'-');
        self.o.digits(m.tail, if m.inst == 1 { 4 } else { 2 }, B62);
    }
}
