// Temporary: analyse files given on the command line and print diagnostics.
use noodle_sema::{Analyzer, FsLoader};
use std::path::Path;

fn main() {
    for arg in std::env::args().skip(1) {
        let path = Path::new(&arg);
        let src = std::fs::read_to_string(path).unwrap();
        let dir = path.parent().unwrap();
        let mut a = Analyzer::new(Box::new(FsLoader), dir);
        let r = a.analyze_program(&arg, src, dir);
        println!("== {arg}: {} errors, {} warnings, {} functions", r.errors, r.warnings, r.program.functions.len());
        for d in r.rendered() { print!("{d}"); }
        if std::env::var("DUMP").is_ok() { println!("{:#?}", r.program.functions); }
    }
}
