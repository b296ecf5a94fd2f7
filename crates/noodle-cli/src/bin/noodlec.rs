//! `noodlec`: compiles a Noodle program and the modules it imports into one
//! NBC file.

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "noodlec",
    version,
    about = "Compile a Noodle program to NBC bytecode"
)]
struct Cli {
    /// The program's entry file (.nd).
    file: PathBuf,
    /// Where to write the bytecode; defaults to FILE with the .nbc extension.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    noodle_cli::install_panic_hook();
    noodle_cli::on_big_stack(move || noodle_cli::compile_to_file(&cli.file, cli.output))
}
