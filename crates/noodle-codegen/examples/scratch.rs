// Temporary: compile files given on the command line, verify, optionally disassemble.
use std::path::Path;
use std::time::Instant;

fn main() {
    for arg in std::env::args().skip(1) {
        if std::env::var("PHASES").is_ok() {
            let src = std::fs::read_to_string(&arg).unwrap();
            let t = Instant::now();
            let (m, d) = noodle_syntax::parse(&src);
            println!("parse: {:?} ({} stmts, {} diags)", t.elapsed(), m.stmts.len(), d.len());
            let t = Instant::now();
            drop(m);
            println!("drop ast: {:?}", t.elapsed());
            let dir = Path::new(&arg).parent().unwrap().to_path_buf();
            let t = Instant::now();
            let mut a = noodle_sema::Analyzer::new(Box::new(noodle_sema::FsLoader), &dir);
            let r = a.analyze_program(&arg, src.clone(), &dir);
            println!("parse+sema: {:?}", t.elapsed());
            let t = Instant::now();
            let m = noodle_codegen::generate(&r.program).unwrap();
            println!("codegen: {:?} ({} fns)", t.elapsed(), m.functions.len());
            let t = Instant::now();
            drop(r);
            println!("drop ir: {:?}", t.elapsed());
        }
        let t = Instant::now();
        let out = noodle_codegen::compile_file(Path::new(&arg));
        println!("== {arg}: {} errors, {} warnings in {:?}", out.errors, out.warnings, t.elapsed());
        for d in &out.diagnostics { print!("{d}"); }
        if let Some(m) = &out.module {
            if let Err(e) = noodle_nbc::verify::verify(m) { println!("VERIFY FAILED: {e}"); }
            if std::env::var("DIS").is_ok() { println!("{}", noodle_nbc::disasm::disassemble(m)); }
        }
    }
}
