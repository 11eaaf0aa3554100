//! `gongkai`: parse the command line, load the settings and run the command.

use clap::Parser as _;

/// mimalloc instead of the system allocator: under concurrent requests glibc's malloc was the
/// largest item of the profile (arena locks, consolidation), and its per-thread arenas inflated the
/// resident memory.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
