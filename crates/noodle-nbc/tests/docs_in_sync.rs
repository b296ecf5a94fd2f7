//! `docs/nbc.md` embeds the instruction reference generated from the ISA
//! table; this test fails when they drift. Regenerate with
//! `NOODLE_UPDATE_DOCS=1 cargo test -p noodle-nbc --test docs_in_sync`.

const BEGIN: &str = "<!-- BEGIN GENERATED INSTRUCTIONS -->\n";
const END: &str = "<!-- END GENERATED INSTRUCTIONS -->";

#[test]
fn instruction_reference_in_docs_matches_the_isa() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/nbc.md");
    let doc = std::fs::read_to_string(path).expect("docs/nbc.md exists");
    let start = doc.find(BEGIN).expect("begin marker") + BEGIN.len();
    let end = doc.find(END).expect("end marker");
    let generated = noodle_nbc::disasm::instruction_reference();
    if std::env::var_os("NOODLE_UPDATE_DOCS").is_some() {
        let updated = format!("{}{generated}{}", &doc[..start], &doc[end..]);
        std::fs::write(path, updated).expect("docs/nbc.md is writable");
        return;
    }
    assert_eq!(
        &doc[start..end],
        generated,
        "docs/nbc.md is out of date; rerun with NOODLE_UPDATE_DOCS=1"
    );
}
