//! The overview as one self-contained HTML page (`--format html`): inline
//! CSS (with print and dark-mode rules) and inline SVG charts, no script
//! and no external reference. It renders the same [`Overview`] as the text
//! and writes its numbers the same way; every string from the log is
//! escaped.

use std::fmt::Write;

use crate::numbers::thousands;
use crate::report::PeriodRow;
use crate::report::overview::{self, Change, Events, NOTHING, Overview, TopDomain, percent, period_rate};

/// The page's style: light by default, dark when asked, plain when printed.
const STYLE: &str = "
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #ffffff; --muted: #57606a; --line: #d0d7de;
  --delivered: #2e7d32; --deferred: #f9a825; --bounced: #c62828; --bar: #1565c0; --rate: #6a1b9a; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9da7b3; --line: #30363d;
    --delivered: #66bb6a; --deferred: #ffd54f; --bounced: #ef5350; --bar: #64b5f6; --rate: #ce93d8; }
}
body { font: 15px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 0; }
main { max-width: 960px; margin: 0 auto; padding: 1em 1.5em; }
h1 { font-size: 1.6em; margin: 0.2em 0; }
h2 { font-size: 1.2em; border-bottom: 1px solid var(--line); padding-bottom: 0.2em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { padding: 0.15em 0.8em 0.15em 0; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
thead th { border-bottom: 1px solid var(--line); }
.advice, .muted { color: var(--muted); font-size: 0.9em; }
svg { display: block; max-width: 100%; height: auto; margin: 0.5em 0; }
svg text { fill: var(--fg); font: 12px system-ui, sans-serif; }
.delivered { fill: var(--delivered); } .deferred { fill: var(--deferred); } .bounced { fill: var(--bounced); }
.bar { fill: var(--bar); } .rate { stroke: var(--rate); fill: none; stroke-width: 2; } .dot { fill: var(--rate); }
.axis { stroke: var(--line); }
@media print {
  :root { --fg: #000000; --bg: #ffffff; --muted: #333333; --line: #999999; }
  body { font-size: 11pt; } main { max-width: none; padding: 0; }
  section { break-inside: avoid; } svg { max-width: 16cm; }
}
";

/// The page of `overview`.
pub fn page(overview: &Overview) -> String {
    let mut html = String::new();
    html.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    html.push_str("<title>bounces overview</title>\n<style>");
    html.push_str(STYLE);
    html.push_str("</style>\n</head>\n<body>\n<main>\n<h1>bounces overview</h1>\n");
    inputs(&mut html, overview);
    match &overview.events {
        None => {
            html.push_str("<section>\n<h2>Nothing to report</h2>\n");
            let _ = writeln!(html, "<p>{}</p>\n</section>", escape(NOTHING));
            if !overview.flags.is_empty() {
                html.push_str("<section>\n<h2>Needs attention</h2>\n");
                flags(&mut html, &overview.flags);
                html.push_str("</section>\n");
            }
        }
        Some(events) => sections(&mut html, events, &overview.flags),
    }
    html.push_str("</main>\n</body>\n</html>\n");
    html
}

/// `text` with `&`, `<`, `>`, `"` and `'` escaped, for an element or an
/// attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The window and what was read.
fn inputs(html: &mut String, overview: &Overview) {
    html.push_str("<section>\n<h2>Window and inputs</h2>\n<table>\n");
    let rows = [
        ("covers", overview::covers(overview)),
        ("window", overview::window(overview)),
        ("read", Some(overview::read(overview))),
        ("hosts", overview::hosts(overview)),
    ];
    for (label, value) in rows {
        if let Some(value) = value {
            let _ = writeln!(html, "<tr><th scope=\"row\">{label}</th><td>{}</td></tr>", escape(&value));
        }
    }
    html.push_str("</table>\n</section>\n");
}

/// The sections of an overview with events, in the text's order.
fn sections(html: &mut String, events: &Events, flags: &[(String, &'static str)]) {
    let t = &events.totals;
    html.push_str("<section>\n<h2>Delivery events</h2>\n");
    let mut counts = vec![("delivered", t.delivered), ("deferred", t.deferred), ("bounced", t.bounced)];
    if t.expired > 0 {
        counts.push(("expired", t.expired));
    }
    counts_table(html, "Delivery events", &counts, t.rate);
    let (title, rows) = &events.periods;
    if !rows.is_empty() {
        periods_chart(html, title, rows);
    }
    html.push_str("</section>\n");
    if let Some(change) = &events.change {
        change_table(html, change);
    }
    if let Some(r) = &events.recipients {
        html.push_str("<section>\n<h2>Recipients, by final outcome</h2>\n");
        let mut counts = vec![
            ("recipients", r.recipients),
            ("delivered", r.delivered),
            ("bounced", r.bounced),
            ("expired", r.expired),
        ];
        if r.discarded > 0 {
            counts.push(("discarded", r.discarded));
        }
        counts.push(("pending", r.pending));
        counts_table(html, "Recipients, by final outcome", &counts, r.rate);
        html.push_str("</section>\n");
    }
    if let Some(senders) = &events.senders {
        html.push_str("<section>\n<h2>Senders</h2>\n");
        let _ = writeln!(html, "<p>received {}</p>", escape(&overview::volume(&senders.volume)));
        if !senders.top.is_empty() {
            let _ = writeln!(html, "<table>\n<caption class=\"muted\">{}</caption>", escape(overview::TOP_SENDERS));
            html.push_str("<thead><tr><th scope=\"col\" class=\"n\">failed</th><th scope=\"col\">sender</th>");
            html.push_str("<th scope=\"col\">recipients, top reason</th></tr></thead>\n<tbody>\n");
            for sender in &senders.top {
                let _ = writeln!(
                    html,
                    "<tr><td class=\"n\">{}</td><th scope=\"row\">{}</th><td>{}</td></tr>",
                    thousands(sender.failed),
                    escape(&sender.sender),
                    escape(&overview::sender_details(sender))
                );
            }
            html.push_str("</tbody>\n</table>\n");
        }
        html.push_str("</section>\n");
    }
    if !events.types.is_empty() {
        html.push_str("<section>\n<h2>Bounces by type</h2>\n");
        let bars_of: Vec<(String, u64)> = events.types.iter().map(|(k, n)| (k.as_str().to_string(), *n)).collect();
        bars(html, "Bounced events by bounce type", &bars_of);
        let counts: Vec<(&str, u64)> = events.types.iter().map(|(k, n)| (k.as_str(), *n)).collect();
        counts_table(html, "Bounced events by bounce type", &counts, None);
        html.push_str("</section>\n");
    }
    if !events.reasons.is_empty() {
        html.push_str("<section>\n<h2>Top bounce reasons</h2>\n");
        let bars_of: Vec<(String, u64)> =
            events.reasons.iter().map(|r| (r.reason.as_str().to_string(), r.bounced)).collect();
        bars(html, "Bounced events of the top bounce reasons", &bars_of);
        html.push_str("<table>\n<caption class=\"muted\">Top bounce reasons, with what to do</caption>\n");
        html.push_str("<thead><tr><th scope=\"col\" class=\"n\">bounced</th><th scope=\"col\">reason</th>");
        html.push_str("<th scope=\"col\">type</th><th scope=\"col\">advice</th></tr></thead>\n<tbody>\n");
        for r in &events.reasons {
            let _ = writeln!(
                html,
                "<tr><td class=\"n\">{}</td><th scope=\"row\">{}</th><td>{}</td><td class=\"advice\">{}</td></tr>",
                thousands(r.bounced),
                r.reason.as_str(),
                r.kind.as_str(),
                escape(r.reason.advice())
            );
        }
        html.push_str("</tbody>\n</table>\n</section>\n");
    }
    domains(html, "Top domains by bounces", "bounced + expired", &events.by_bounces);
    domains(html, "Top domains by deferrals", "deferred", &events.by_deferrals);
    attention(html, events, flags);
    if !rows.is_empty() {
        periods_table(html, title, rows, overview::left_out(events));
    }
}

/// The window against the previous period.
fn change_table(html: &mut String, change: &Change) {
    let _ = writeln!(html, "<section>\n<h2>Change against the {}</h2>", change.label);
    let _ = writeln!(
        html,
        "<table>\n<caption class=\"muted\">The {} is {} to {} ({})</caption>",
        change.label,
        escape(&change.since),
        escape(&change.until),
        overview::CHANGE_RATE
    );
    html.push_str("<thead><tr><th scope=\"col\">events</th><th scope=\"col\" class=\"n\">window</th>");
    html.push_str(
        "<th scope=\"col\" class=\"n\">previous</th><th scope=\"col\" class=\"n\">change</th></tr></thead>\n<tbody>\n",
    );
    for [label, now, before, diff] in overview::change_rows(change) {
        let _ = writeln!(
            html,
            "<tr><th scope=\"row\">{label}</th><td class=\"n\">{now}</td><td class=\"n\">{before}</td><td class=\"n\">{diff}</td></tr>"
        );
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}

/// A table of labelled counts, and the bounce rate when there is one.
fn counts_table(html: &mut String, caption: &str, counts: &[(&str, u64)], rate: Option<f64>) {
    let _ = writeln!(html, "<table>\n<caption class=\"muted\">{}</caption>", escape(caption));
    for (label, n) in counts {
        let _ = writeln!(html, "<tr><th scope=\"row\">{label}</th><td class=\"n\">{}</td></tr>", thousands(*n));
    }
    if let Some(rate) = rate {
        let _ = writeln!(html, "<tr><th scope=\"row\">bounce rate</th><td class=\"n\">{}</td></tr>", percent(rate));
    }
    html.push_str("</table>\n");
}

/// A horizontal bar chart of labelled counts, with its text alternative.
fn bars(html: &mut String, title: &str, items: &[(String, u64)]) {
    const LABEL: usize = 240;
    const PLOT: usize = 440;
    const ROW: usize = 24;
    let max = items.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let height = items.len() * ROW + 8;
    let desc: Vec<String> = items.iter().map(|(label, n)| format!("{label}: {}", thousands(*n))).collect();
    let _ = writeln!(
        html,
        "<svg role=\"img\" aria-labelledby=\"{id}-t {id}-d\" viewBox=\"0 0 {w} {height}\" width=\"{w}\" height=\"{height}\">",
        id = chart_id(title),
        w = LABEL + PLOT + 80
    );
    let _ = writeln!(html, "<title id=\"{}-t\">{}</title>", chart_id(title), escape(title));
    let _ = writeln!(html, "<desc id=\"{}-d\">{}</desc>", chart_id(title), escape(&desc.join("; ")));
    for (i, (label, n)) in items.iter().enumerate() {
        let y = i * ROW + 4;
        let width = ((*n as f64 / max as f64) * PLOT as f64).round() as usize;
        let _ = writeln!(
            html,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            LABEL - 8,
            y + 15,
            escape(&short(label, 34))
        );
        let _ =
            writeln!(html, "<rect class=\"bar\" x=\"{LABEL}\" y=\"{y}\" width=\"{width}\" height=\"{}\" />", ROW - 6);
        let _ = writeln!(html, "<text x=\"{}\" y=\"{}\">{}</text>", LABEL + width + 6, y + 15, thousands(*n));
    }
    html.push_str("</svg>\n");
}

/// The outcomes per period stacked, with the bounce rate as a line.
fn periods_chart(html: &mut String, title: &str, rows: &[PeriodRow]) {
    const LEFT: f64 = 60.0;
    const PLOT_W: f64 = 640.0;
    const PLOT_H: f64 = 200.0;
    const TOP: f64 = 30.0;
    let max = rows.iter().map(|r| r.counts.iter().sum::<u64>()).max().unwrap_or(0).max(1) as f64;
    let max_rate = rows.iter().filter_map(period_rate).fold(0.0_f64, f64::max);
    let step = PLOT_W / rows.len() as f64;
    let id = chart_id(title);
    let label = format!("{title}: delivered, deferred and bounced events stacked, with the bounce rate");
    let desc: Vec<String> = rows
        .iter()
        .map(|r| {
            let rate = period_rate(r).map(|x| format!(", rate {}", percent(x))).unwrap_or_default();
            format!(
                "{}: {} delivered, {} deferred, {} bounced{rate}",
                r.period,
                thousands(r.counts[0]),
                thousands(r.counts[1]),
                thousands(r.counts[2])
            )
        })
        .collect();
    let _ = writeln!(
        html,
        "<svg role=\"img\" aria-labelledby=\"{id}-t {id}-d\" viewBox=\"0 0 760 280\" width=\"760\" height=\"280\">"
    );
    let _ = writeln!(html, "<title id=\"{id}-t\">{}</title>", escape(&label));
    let _ = writeln!(html, "<desc id=\"{id}-d\">{}</desc>", escape(&desc.join("; ")));
    let legend = [("delivered", 60), ("deferred", 170), ("bounced", 280)];
    for (class, x) in legend {
        let _ = writeln!(html, "<rect class=\"{class}\" x=\"{x}\" y=\"6\" width=\"12\" height=\"12\" />");
        let _ = writeln!(html, "<text x=\"{}\" y=\"16\">{class}</text>", x + 16);
    }
    let _ = writeln!(html, "<line class=\"rate\" x1=\"390\" y1=\"12\" x2=\"410\" y2=\"12\" />");
    let _ = writeln!(html, "<text x=\"416\" y=\"16\">bounce rate (max {})</text>", percent(max_rate));
    let bottom = TOP + PLOT_H;
    let _ = writeln!(
        html,
        "<line class=\"axis\" x1=\"{LEFT}\" y1=\"{bottom}\" x2=\"{}\" y2=\"{bottom}\" />",
        LEFT + PLOT_W
    );
    let _ = writeln!(
        html,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
        LEFT - 6.0,
        TOP + 4.0,
        thousands(max as u64)
    );
    let _ = writeln!(html, "<text x=\"{}\" y=\"{bottom}\" text-anchor=\"end\">0</text>", LEFT - 6.0);
    let mut points = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let x = LEFT + i as f64 * step;
        let mut y = bottom;
        for (class, n) in ["delivered", "deferred", "bounced"].iter().zip(row.counts) {
            let h = n as f64 / max * PLOT_H;
            y -= h;
            if n > 0 {
                let _ = writeln!(
                    html,
                    "<rect class=\"{class}\" x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\" />",
                    x + step * 0.1,
                    step * 0.8
                );
            }
        }
        if let Some(rate) = period_rate(row) {
            let ry = if max_rate > 0.0 { bottom - rate / max_rate * PLOT_H } else { bottom };
            points.push(format!("{:.1},{ry:.1}", x + step / 2.0));
        }
    }
    if points.len() > 1 {
        let _ = writeln!(html, "<polyline class=\"rate\" points=\"{}\" />", points.join(" "));
    }
    for point in &points {
        let (x, y) = point.split_once(',').unwrap_or(("0", "0"));
        let _ = writeln!(html, "<circle class=\"dot\" cx=\"{x}\" cy=\"{y}\" r=\"3\" />");
    }
    if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
        let _ = writeln!(html, "<text x=\"{LEFT}\" y=\"{}\">{}</text>", bottom + 18.0, escape(&first.period));
        let _ = writeln!(
            html,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            LEFT + PLOT_W,
            bottom + 18.0,
            escape(&last.period)
        );
    }
    html.push_str("</svg>\n");
}

/// A list of top domains: a bar chart and a table.
fn domains(html: &mut String, title: &str, counted: &str, top: &[TopDomain]) {
    if top.is_empty() {
        return;
    }
    let _ = writeln!(html, "<section>\n<h2>{title}</h2>");
    let items: Vec<(String, u64)> = top.iter().map(|d| (d.domain.clone(), d.count)).collect();
    bars(html, title, &items);
    let _ = writeln!(html, "<table>\n<caption class=\"muted\">{title}</caption>");
    let _ = writeln!(
        html,
        "<thead><tr><th scope=\"col\" class=\"n\">{counted}</th><th scope=\"col\">domain</th><th scope=\"col\">top code, reason</th></tr></thead>\n<tbody>"
    );
    for domain in top {
        let _ = writeln!(
            html,
            "<tr><td class=\"n\">{}</td><th scope=\"row\">{}</th><td>{}</td></tr>",
            thousands(domain.count),
            escape(&domain.domain),
            escape(&overview::domain_details(domain))
        );
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}

/// What the sending side must act on.
fn attention(html: &mut String, events: &Events, flagged: &[(String, &'static str)]) {
    let expired = events.totals.expired;
    let jumps = events.change.as_ref().map_or(&[][..], |c| &c.jumps[..]);
    if events.blocks.is_empty() && events.null_mx.is_empty() && expired == 0 && jumps.is_empty() && flagged.is_empty() {
        return;
    }
    html.push_str("<section>\n<h2>Needs attention</h2>\n");
    if !events.blocks.is_empty() {
        let _ = writeln!(html, "<table>\n<caption>{}</caption>", escape(overview::BLOCKS));
        html.push_str("<thead><tr><th scope=\"col\" class=\"n\">events</th><th scope=\"col\">reason</th>");
        html.push_str("<th scope=\"col\" class=\"n\">bounced</th><th scope=\"col\" class=\"n\">deferred</th></tr></thead>\n<tbody>\n");
        for (reason, [deferred, bounced]) in &events.blocks {
            let _ = writeln!(
                html,
                "<tr><td class=\"n\">{}</td><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                thousands(bounced + deferred),
                reason.as_str(),
                thousands(*bounced),
                thousands(*deferred)
            );
        }
        html.push_str("</tbody>\n</table>\n");
    }
    if !events.null_mx.is_empty() {
        let _ = writeln!(html, "<table>\n<caption>{}: {}</caption>", escape(overview::NULL_MX), events.null_mx.len());
        html.push_str(
            "<thead><tr><th scope=\"col\" class=\"n\">events</th><th scope=\"col\">domain</th></tr></thead>\n<tbody>\n",
        );
        for (domain, n) in events.null_mx.iter().take(overview::NULL_MX_NAMED) {
            let _ = writeln!(
                html,
                "<tr><td class=\"n\">{}</td><th scope=\"row\">{}</th></tr>",
                thousands(*n),
                escape(domain)
            );
        }
        html.push_str("</tbody>\n</table>\n");
        if events.null_mx.len() > overview::NULL_MX_NAMED {
            let more = (events.null_mx.len() - overview::NULL_MX_NAMED) as u64;
            let _ = writeln!(html, "<p>and {} more</p>", thousands(more));
        }
    }
    if !jumps.is_empty() {
        let _ = writeln!(html, "<table>\n<caption>{}</caption>", escape(overview::JUMPS));
        html.push_str("<thead><tr><th scope=\"col\" class=\"n\">points</th><th scope=\"col\">domain</th>");
        html.push_str("<th scope=\"col\" class=\"n\">rate before</th><th scope=\"col\" class=\"n\">events before</th>");
        html.push_str(
            "<th scope=\"col\" class=\"n\">rate</th><th scope=\"col\" class=\"n\">events</th></tr></thead>\n<tbody>\n",
        );
        for jump in jumps {
            let _ = writeln!(
                html,
                "<tr><td class=\"n\">{:+.2}</td><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                jump.points(),
                escape(&jump.domain),
                percent(jump.before_rate),
                thousands(jump.before_events),
                percent(jump.rate),
                thousands(jump.events)
            );
        }
        html.push_str("</tbody>\n</table>\n");
    }
    if expired > 0 {
        let _ = writeln!(
            html,
            "<p>Expired: {} given up on after retrying</p>",
            crate::numbers::plural(expired, "recipient")
        );
    }
    flags(html, flagged);
    html.push_str("</section>\n");
}

/// What the summary flags, each with what to do.
fn flags(html: &mut String, flags: &[(String, &'static str)]) {
    for (what, advice) in flags {
        let _ = writeln!(html, "<p>{}:</p>\n<p class=\"advice\">{}</p>", escape(what), escape(advice));
    }
}

/// The outcomes per period as a table.
fn periods_table(html: &mut String, title: &str, rows: &[PeriodRow], left_out: Option<String>) {
    let _ = writeln!(html, "<section>\n<h2>{title}</h2>\n<table>");
    html.push_str("<thead><tr><th scope=\"col\">period</th><th scope=\"col\" class=\"n\">delivered</th>");
    html.push_str("<th scope=\"col\" class=\"n\">deferred</th><th scope=\"col\" class=\"n\">bounced</th>");
    html.push_str("<th scope=\"col\" class=\"n\">rate</th></tr></thead>\n<tbody>\n");
    for row in rows {
        let [delivered, deferred, bounced] = row.counts;
        let _ = writeln!(
            html,
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&row.period),
            thousands(delivered),
            thousands(deferred),
            thousands(bounced),
            period_rate(row).map(percent).unwrap_or_default()
        );
    }
    html.push_str("</tbody>\n</table>\n");
    if let Some(note) = left_out {
        let _ = writeln!(html, "<p class=\"muted\">{}</p>", escape(&note));
    }
    html.push_str("</section>\n");
}

/// An id for a chart, from its title: lowercase letters and `-`.
fn chart_id(title: &str) -> String {
    title.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect()
}

/// `text` cut to `max` characters, ending with `...` when cut.
fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max - 3).collect();
    cut.push_str("...");
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_makes_log_strings_inert() {
        assert_eq!(escape("<script>"), "&lt;script&gt;");
        assert_eq!(escape("\"><img src=x>"), "&quot;&gt;&lt;img src=x&gt;");
        assert_eq!(escape("a&b's"), "a&amp;b&#39;s");
    }

    #[test]
    fn a_hostile_domain_comes_out_escaped() {
        let domain = |name: &str| TopDomain {
            domain: name.to_string(),
            count: 1,
            code: Some("550 <b>".to_string()),
            reason: None,
            expired: 0,
        };
        let jump = overview::Jump {
            domain: "<script>j</script>".to_string(),
            events: 20,
            rate: 0.5,
            before_events: 20,
            before_rate: 0.1,
        };
        let sender =
            overview::TopSender { sender: "<script>s</script>@x".to_string(), failed: 1, recipients: 1, reason: None };
        let events = Events {
            by_bounces: vec![domain("<script>alert(1)</script>"), domain("\"><img src=x onerror=y>")],
            null_mx: vec![("<script>".to_string(), 1)],
            change: Some(Change { since: "<b>".to_string(), jumps: vec![jump], ..Change::default() }),
            senders: Some(overview::Senders { top: vec![sender], ..overview::Senders::default() }),
            ..Events::default()
        };
        let flags = vec![("<script>f.log</script>: empty".to_string(), "advice")];
        let html = page(&Overview { events: Some(events), flags, ..Overview::default() });
        for hostile in ["&lt;script&gt;j&lt;/script&gt;", "&lt;script&gt;s&lt;/script&gt;@x", "&lt;script&gt;f.log"] {
            assert!(html.contains(hostile), "{hostile}");
        }
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("&quot;&gt;&lt;img src=x onerror=y&gt;"));
    }

    #[test]
    fn no_event_gives_a_short_page_that_says_so() {
        let html = page(&Overview::default());
        assert!(html.contains(NOTHING));
        assert!(!html.contains("<svg"));
    }
}
