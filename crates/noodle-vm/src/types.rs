//! User types and interned names: the struct and enum registry that the
//! loader fills from each module's definitions, the symbol table that makes
//! field and method lookups integer compares, and annotation checks.

use std::collections::HashMap;
use std::sync::Arc;

use crate::value::{ObjRef, Value};

/// An interned name (field, method, type or keyword name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(pub u32);

/// Interns strings to [`Sym`]s; names live as long as the heap.
#[derive(Debug, Default, Clone)]
pub struct Symbols {
    names: Vec<Arc<str>>,
    index: HashMap<Arc<str>, Sym>,
}

impl Symbols {
    pub fn intern(&mut self, name: &str) -> Sym {
        if let Some(&sym) = self.index.get(name) {
            return sym;
        }
        let sym = Sym(self.names.len() as u32);
        let name: Arc<str> = Arc::from(name);
        self.names.push(name.clone());
        self.index.insert(name, sym);
        sym
    }

    /// The symbol of `name` if it was ever interned.
    pub fn lookup(&self, name: &str) -> Option<Sym> {
        self.index.get(name).copied()
    }

    pub fn name(&self, sym: Sym) -> &str {
        &self.names[sym.0 as usize]
    }

    pub fn name_arc(&self, sym: Sym) -> &Arc<str> {
        &self.names[sym.0 as usize]
    }
}

/// A parsed type annotation (`CheckType`, `IsType`, struct field types).
/// The common scalar types get their own variants so checking them is a
/// tag test, not a string comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeCheck {
    Any,
    Int,
    /// Also accepts an int where a conversion is allowed (`CheckType`,
    /// struct fields), converting it.
    Float,
    Bool,
    Str,
    /// Any other builtin type name as `type_of` returns it.
    Builtin(&'static str),
    /// A struct or enum name.
    Named(Sym),
}

/// The `type_of` names of builtin types.
pub const BUILTIN_TYPE_NAMES: &[&str] = &[
    "none", "bool", "int", "float", "str", "list", "map", "range", "duration", "function", "task",
    "actor", "channel", "error", "type",
];

impl TypeCheck {
    /// The annotation as written.
    pub fn name<'a>(&'a self, symbols: &'a Symbols) -> &'a str {
        match self {
            TypeCheck::Any => "any",
            TypeCheck::Int => "int",
            TypeCheck::Float => "float",
            TypeCheck::Bool => "bool",
            TypeCheck::Str => "str",
            TypeCheck::Builtin(name) => name,
            TypeCheck::Named(sym) => symbols.name(*sym),
        }
    }

    pub fn parse(name: &str, symbols: &mut Symbols) -> TypeCheck {
        match name {
            "any" => return TypeCheck::Any,
            "int" => return TypeCheck::Int,
            "float" => return TypeCheck::Float,
            "bool" => return TypeCheck::Bool,
            "str" => return TypeCheck::Str,
            _ => {}
        }
        match BUILTIN_TYPE_NAMES.iter().find(|&&n| n == name) {
            Some(&n) => TypeCheck::Builtin(n),
            None => TypeCheck::Named(symbols.intern(name)),
        }
    }
}

#[derive(Debug, Clone)]
pub struct FieldDesc {
    pub name: Sym,
    pub check: Option<TypeCheck>,
}

/// A struct definition, registered once per loaded `StructDef`.
#[derive(Debug, Clone)]
pub struct StructDesc {
    pub name: Sym,
    pub fields: Vec<FieldDesc>,
    /// The field names again, packed, for the lookup scan of `GetField`.
    pub field_syms: Vec<Sym>,
    /// No field has a type annotation: positional construction needs no
    /// checks (the interpreter's fast path).
    pub untyped: bool,
    /// Added by `AddMethod`, looked up before native methods.
    pub methods: Vec<(Sym, Value)>,
    /// The type value `DefStruct` produces (always the same object).
    pub type_obj: ObjRef,
}

impl StructDesc {
    #[inline]
    pub fn field_index(&self, name: Sym) -> Option<usize> {
        self.field_syms.iter().position(|&f| f == name)
    }
}

#[derive(Debug, Clone)]
pub struct VariantDesc {
    pub name: Sym,
    pub fields: Vec<Sym>,
    pub is_unit: bool,
    /// What `Shape.Name` evaluates to: the constructor object, or for a
    /// unit variant the (shared) value itself.
    pub value: ObjRef,
}

#[derive(Debug, Clone)]
pub struct EnumDesc {
    pub name: Sym,
    pub variants: Vec<VariantDesc>,
    pub methods: Vec<(Sym, Value)>,
    pub type_obj: ObjRef,
}

impl EnumDesc {
    pub fn variant_index(&self, name: Sym) -> Option<usize> {
        self.variants.iter().position(|v| v.name == name)
    }
}

/// Every user type and interned name known to one heap.
#[derive(Debug, Default, Clone)]
pub struct Types {
    pub symbols: Symbols,
    pub structs: Vec<StructDesc>,
    pub enums: Vec<EnumDesc>,
    /// Program function names by program function index (`<def name>`).
    pub function_names: Vec<Arc<str>>,
}

pub(crate) fn find_method(methods: &[(Sym, Value)], name: Sym) -> Option<Value> {
    methods.iter().find(|(n, _)| *n == name).map(|&(_, v)| v)
}
