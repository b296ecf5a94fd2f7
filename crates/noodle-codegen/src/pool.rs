//! The module-wide tables instructions index: constants, names and
//! keyword-name lists, each deduplicated, with their operand-width limits.

use noodle_nbc::Const;
use noodle_sema::fxhash::FxHashMap as HashMap;

#[derive(Default)]
pub struct Pool {
    pub consts: Vec<Const>,
    pub names: Vec<String>,
    pub kw_names: Vec<Vec<String>>,
    ints: HashMap<i64, u32>,
    floats: HashMap<u64, u32>,
    strs: HashMap<String, u32>,
    durations: HashMap<i64, u32>,
    name_index: HashMap<String, u16>,
    kw_index: HashMap<Vec<String>, u16>,
    /// A table outgrew its operand width (reported once as an error).
    pub overflow: Option<&'static str>,
}

impl Pool {
    pub fn int(&mut self, v: i64) -> u32 {
        let next = self.consts.len() as u32;
        *self.ints.entry(v).or_insert_with(|| {
            self.consts.push(Const::Int(v));
            next
        })
    }

    pub fn float(&mut self, v: f64) -> u32 {
        let next = self.consts.len() as u32;
        *self.floats.entry(v.to_bits()).or_insert_with(|| {
            self.consts.push(Const::Float(v));
            next
        })
    }

    pub fn duration(&mut self, ns: i64) -> u32 {
        let next = self.consts.len() as u32;
        *self.durations.entry(ns).or_insert_with(|| {
            self.consts.push(Const::Duration(ns));
            next
        })
    }

    pub fn str(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.strs.get(s) {
            return i;
        }
        let i = self.consts.len() as u32;
        self.consts.push(Const::Str(s.to_string()));
        self.strs.insert(s.to_string(), i);
        i
    }

    /// A `Name` operand (field, method, type and error-kind names, format specs).
    pub fn name(&mut self, s: &str) -> u16 {
        if let Some(&i) = self.name_index.get(s) {
            return i;
        }
        let Ok(i) = u16::try_from(self.names.len()) else {
            self.overflow = Some("more than 65536 distinct field, method and type names");
            return 0;
        };
        self.names.push(s.to_string());
        self.name_index.insert(s.to_string(), i);
        i
    }

    /// A `KwNames` operand.
    pub fn kw_names(&mut self, names: Vec<String>) -> u16 {
        if let Some(&i) = self.kw_index.get(&names) {
            return i;
        }
        let Ok(i) = u16::try_from(self.kw_names.len()) else {
            self.overflow = Some("more than 65536 distinct keyword-argument lists");
            return 0;
        };
        self.kw_names.push(names.clone());
        self.kw_index.insert(names, i);
        i
    }
}
