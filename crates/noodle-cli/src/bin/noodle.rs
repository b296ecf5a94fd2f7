//! `noodle`: runs, checks and disassembles Noodle programs, and hosts the REPL.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

// Processes allocate and free many small objects across worker threads;
// mimalloc's per-thread free lists make that several times cheaper than
// the system allocator (see docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "noodle",
    version,
    about = "Run Noodle programs (.nd source or .nbc bytecode)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a program: an .nbc file, or an .nd file compiled in memory.
    Run {
        /// The program to run.
        file: PathBuf,
        /// Maximum depth of Noodle calls before a RecursionError.
        #[arg(long, default_value_t = noodle_vm::VmOptions::default().max_frames)]
        max_frames: usize,
        /// Worker threads of the scheduler (default: NOODLE_WORKERS, else one per core).
        #[arg(long)]
        workers: Option<usize>,
        /// Print what the run did to stderr at exit: processes, messages, GC, steals, peak memory.
        #[arg(long)]
        stats: bool,
        /// SQLite file for actor checkpoints (`:memory:` keeps them in memory; default:
        /// NOODLE_CHECKPOINT_DB, else checkpoints.sqlite3 in the data directory).
        #[arg(long, value_name = "PATH")]
        checkpoint_db: Option<String>,
        /// Arguments for the program, which reads them with `args()`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Compile a program and report its diagnostics without running it.
    Check {
        /// The program to check.
        file: PathBuf,
    },
    /// Print the bytecode of an .nbc file (or of an .nd file, compiled in memory).
    Disasm {
        /// The program to disassemble.
        file: PathBuf,
    },
    /// Start an interactive session.
    Repl {
        /// Maximum depth of Noodle calls before a RecursionError.
        #[arg(long, default_value_t = noodle_vm::VmOptions::default().max_frames)]
        max_frames: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    noodle_cli::install_panic_hook();
    noodle_cli::on_big_stack(move || match cli.command {
        Command::Run {
            file,
            max_frames,
            workers,
            stats,
            checkpoint_db,
            args,
        } => noodle_cli::run_file(
            &file,
            noodle_vm::VmOptions {
                max_frames,
                args,
                ..Default::default()
            },
            &noodle_runtime::RuntimeOptions {
                workers,
                checkpoint_db,
            },
            stats,
        ),
        Command::Check { file } => noodle_cli::check_file(&file),
        Command::Disasm { file } => noodle_cli::disassemble_file(&file),
        Command::Repl { max_frames } => noodle_cli::run_repl(noodle_vm::VmOptions {
            max_frames,
            ..Default::default()
        }),
    })
}
