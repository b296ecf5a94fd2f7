//! The per-instruction cache of field accesses: for a `GetField` or
//! `SetField` site, the struct type last seen there, the field's index in
//! it, and what a store into that field must do. Keeping the store rule in
//! the entry spares the store path a walk through the type registry.

use super::access::set_field;
use crate::heap::Heap;
use crate::load::Program;
use crate::native::NResult;
use crate::object::Object;
use crate::types::{Sym, TypeCheck};
use crate::value::Value;

/// What a store into a cached field must do with the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Store {
    /// Any value is stored as it is.
    Any,
    /// A `float` field: floats are stored, ints are converted.
    Float,
    /// Any other declared type: stores take the checked path.
    Checked,
}

/// One site's entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FieldSite {
    /// The struct type seen last, or `u32::MAX` before the first access.
    pub ty: u32,
    pub index: u32,
    pub store: Store,
}

impl FieldSite {
    pub const EMPTY: FieldSite = FieldSite {
        ty: u32::MAX,
        index: 0,
        store: Store::Checked,
    };

    /// The entry for field `index` of struct type `ty`.
    pub fn of(heap: &Heap, ty: u32, index: usize) -> FieldSite {
        let store = match heap.types().structs[ty as usize].fields[index].check {
            None => Store::Any,
            Some(TypeCheck::Float) => Store::Float,
            Some(_) => Store::Checked,
        };
        FieldSite {
            ty,
            index: index as u32,
            store,
        }
    }

    /// The value a store through this entry writes, or `None` when the
    /// store must take the checked path.
    #[inline(always)]
    pub fn stored(self, v: Value) -> Option<Value> {
        match (self.store, v) {
            (Store::Any, v) | (Store::Float, v @ Value::Float(_)) => Some(v),
            (Store::Float, Value::Int(n)) => Some(Value::Float(n as f64)),
            _ => None,
        }
    }
}

/// The cache entry of `site`, allocating the cache on first use.
#[cold]
pub(super) fn slot<'c>(
    cache: &'c mut Vec<FieldSite>,
    program: &Program,
    site: usize,
) -> &'c mut FieldSite {
    if cache.len() <= site {
        cache.resize(program.cache_len.max(site + 1), FieldSite::EMPTY);
    }
    &mut cache[site]
}

/// `obj.field` through the site cache, or `None` when the entry does not
/// match (or the value is not an instance).
#[inline(always)]
pub(super) fn get_cached(
    heap: &Heap,
    cache: &[FieldSite],
    obj: Value,
    site: usize,
) -> Option<Value> {
    let Value::Obj(r) = obj else { return None };
    let entry = cache.get(site)?;
    match heap.get(r) {
        Object::Instance(inst) if inst.type_id == entry.ty => {
            inst.fields.get(entry.index as usize).copied()
        }
        _ => None,
    }
}

/// `obj.field = v` through the site cache: true when done.
#[inline(always)]
pub(super) fn set_cached(
    heap: &mut Heap,
    cache: &[FieldSite],
    obj: Value,
    site: usize,
    v: Value,
) -> bool {
    let Value::Obj(r) = obj else { return false };
    let Some(&entry) = cache.get(site) else {
        return false;
    };
    let Object::Instance(inst) = heap.get_mut(r) else {
        return false;
    };
    if inst.type_id != entry.ty {
        return false;
    }
    let (Some(v), Some(slot)) = (entry.stored(v), inst.fields.get_mut(entry.index as usize)) else {
        return false;
    };
    *slot = v;
    true
}

/// `obj.name` on a cache miss, for an instance: reads the field and fills
/// the entry. `None` when `obj` is not an instance or has no such field.
#[inline(never)]
pub(super) fn get_and_fill(
    heap: &Heap,
    cache: &mut Vec<FieldSite>,
    program: &Program,
    site: usize,
    obj: Value,
    name: Sym,
) -> Option<Value> {
    let inst = heap.instance(obj)?;
    let index = heap.types().structs[inst.type_id as usize].field_index(name)?;
    let v = inst.fields[index];
    *slot(cache, program, site) = FieldSite::of(heap, inst.type_id, index);
    Some(v)
}

/// The checked path of `SetField`; also fills the site cache.
#[inline(never)]
pub(super) fn set_and_fill(
    heap: &mut Heap,
    cache: &mut Vec<FieldSite>,
    program: &Program,
    site: usize,
    obj: Value,
    name: Sym,
    v: Value,
) -> NResult<()> {
    set_field(heap, obj, name, v)?;
    if let Some(inst) = heap.instance(obj)
        && let Some(index) = heap.types().structs[inst.type_id as usize].field_index(name)
    {
        *slot(cache, program, site) = FieldSite::of(heap, inst.type_id, index);
    }
    Ok(())
}
