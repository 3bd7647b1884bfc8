//! The `bbn` binary: parses the command line and runs one command.
//! Everything it does lives in the library crates; this file stays thin.

mod apikey;
mod backup;
mod cli;
mod config;
mod demo;
mod purge;
mod reindex;
mod scheduler;
mod serve;
mod site_lock;
mod transfer;
mod user;
mod webhooks;
mod wordpress;

use clap::Parser;
use std::process::ExitCode;

/// jemalloc rather than the system allocator: costly bodies, uploads and
/// password hashes run on whichever blocking thread is free, and glibc kept
/// what each thread's arena had grown to. Under `bbn-bench hostile` (60 s,
/// SQLite) the server peaked at 559 MiB with glibc, 473 MiB with mimalloc
/// and 400 MiB with jemalloc.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("BBN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, never in log files.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        // A log pipe that closes (a crashed collector, `| head`) must not stop the
        // server: failed log writes are dropped instead of reported on that same stderr.
        .log_internal_errors(false)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One clear line, never a panic trace.
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
