//! Integration tests: one binary, grouped by purpose.

// Helpers to run the built binary and compare output.
mod util;

// The bundled samples: whole CSV reports compared with the expected files,
// and every line compared with a hand-written list of events.
mod samples;

// The real logs in ../shared/corpus (skipped when absent).
mod corpus;

// Command-line behaviour: arguments, inputs, exit codes, output files.
mod cli;

// The same reports whatever the thread count and block size.
mod determinism;

// Properties over generated input (proptest): no panics, same reports for
// any cut, thread count or file split.
mod properties;

// The sender reports and the volume received.
mod senders;

// Compressed and rotated input.
mod compressed;

// Timestamps, windows, time series, journald.
mod time;

// The reports against the counts examples/synth kept as it wrote its log.
mod truth;

// Generated delivery lines read by the crate and by an independent
// regex-based reference parser written from the README.
mod reference_parser;

// `--format`: TSV, JSON, JSON Lines and xlsx against the CSV of the same
// run; `--delimiter`, `--bom`.
mod formats;

// Message-level reports: recipients followed to their final outcome.
mod messages;

// One spelling of a domain in every report, `(local)` for no domain.
mod domains;

// What our own server refused, and the trouble it logged.
mod rejects;

// Exim's `Unrouteable address` read with the whole log.
mod unrouteable;

// The one-page text overview: goldens, its numbers against the CSVs, width.
mod overview;
// The overview as an HTML page: golden, self-contained, well formed, its numbers.
mod overview_html;

// `--events`: one row per delivery, expiry and refusal, JSON Lines and
// Parquet, in log order.
mod events;

// Hostile and broken input.
mod bad_input;

// One test per fixed bug.
mod regression;

// The layout of src/: layers and no import cycles.
mod architecture;

// The DuckDB queries of sql/duckdb/ against the reports (needs python3
// with duckdb; skipped with a message without it, failed under CI).
mod sql;

// `--rules FILE`: the user's classification rules.
mod rules;

// Safe to run as root: no file written through a planted link, private
// reports, a private hash key.
mod security;
