//! `gongkai`: parse the command line, load the settings and run the command.

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    let cli = gongkai::cli::Cli::parse();
    match gongkai::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
