//! The `bedrock-tui` binary: parses the command line and opens the chat screen or runs a
//! subcommand.

use bedrock_tui::cli::{
    Cli, Command, ask, chat, compare_types, config, doctor, emulator, models, transcripts,
};
use clap::Parser;

fn main() {
    let cli = Cli::parse();
    if let Some(problem) = bedrock_tui::cli::misplaced(&cli) {
        eprintln!("error: {problem}");
        std::process::exit(2);
    }
    // `ask` reads one stream: one thread does it without handing the bytes between threads.
    // The chat and the emulator serve several things at once.
    let mut builder = match cli.command {
        Some(Command::Ask(_)) => tokio::runtime::Builder::new_current_thread(),
        _ => tokio::runtime::Builder::new_multi_thread(),
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    let code = runtime.block_on(async {
        match cli.command {
            Some(Command::Ask(args)) => ask::run(*args, &cli.global).await,
            Some(Command::Emulator(args)) => emulator::run(args, &cli.global).await,
            Some(Command::Models(args)) => models::run(args, &cli.global).await,
            Some(Command::Config(args)) => config::run(&args, &cli.global),
            Some(Command::Transcripts(args)) => transcripts::run(args),
            Some(Command::CompareTypes(args)) => compare_types::run(*args, &cli.global).await,
            Some(Command::Doctor(args)) => doctor::run(&args, &cli.global).await,
            Some(Command::Completions { shell }) => bedrock_tui::cli::print_completions(shell),
            Some(Command::Man) => bedrock_tui::cli::print_man(),
            None => chat::run(cli.chat, cli.global).await,
        }
    });
    // Background tasks (emulator connections) must not delay the exit.
    runtime.shutdown_background();
    // MCP servers, and what they started, end with bedrock-tui.
    bedrock_tui::tools::mcp::stop_all();
    std::process::exit(code);
}
