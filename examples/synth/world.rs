//! The world the log describes: recipient domains (Zipf-distributed, with
//! fixed traits), their MX hosts and the addresses in them, and how each is
//! drawn and written.

use super::*;

/// Who runs a domain's mail servers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mx {
    Gmail,
    Workspace,
    Outlook,
    M365,
    Yahoo,
    Aol,
    Apple,
    Own,
    /// One of our own domains (local delivery).
    Local,
}

pub(crate) const PROVIDERS: &[(&str, Mx)] = &[
    ("gmail.com", Mx::Gmail),
    ("outlook.com", Mx::Outlook),
    ("yahoo.com", Mx::Yahoo),
    ("hotmail.com", Mx::Outlook),
    ("icloud.com", Mx::Apple),
    ("aol.com", Mx::Aol),
    ("gmx.de", Mx::Own),
    ("web.de", Mx::Own),
    ("comcast.net", Mx::Own),
    ("live.com", Mx::Outlook),
    ("protonmail.com", Mx::Own),
    ("yahoo.co.uk", Mx::Yahoo),
    ("msn.com", Mx::Outlook),
    ("orange.fr", Mx::Own),
    ("t-online.de", Mx::Own),
    ("googlemail.com", Mx::Gmail),
    ("free.fr", Mx::Own),
    ("att.net", Mx::Yahoo),
    ("mail.ru", Mx::Own),
    ("yandex.ru", Mx::Own),
    ("btinternet.com", Mx::Own),
    ("qq.com", Mx::Own),
    ("163.com", Mx::Own),
    ("hotmail.co.uk", Mx::Outlook),
    ("sbcglobal.net", Mx::Yahoo),
    ("me.com", Mx::Apple),
    ("verizon.net", Mx::Aol),
    ("libero.it", Mx::Own),
    ("laposte.net", Mx::Own),
    ("wanadoo.fr", Mx::Own),
];

pub(crate) const WORDS: &[&str] = &[
    "shop",
    "mail",
    "labs",
    "media",
    "bank",
    "travel",
    "news",
    "games",
    "cloud",
    "health",
    "law",
    "build",
    "foods",
    "motors",
    "energy",
    "design",
    "print",
    "farm",
    "tech",
    "data",
    "school",
    "clinic",
    "hotel",
    "music",
    "sport",
    "pharma",
    "books",
    "garden",
    "auto",
    "logistics",
    "consult",
    "finance",
    "studio",
    "market",
    "photo",
    "realty",
    "dental",
    "craft",
    "solar",
    "marine",
];
pub(crate) const SUFFIXES: &[&str] = &["example", "example.com", "example.net", "example.org", "test"];

pub(crate) struct Dom {
    /// Lower case, no trailing dot: the name the truth is kept under.
    pub(crate) name: String,
    pub(crate) mx: Mx,
    /// Fixed random bits for the domain's traits and addresses.
    pub(crate) h: u64,
    pub(crate) trait_: Trait,
}

/// A domain's fixed character.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trait {
    Normal,
    /// First attempts are greylisted, retries pass.
    Greylist,
    /// Nobody answers: connect timeouts until the message expires.
    Dead,
    /// No such domain: 5.4.4 / Unrouteable address.
    NoDns,
    /// RFC 7505 null MX.
    NullMx,
    /// Spam-filtering Chinese-style provider (`554 DT:SPM`).
    DtSpm,
}

pub(crate) fn build_domains(n: u32, locals: &[&str]) -> Vec<Dom> {
    let mut doms = Vec::with_capacity(n as usize + locals.len());
    for i in 0..n {
        let h = mix64(u64::from(i) ^ 0x5EED_D0D0);
        let (name, mx) = match PROVIDERS.get(i as usize) {
            Some(&(name, mx)) => (name.to_string(), mx),
            None => {
                let w = WORDS[(h % WORDS.len() as u64) as usize];
                let w2 = WORDS[((h >> 8) % WORDS.len() as u64) as usize];
                let sfx = SUFFIXES[((h >> 16) % SUFFIXES.len() as u64) as usize];
                let name = match (h >> 24) % 4 {
                    0 | 1 => format!("d{i}-{w}.{sfx}"),
                    2 => format!("{w}-{w2}{i}.{sfx}"),
                    _ => format!("{w}{i}.{sfx}"),
                };
                let mx = match (h >> 28) % 10 {
                    0 | 1 => Mx::Workspace,
                    2 | 3 => Mx::M365,
                    _ => Mx::Own,
                };
                (name, mx)
            }
        };
        // Only self-hosted domains can be broken: the big providers always
        // answer.
        let trait_ = if (i as usize) < PROVIDERS.len() || mx != Mx::Own {
            Trait::Normal
        } else {
            match (h >> 32) % 400 {
                0 => Trait::NullMx,
                1 | 2 => Trait::NoDns,
                3 | 4 => Trait::Dead,
                5..=8 => Trait::DtSpm,
                9..=28 => Trait::Greylist,
                _ => Trait::Normal,
            }
        };
        doms.push(Dom { name, mx, h, trait_ });
    }
    for (j, &name) in locals.iter().enumerate() {
        doms.push(Dom { name: name.to_string(), mx: Mx::Local, h: mix64(j as u64 ^ 0x10CA1), trait_: Trait::Normal });
    }
    doms
}

