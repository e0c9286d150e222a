//! Writes the man page and the shell completions of `crypto-session`, made from its
//! clap definition (src/args.rs), into a folder (`make dist` puts them in the tarball):
//!
//!     cargo run -p crypto-session-cli --example gen_docs -- OUT_DIR
//!
//! OUT_DIR/man/crypto-session.1 (+ one page per subcommand, crypto-session-fetch.1, ...)
//! OUT_DIR/completions/crypto-session.bash, _crypto-session (zsh), crypto-session.fish

#[allow(dead_code)] // the binary uses the fields; here only the definition matters
#[path = "../src/args.rs"]
mod args;

use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::Shell;

fn main() -> std::io::Result<()> {
    let Some(out) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: gen_docs OUT_DIR");
        std::process::exit(2);
    };
    let man = out.join("man");
    let completions = out.join("completions");
    std::fs::create_dir_all(&man)?;
    std::fs::create_dir_all(&completions)?;

    // No pages for clap's own `help` subcommand: `crypto-session help X` is `X --help`.
    let mut command = args::Cli::command().disable_help_subcommand(true);
    command.build();
    clap_mangen::generate_to(command.clone(), &man)?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        clap_complete::generate_to(shell, &mut command, "crypto-session", &completions)?;
    }
    Ok(())
}
