//! Runs every program under `tests/fixtures/` with the `noodle` binary and
//! snapshots what a user would see: exit status, stdout and stderr.
//!
//! A fixture `X.nd` runs as `noodle run X.nd` from its own folder, so paths
//! in messages are as a user would type them. Optional companions: `X.stdin`
//! is fed to standard input; `X.args` holds extra command-line words placed
//! before the file (e.g. `--max-frames 50`). Checkpoints go to `:memory:`. Files in a folder named `lib`
//! are modules imported by other fixtures, not programs.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

fn run_fixture(path: &Path) -> String {
    let dir = path.parent().expect("fixture has a folder");
    let file = path.file_name().expect("fixture has a name");
    let mut command = Command::new(env!("CARGO_BIN_EXE_noodle"));
    // Actor checkpoints stay in memory: fixtures leave no files behind.
    command
        .current_dir(dir)
        .env("NOODLE_CHECKPOINT_DB", ":memory:")
        .arg("run");
    let args_file = path.with_extension("args");
    if let Ok(args) = std::fs::read_to_string(&args_file) {
        command.args(args.split_whitespace());
    }
    command.arg(file);
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("noodle starts");
    let stdin_text = std::fs::read(path.with_extension("stdin")).unwrap_or_default();
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(&stdin_text);
    }
    let output = child.wait_with_output().expect("noodle finishes");
    format!(
        "status: {}\n--- stdout\n{}--- stderr\n{}",
        output
            .status
            .code()
            .map_or("signal".to_string(), |c| c.to_string()),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    )
}

#[test]
fn fixtures() {
    insta::glob!("../../../tests/fixtures", "**/*.nd", |path| {
        if path.components().any(|c| c.as_os_str() == "lib") {
            return;
        }
        insta::assert_snapshot!(run_fixture(path));
    });
}
