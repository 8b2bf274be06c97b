//! The `bounces` binary: parse the command line, run, map the result to an
//! exit code. Everything else lives in the library.

mod cli;

use std::process::ExitCode;

use bounces::Exit;

fn main() -> ExitCode {
    let result = cli::Cli::from_env().into_action().and_then(|action| match action {
        cli::Action::Analyze(config) => bounces::analyze(&config),
        cli::Action::Explain(what, format) => bounces::explain(&what, format),
    });
    match result {
        Ok(exit) => exit.into(),
        Err(error) => {
            eprintln!("bounces: {error}");
            Exit::Error.into()
        }
    }
}
