//! `noodle repl`: an interactive session. Definitions persist across
//! inputs because one compiler session and one VM live for the whole run.

use crate::{EXIT_OK, EXIT_USAGE};
use rustyline::DefaultEditor;
use rustyline::error::ReadlineError;
use std::path::PathBuf;

const PROMPT: &str = ">>> ";
const CONTINUATION: &str = "... ";

fn history_path() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".noodle_history"))
}

pub fn run_repl(options: noodle_vm::VmOptions) -> u8 {
    let mut editor = match DefaultEditor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot start the line editor: {e}");
            return EXIT_USAGE;
        }
    };
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    let base_dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let mut compiler = noodle_codegen::ReplCompiler::new(&base_dir);
    let mut vm = noodle_vm::Vm::new(crate::worker_options(options));
    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() {
            PROMPT
        } else {
            CONTINUATION
        };
        match editor.readline(prompt) {
            Ok(line) => {
                pending.push_str(&line);
                pending.push('\n');
                if noodle_syntax::needs_more_input(&pending) {
                    continue;
                }
                let input = std::mem::take(&mut pending);
                if input.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(input.trim_end());
                evaluate(&mut compiler, &mut vm, &input);
            }
            // Ctrl-C abandons the current input, as in Python.
            Err(ReadlineError::Interrupted) => pending.clear(),
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("error: {e}");
                break;
            }
        }
    }
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
    EXIT_OK
}

fn evaluate(compiler: &mut noodle_codegen::ReplCompiler, vm: &mut noodle_vm::Vm, input: &str) {
    let output = compiler.compile(input);
    for diagnostic in &output.diagnostics {
        eprint!("{diagnostic}");
    }
    let Some(module) = output.module.filter(|_| output.errors == 0) else {
        return;
    };
    let result = vm.run_module(&module);
    vm.flush_stdout();
    match result {
        Ok(value) => {
            let text = vm.repr(value);
            if text != "none" {
                println!("{text}");
            }
        }
        Err(error) => {
            let text = error.to_string();
            eprint!("{text}");
            if !text.ends_with('\n') {
                eprintln!();
            }
        }
    }
}