/// Cumulative Zipf (exponent 1) weights over `n` ranks, in integers so that
/// the table is the same on every machine.
pub(crate) fn zipf_table(n: u32) -> Vec<u64> {
    let mut acc = 0u64;
    (0..u64::from(n))
        .map(|k| {
            acc += (1u64 << 44) / (k + 1);
            acc
        })
        .collect()
}

pub(crate) const FIRST: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "nina", "oscar",
    "peggy", "rupert", "sybil", "trent", "victor", "walter", "anna", "ben", "chloe", "daniel", "emma", "felix",
    "hannah", "jonas", "lea", "lukas", "mia", "noah", "olivia", "paul", "sofia", "tom", "wang", "yuki", "ahmed",
    "maria", "jose",
];
pub(crate) const LAST: &[&str] = &[
    "smith", "jones", "mueller", "schmidt", "garcia", "martin", "rossi", "dubois", "novak", "kim", "lee", "chen",
    "nguyen", "silva", "santos", "ortiz", "brown", "wilson", "taylor", "moore", "white", "harris", "clark", "lewis",
    "walker", "hall", "young", "king", "wright", "scott", "green", "baker", "adams", "nelson", "hill", "campbell",
    "mitchell", "roberts", "carter", "phillips",
];
pub(crate) const ROLES: &[&str] = &[
    "info",
    "sales",
    "support",
    "billing",
    "noreply",
    "newsletter",
    "admin",
    "postmaster",
    "hr",
    "office",
    "contact",
    "orders",
    "jobs",
    "team",
    "hello",
    "reports",
    "alerts",
    "root",
];
/// Users at or above this value are role accounts (`ROLES`).
pub(crate) const ROLE: u32 = 1 << 30;

/// An address: a local part (from `user`) at a domain, written in one of a
/// few looks.
#[derive(Clone, Copy)]
pub(crate) struct Addr {
    pub(crate) dom: u32,
    pub(crate) user: u32,
    /// 0 as is, 1 domain in upper case, 2 capitalised words, 3 trailing dot.
    pub(crate) look: u8,
}

// Drawing from the world and writing it: recipients, local users and role
// accounts, addresses in their looks, client and server addresses, MX hosts.
impl<W: Write> Gen<W> {
    /// A recipient at a Zipf-chosen domain.
    pub(crate) fn rcpt(&mut self) -> Addr {
        let r = self.rng.below(*self.zipf.last().expect("domains"));
        let dom = self.zipf.partition_point(|&c| c <= r) as u32;
        let user = if self.rng.percent(15) {
            ROLE + self.rng.below(ROLES.len() as u64) as u32
        } else {
            self.rng.below(8_000) as u32
        };
        let look = match self.rng.below(1000) {
            0..=5 => 1,
            6..=13 => 2,
            14..=19 => 3,
            _ => 0,
        };
        Addr { dom, user, look }
    }

    pub(crate) fn local_user(&mut self, dom: u32) -> Addr {
        Addr { dom, user: self.rng.below(400) as u32, look: 0 }
    }

    pub(crate) fn role(dom: u32, role: &str) -> Addr {
        let i = ROLES.iter().position(|&r| r == role).expect("known role");
        Addr { dom, user: ROLE + i as u32, look: 0 }
    }

    pub(crate) fn local_part(&mut self, user: u32) {
        if user >= ROLE {
            self.o.t(ROLES[(user - ROLE) as usize % ROLES.len()]);
            return;
        }
        let (f, l) = (FIRST.len() as u32, LAST.len() as u32);
        let first = FIRST[(user % f) as usize];
        let last = LAST[(user / f % l) as usize];
        match user / (f * l) % 5 {
            0 => {
                self.o.t(first);
                self.o.c(b'.');
                self.o.t(last);
            }
            1 => {
                self.o.c(first.as_bytes()[0]);
                self.o.c(b'.');
                self.o.t(last);
            }
            2 => self.o.t(first),
            3 => {
                self.o.t(first);
                self.o.t(last);
            }
            _ => {
                self.o.t(first);
                self.o.c(b'.');
                self.o.t(last);
                self.o.n(u64::from(user % 90 + 10));
            }
        }
    }

