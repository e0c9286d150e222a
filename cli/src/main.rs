//! `crypto-session`: the crypto-session protocol from the shell.
//!
//! Every protocol step is the core crate's (`crypto_sessions`); this binary reads
//! arguments, moves bytes and reports.

#![forbid(unsafe_code)]

mod args;
mod codec;
mod failure;
mod fetch;
mod input;
mod inspect;
mod keys;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use failure::CliResult;

fn run(cli: Cli) -> CliResult {
    match &cli.command {
        Command::Keygen { json } => keys::keygen(*json),
        Command::Pubkey {
            secret,
            json,
            xonly,
        } => keys::pubkey(secret.as_deref(), *json, *xonly),
        Command::Inspect(args) => inspect::inspect(args),
        Command::Fetch(args) => fetch::fetch(args),
        Command::Encode(args) => codec::encode(args),
        Command::Decode(args) => codec::decode(args),
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("crypto-session: {failure}");
            ExitCode::from(failure.exit as u8)
        }
    }
}
