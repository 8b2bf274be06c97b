//! The world the log describes: recipient domains (Zipf-distributed, with
//! fixed traits), their MX hosts and the addresses in them.

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