    pub(crate) fn dom_name(&mut self, d: u32) {
        let name = &self.doms[d as usize].name;
        self.o.line.extend_from_slice(name.as_bytes());
    }

    /// An address in its look (without angle brackets).
    pub(crate) fn addr(&mut self, a: Addr) {
        let start = self.o.line.len();
        self.local_part(a.user);
        self.o.c(b'@');
        let at = self.o.line.len();
        self.dom_name(a.dom);
        match a.look {
            1 => self.o.line[at..].make_ascii_uppercase(),
            2 => {
                let mut up = true;
                for b in &mut self.o.line[start..] {
                    if up {
                        b.make_ascii_uppercase();
                    }
                    up = matches!(*b, b'.' | b'-' | b'@');
                }
            }
            3 => self.o.c(b'.'),
            _ => {}
        }
    }

    pub(crate) fn ip_v4(&mut self, seed: u64) {
        self.o.t(["192.0.2.", "198.51.100.", "203.0.113."][(seed % 3) as usize]);
        self.o.n(1 + (seed >> 8) % 250);
    }

    pub(crate) fn ip_v6(&mut self, seed: u64) {
        self.o.t("2001:db8:");
        self.o.digits(seed & 0xfff, 3, HEX_LO);
        self.o.t("::");
        self.o.digits((seed >> 12) % 0xff + 1, 2, HEX_LO);
    }

    /// A random client address.
    pub(crate) fn client_ip(&mut self) {
        let seed = self.rng.next();
        if seed.is_multiple_of(10) {
            self.ip_v6(seed >> 8);
        } else {
            self.ip_v4(seed >> 8);
        }
    }

    /// A hop to the primary MX of `dom`; IPv6 for some domains always, for
    /// the big providers now and then.
    pub(crate) fn hop(&mut self, dom: u32) -> Hop {
        let d = &self.doms[dom as usize];
        let v6 = match d.mx {
            Mx::Gmail | Mx::Workspace | Mx::Outlook | Mx::M365 => self.rng.percent(25),
            Mx::Own => (d.h >> 40).is_multiple_of(6),
            _ => false,
        };
        Hop { dom, which: 0, v6 }
    }

    /// The mail server of a hop.
    pub(crate) fn mx_host(&mut self, hop: Hop) {
        let (mx, h) = {
            let d = &self.doms[hop.dom as usize];
            (d.mx, d.h)
        };
        match mx {
            Mx::Gmail => {
                if hop.which == 1 {
                    self.o.t("alt1.");
                }
                self.o.t("gmail-smtp-in.l.google.com");
            }
            Mx::Workspace => {
                if hop.which == 1 {
                    self.o.t("alt1.");
                }
                self.o.t("aspmx.l.google.com");
            }
            Mx::Outlook => {
                let start = self.o.line.len();
                self.dom_name(hop.dom);
                for b in &mut self.o.line[start..] {
                    if *b == b'.' {
                        *b = b'-';
                    }
                }
                self.o.t(".olc.protection.outlook.com");
            }
            Mx::M365 => {
                let name = &self.doms[hop.dom as usize].name;
                for &b in name.as_bytes() {
                    match b {
                        b'-' => {}
                        b'.' => self.o.line.push(b'-'),
                        _ => self.o.line.push(b),
                    }
                }
                self.o.t(".mail.protection.outlook.com");
            }
            Mx::Yahoo => {
                self.o.t("mta");
                self.o.n(5 + (h + u64::from(hop.which)) % 3);
                self.o.t(".am0.yahoodns.net");
            }
            Mx::Aol => self.o.t("mx-aol.mail.gm0.yahoodns.net"),
            Mx::Apple => {
                self.o.t("mx0");
                self.o.n(1 + u64::from(hop.which));
                self.o.t(".mail.icloud.com");
            }
            Mx::Own | Mx::Local => {
                if h.is_multiple_of(3) {
                    self.o.t("mx");
                    self.o.n(1 + u64::from(hop.which));
                    self.o.c(b'.');
                } else if hop.which == 1 {
                    self.o.t("mx2.");
                } else {
                    self.o.t("mx.");
                }
                self.dom_name(hop.dom);
            }
        }
    }

    pub(crate) fn mx_ip(&mut self, hop: Hop) {
        let d = &self.doms[hop.dom as usize];
        let seed = mix64(d.h ^ u64::from(hop.which));
        let google = matches!(d.mx, Mx::Gmail | Mx::Workspace);
        if hop.v6 && google {
            self.o.t(if hop.which == 0 { "2001:db8:4860:4::1b" } else { "2001:db8:4860:4::1a" });
        } else if hop.v6 {
            self.ip_v6(seed);
        } else {
            self.ip_v4(seed);
        }
    }
}
