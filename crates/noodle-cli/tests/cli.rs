//! End-to-end behaviour of the binaries that fixtures cannot express:
//! compiling to files, damaged bytecode, usage errors and the REPL.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn noodle() -> Command {
    Command::new(env!("CARGO_BIN_EXE_noodle"))
}

fn noodlec() -> Command {
    Command::new(env!("CARGO_BIN_EXE_noodlec"))
}

/// A fresh scratch folder per test, so tests can run in parallel; removed
/// when the test is done with it (also when it fails).
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("noodle-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

fn run_with_stdin(mut command: Command, stdin: &str) -> Output {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn compile(dir: &Path, source: &str) -> PathBuf {
    let src = dir.join("prog.nd");
    std::fs::write(&src, source).unwrap();
    let out = dir.join("prog.nbc");
    let status = noodlec().arg(&src).arg("-o").arg(&out).status().unwrap();
    assert!(status.success());
    out
}

#[test]
fn compiled_bytecode_runs_like_the_source() {
    let dir = scratch("roundtrip");
    let nbc = compile(&dir, "def sq(x) = x * x\nprint([1, 2, 3].map(sq))\n");
    let out = noodle().arg("run").arg(&nbc).output().unwrap();
    assert_eq!(text(&out.stdout), "[1, 4, 9]\n");
    assert_eq!(out.status.code(), Some(0));
    let listing = noodle().arg("disasm").arg(&nbc).output().unwrap();
    assert!(text(&listing.stdout).contains("sq(x)"));
}

#[test]
fn noodlec_defaults_the_output_next_to_the_source() {
    let dir = scratch("default-out");
    std::fs::write(dir.join("hello.nd"), "print(\"hi\")\n").unwrap();
    assert!(
        noodlec()
            .arg(dir.join("hello.nd"))
            .status()
            .unwrap()
            .success()
    );
    assert!(dir.join("hello.nbc").exists());
}

#[test]
fn damaged_bytecode_gets_a_one_line_error() {
    let dir = scratch("damaged");
    let nbc = compile(&dir, "print(1 + 2)\n");
    let good = std::fs::read(&nbc).unwrap();
    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0xff;
    let mut version = good.clone();
    version[4] = 42;
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("truncated", good[..good.len() / 2].to_vec(), "truncated"),
        ("corrupt", flipped, "checksum"),
        ("version", version, "version 42"),
        (
            "text",
            b"print(1)\n this is not bytecode".to_vec(),
            "not an NBC file",
        ),
        ("empty", Vec::new(), "truncated"),
    ];
    for (name, bytes, expected) in cases {
        let path = dir.join(format!("{name}.nbc"));
        std::fs::write(&path, bytes).unwrap();
        let out = noodle().arg("run").arg(&path).output().unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(err.contains(expected), "{name}: {err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn exit_statuses() {
    let dir = scratch("status");
    std::fs::write(dir.join("ok.nd"), "print(1)\n").unwrap();
    std::fs::write(
        dir.join("boom.nd"),
        "print(\"before\")\nraise ValueError(\"no\")\n",
    )
    .unwrap();
    std::fs::write(dir.join("bad.nd"), "print(nope)\n").unwrap();
    let status = |args: &[&str]| noodle().current_dir(&dir).args(args).output().unwrap();
    assert_eq!(status(&["run", "ok.nd"]).status.code(), Some(0));
    let boom = status(&["run", "boom.nd"]);
    assert_eq!(boom.status.code(), Some(1));
    assert_eq!(text(&boom.stdout), "before\n");
    assert!(text(&boom.stderr).starts_with("error: ValueError: no\n  at <module> (boom.nd:2:"));
    assert_eq!(status(&["run", "bad.nd"]).status.code(), Some(2));
    assert_eq!(status(&["check", "bad.nd"]).status.code(), Some(2));
    assert_eq!(status(&["check", "ok.nd"]).status.code(), Some(0));
    assert_eq!(status(&["run", "missing.nd"]).status.code(), Some(2));
    assert_eq!(status(&["run"]).status.code(), Some(2));
    assert_eq!(status(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(status(&["--help"]).status.code(), Some(0));
    assert_eq!(
        status(&["run", "--max-frames", "lots", "ok.nd"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn max_frames_limits_recursion() {
    let dir = scratch("frames");
    std::fs::write(
        dir.join("deep.nd"),
        "def d(n) = if n == 0 { 0 } else { 1 + d(n - 1) }\nprint(d(500))\n",
    )
    .unwrap();
    let run = |frames: &str| {
        noodle()
            .current_dir(&dir)
            .args(["run", "--max-frames", frames, "deep.nd"])
            .output()
            .unwrap()
    };
    assert_eq!(text(&run("1000").stdout), "500\n");
    let limited = run("100");
    assert_eq!(limited.status.code(), Some(1));
    assert!(text(&limited.stderr).contains("RecursionError"));
}

#[test]
fn repl_keeps_definitions_and_survives_errors() {
    let input = "let x = 40\nx + 2\ndef twice(n) {\n    return n * 2\n}\ntwice(x)\nprint(nope)\n1 / 0\n\"q\"\nx = x + 1\nx\n";
    let home = scratch("repl-home");
    let out = run_with_stdin(
        {
            let mut c = noodle();
            c.arg("repl").env("HOME", &*home);
            c
        },
        input,
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "42\n80\n\"q\"\n41\n");
    let err = text(&out.stderr);
    assert!(err.contains("undeclared name `nope`"), "{err}");
    assert!(err.contains("ZeroDivisionError: division by zero"), "{err}");
}

#[test]
fn repl_continues_open_input() {
    let home = scratch("repl-cont");
    let out = run_with_stdin(
        {
            let mut c = noodle();
            c.arg("repl").env("HOME", &*home);
            c
        },
        "let total = 1 +\n    2\n[total,\n  3]\n",
    );
    assert_eq!(text(&out.stdout), "[3, 3]\n");
}

#[test]
fn program_arguments_reach_args() {
    let dir = scratch("args");
    std::fs::write(dir.join("echo.nd"), "print(args(), len(args()))\n").unwrap();
    let out = noodle()
        .current_dir(&dir)
        .args(["run", "echo.nd", "one", "--two", "3"])
        .output()
        .unwrap();
    assert_eq!(text(&out.stdout), "[\"one\", \"--two\", \"3\"] 3\n");
}

#[test]
fn stats_report_what_the_run_did() {
    let dir = scratch("stats");
    let program = dir.join("stats.nd");
    std::fs::write(
        &program,
        "actor Echo {\n    def ping(n) = n\n}\n\
         async def work(n) = n * 2\n\
         async def main() {\n    let e = spawn Echo()\n    for i in 0..10 { await e.ping(i) }\n    \
         print(await spawn work(21))\n}\n",
    )
    .unwrap();
    let out = noodle()
        .args(["run", "--stats", "--workers", "2"])
        .arg(&program)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "42\n");
    let report = text(&out.stderr);
    for needle in [
        "workers:           2",
        "processes spawned: 2",
        "messages sent:     10",
        "gc runs:",
        "scheduler steals:",
        "peak memory:",
    ] {
        assert!(
            report.contains(needle),
            "`{needle}` missing from:\n{report}"
        );
    }
    // Without the flag there is no report.
    let quiet = noodle().arg("run").arg(&program).output().unwrap();
    assert_eq!(text(&quiet.stderr), "");
}

#[test]
fn checkpoints_go_to_the_chosen_file() {
    let dir = scratch("checkpoint-db");
    let program = dir.join("ckpt.nd");
    std::fs::write(
        &program,
        "@checkpoint(every: 1)\nactor A {\n    let n = 0\n    def bump() { n += 1; return n }\n    \
         def crash() { raise ValueError(\"x\") }\n}\n\
         supervisor S {\n    a = A()\n}\n\
         async def main() {\n    let s = spawn S()\n    await s.a.bump()\n    \
         try { await s.a.crash() } catch e { }\n    print(await s.a.bump())\n}\n",
    )
    .unwrap();
    let db = dir.join("data").join("ckpt.sqlite3");
    let out = noodle()
        .args(["run", "--checkpoint-db"])
        .arg(&db)
        .arg(&program)
        .output()
        .unwrap();
    assert_eq!(text(&out.stderr), "");
    assert_eq!(text(&out.stdout), "2\n");
    assert!(db.exists(), "the store file is created");
    // A store that cannot be opened fails the handler that saves, clearly.
    let out = noodle()
        .args(["run", "--checkpoint-db", "/proc/none/x.sqlite3"])
        .arg(&program)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("cannot open the checkpoint store /proc/none/x.sqlite3"),
        "{}",
        text(&out.stderr)
    );
}

/// `input()` in a task (and `spawn input()`) waits on a blocking thread,
/// not on the worker: on one worker, other processes run while it waits. Standard input stays
/// open and empty; the program ends without the line (its reader is
/// stopped at exit). Had the read held the only worker, the ticks could
/// never run and the program would never end.
#[test]
fn waiting_for_input_holds_up_no_worker() {
    let dir = scratch("blocking-input");
    let program = dir.join("prog.nd");
    std::fs::write(
        &program,
        "async def reader() = input()\n\
         actor Ticker {\n    async def run(n, out) {\n        \
         for i in 0..n {\n            await sleep(1ms)\n            out.send(i)\n        }\n    }\n}\n\
         async def main() {\n    let line = spawn reader()\n    let direct = spawn input()\n    \
         await sleep(20ms)\n    \
         let ticks = channel(10)\n    let t = spawn Ticker()\n    t.run(3, ticks)\n    \
         let got = []\n    for i in 0..3 { got.push(await ticks.recv()) }\n    print(got)\n}\n",
    )
    .unwrap();
    let mut child = noodle()
        .args(["run", "--workers", "1"])
        .arg(&program)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Kept open, with nothing written, until the program has ended.
    let stdin = child.stdin.take();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the program never ended: input() held up the only worker");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(text(&out.stderr), "");
    assert_eq!(text(&out.stdout), "[0, 1, 2]\n");
    assert_eq!(out.status.code(), Some(0));
}
