//! Copying values between process heaps.
//!
//! Every task and actor is a process with its own [`Heap`]; a value that
//! crosses from one to another (arguments, results, messages, replies) is
//! deep-copied: [`Message::export`] copies the graph reachable from some
//! roots out of the sending heap into a detached node table, and
//! [`Message::import`] materialises it in the receiving heap.
//!
//! - Aliasing and cycles are preserved (each source object becomes one
//!   node; references between nodes are node indices).
//! - Neither direction recurses on the Rust stack (explicit work lists),
//!   so long chains and cycles are fine.
//! - References into the program's shared segment (constants, type
//!   objects, cell-less methods; see [`crate::heap`]) are not copied at
//!   all when the receiving heap has the same segment; otherwise (heaps of
//!   different programs, or a segment copied on write) the objects are
//!   copied like any other.
//! - Strings share their `Arc<str>`; handles share their runtime object.
//! - Type objects (`StructType`/`EnumType`), unit enum values and variant
//!   constructors are mapped to the receiving heap's canonical objects
//!   (`heap.types()`), which a heap of the same program (see
//!   [`Heap::fork`]) has for the same ids, so identity checks keep
//!   working. A heap without that type allocates a fresh object.
//! - Everything else refers to program-wide indices (function indices,
//!   struct/enum ids, symbols), which are the same in every process of one
//!   program.

use std::collections::HashMap;
use std::sync::Arc;

use crate::heap::{Heap, Shared};
use crate::object::{
    BoundMethod, BoundTarget, Closure, Coroutine, EnumValue, ErrorObj, Fields, FxBuild, Handle,
    Instance, IterState, Map, MapKey, Object, Range, Str,
};
use crate::types::Sym;
use crate::value::{ObjRef, Value};

mod codec;

/// A value graph copied out of one heap, detached from any heap: `Send +
/// Sync` and cheap to clone.
#[derive(Clone)]
pub struct Message {
    graph: Arc<Graph>,
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Message {{ nodes: {}, roots: {} }}",
            self.graph.nodes.len(),
            self.graph.roots.len()
        )
    }
}

/// Inside a graph, a [`Value::Obj`] (and every `ObjRef` a node holds) is
/// a node index, not a heap slot, except for shared references, which
/// keep their tag (see [`ObjRef::is_shared`]).
struct Graph {
    nodes: Vec<Node>,
    roots: Vec<Value>,
    /// The sender's shared segment, when the graph refers into it.
    shared: Option<Arc<Shared>>,
}

/// One copied object. Mirrors [`Object`], with references as node
/// indices.
#[derive(Clone)]
enum Node {
    /// Placeholder while exporting; also what an (unreachable) free slot
    /// becomes.
    Free,
    Str(Str),
    List(Vec<Value>),
    /// Entries in insertion order, with their hashed key form.
    Map(Vec<(MapKey, Value, Value)>),
    Range(Range),
    Closure(Closure),
    Cell(Value),
    StructType(u32),
    Instance(Instance),
    EnumType(u32),
    VariantCtor {
        enum_id: u32,
        variant: u32,
    },
    EnumValue(EnumValue),
    Error(ErrorObj),
    Iter(IterState),
    ActorType {
        proto: u32,
    },
    SupervisorType {
        proto: u32,
    },
    Coroutine {
        closure: ObjRef,
        func: u32,
        args: Box<[Value]>,
    },
    BoundMethod {
        receiver: Value,
        target: BoundTarget,
        name: Sym,
    },
    Handle(Handle),
}

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Message>();
};

impl Message {
    /// Deep copy of `v` (see the module docs).
    pub fn export(heap: &Heap, v: Value) -> Message {
        Message::export_all(heap, &[v])
    }

    /// Several roots in one graph (sharing is preserved across roots).
    pub fn export_all(heap: &Heap, vs: &[Value]) -> Message {
        let mut ex = Exporter {
            heap,
            index: HashMap::default(),
            nodes: Vec::new(),
            work: Vec::new(),
            shared: false,
        };
        let roots = vs.iter().map(|&v| ex.value(v)).collect();
        while let Some((r, node)) = ex.work.pop() {
            let copied = ex.copy(r);
            ex.nodes[node as usize] = copied;
        }
        let shared = ex.shared.then(|| Arc::clone(heap.shared()));
        Message {
            graph: Arc::new(Graph {
                nodes: ex.nodes,
                roots,
                shared,
            }),
        }
    }

    /// Materialises the graph in `heap` and returns the roots in order
    /// (one for [`Message::export`]). Allocation never collects, so this
    /// is GC-safe; the caller roots the results before the next safepoint.
    pub fn import(&self, heap: &mut Heap) -> Vec<Value> {
        if let Some(shared) = &self.graph.shared
            && !heap.shares(shared)
        {
            return self.detached(shared).import(heap);
        }
        let nodes = &self.graph.nodes;
        // Pass 1: a slot for every node. Leaves (no references) are
        // allocated for good, canonical objects are looked up, the rest
        // get a placeholder that pass 2 overwrites.
        let refs: Vec<ObjRef> = nodes.iter().map(|n| slot_for(heap, n)).collect();
        // Pass 2: fill the placeholders, references resolved.
        let map_ref = |r: ObjRef| if r.is_shared() { r } else { refs[r.index()] };
        let map_val = |v: Value| match v {
            Value::Obj(r) => Value::Obj(map_ref(r)),
            other => other,
        };
        for (node, &r) in nodes.iter().zip(&refs) {
            let object = match node {
                Node::List(items) => Object::List(items.iter().map(|&v| map_val(v)).collect()),
                Node::Map(entries) => {
                    let mut map = Map::with_capacity(entries.len());
                    for (key, k, v) in entries {
                        map.insert(key.clone(), map_val(*k), map_val(*v));
                    }
                    Object::Map(Box::new(map))
                }
                Node::Closure(c) => Object::Closure(Closure {
                    func: c.func,
                    cells: c.cells.iter().map(|&r| map_ref(r)).collect(),
                }),
                Node::Cell(v) => Object::Cell(map_val(*v)),
                Node::Instance(inst) => {
                    let mut fields = inst.fields.clone();
                    fields.iter_mut().for_each(|v| *v = map_val(*v));
                    Object::Instance(Instance {
                        type_id: inst.type_id,
                        fields,
                    })
                }
                Node::EnumValue(e) if !is_canonical_unit(heap, e) => Object::EnumValue(EnumValue {
                    enum_id: e.enum_id,
                    variant: e.variant,
                    fields: e.fields.iter().map(|&v| map_val(v)).collect(),
                }),
                Node::Error(e) => Object::Error(Box::new(ErrorObj {
                    kind: e.kind.clone(),
                    message: e.message.clone(),
                    trace: e.trace.clone(),
                    errors: e.errors.iter().map(|&v| map_val(v)).collect(),
                })),
                Node::Iter(state) => Object::Iter(match *state {
                    IterState::List { list, pos } => IterState::List {
                        list: map_ref(list),
                        pos,
                    },
                    IterState::Str { string, byte_pos } => IterState::Str {
                        string: map_ref(string),
                        byte_pos,
                    },
                    IterState::MapKeys { map, pos } => IterState::MapKeys {
                        map: map_ref(map),
                        pos,
                    },
                    range @ IterState::Range { .. } => range,
                }),
                Node::Coroutine {
                    closure,
                    func,
                    args,
                } => Object::Coroutine(Box::new(Coroutine {
                    closure: map_ref(*closure),
                    func: *func,
                    args: args.iter().map(|&v| map_val(v)).collect(),
                })),
                Node::BoundMethod {
                    receiver,
                    target,
                    name,
                } => Object::BoundMethod(Box::new(BoundMethod {
                    receiver: map_val(*receiver),
                    target: match *target {
                        BoundTarget::Closure(c) => BoundTarget::Closure(map_ref(c)),
                        native @ BoundTarget::Native(_) => native,
                    },
                    name: *name,
                })),
                // Allocated (or looked up) in pass 1.
                _ => continue,
            };
            heap.fill(r, object);
        }
        self.graph.roots.iter().map(|&v| map_val(v)).collect()
    }

    /// The first root ([`Value::None`] for an empty `export_all`).
    pub fn import_one(&self, heap: &mut Heap) -> Value {
        self.import(heap).first().copied().unwrap_or(Value::None)
    }

    /// How many objects the graph holds (for diagnostics and tests).
    pub fn object_count(&self) -> usize {
        self.graph.nodes.len()
    }

    /// This graph with every shared reference replaced by a node copied
    /// out of `shared`, for a heap that does not have that segment.
    fn detached(&self, shared: &Shared) -> Message {
        let mut nodes = self.graph.nodes.clone();
        let mut roots = self.graph.roots.clone();
        let mut index: HashMap<ObjRef, u32, FxBuild> = HashMap::default();
        let mut copies: Vec<Node> = Vec::new();
        let base = nodes.len() as u32;
        let mut relink = |r: &mut ObjRef| {
            if r.is_shared() {
                let next = base + index.len() as u32;
                let i = *index.entry(*r).or_insert_with(|| {
                    copies.push(shared_node(shared.get(*r)));
                    next
                });
                *r = ObjRef(i);
            }
        };
        for v in &mut roots {
            if let Value::Obj(r) = v {
                relink(r);
            }
        }
        for node in &mut nodes {
            node.for_each_ref_mut(&mut relink);
        }
        // Shared objects refer to nothing, so their copies need no relinking.
        nodes.extend(copies);
        Message {
            graph: Arc::new(Graph {
                nodes,
                roots,
                shared: None,
            }),
        }
    }
}

/// The node of a shared object (immutable, so it refers to nothing).
fn shared_node(object: &Object) -> Node {
    match object {
        Object::Str(s) => Node::Str(s.clone()),
        Object::Range(r) => Node::Range(*r),
        Object::StructType(id, _) => Node::StructType(*id),
        Object::EnumType(id) => Node::EnumType(*id),
        &Object::VariantCtor { enum_id, variant } => Node::VariantCtor { enum_id, variant },
        Object::EnumValue(e) if e.fields.iter().all(|v| v.as_obj().is_none()) => {
            Node::EnumValue(e.clone())
        }
        Object::Closure(c) if c.cells.is_empty() => Node::Closure(c.clone()),
        Object::ActorType { proto } => Node::ActorType { proto: *proto },
        Object::SupervisorType { proto } => Node::SupervisorType { proto: *proto },
        _ => Node::Free,
    }
}

impl Node {
    /// Calls `f` on every reference the node holds.
    fn for_each_ref_mut(&mut self, f: &mut impl FnMut(&mut ObjRef)) {
        fn value(v: &mut Value, f: &mut impl FnMut(&mut ObjRef)) {
            if let Value::Obj(r) = v {
                f(r);
            }
        }
        match self {
            Node::List(items) => items.iter_mut().for_each(|v| value(v, f)),
            Node::Map(entries) => entries.iter_mut().for_each(|(_, k, v)| {
                value(k, f);
                value(v, f);
            }),
            Node::Closure(c) => c.cells.iter_mut().for_each(&mut *f),
            Node::Cell(v) => value(v, f),
            Node::Instance(inst) => inst.fields.iter_mut().for_each(|v| value(v, f)),
            Node::EnumValue(e) => e.fields.iter_mut().for_each(|v| value(v, f)),
            Node::Error(e) => e.errors.iter_mut().for_each(|v| value(v, f)),
            Node::Iter(state) => match state {
                IterState::List { list: r, .. }
                | IterState::Str { string: r, .. }
                | IterState::MapKeys { map: r, .. } => f(r),
                IterState::Range { .. } => {}
            },
            Node::Coroutine { closure, args, .. } => {
                f(closure);
                args.iter_mut().for_each(|v| value(v, f));
            }
            Node::BoundMethod {
                receiver, target, ..
            } => {
                value(receiver, f);
                if let BoundTarget::Closure(c) = target {
                    f(c);
                }
            }
            Node::Free
            | Node::Str(_)
            | Node::Range(_)
            | Node::StructType(_)
            | Node::EnumType(_)
            | Node::VariantCtor { .. }
            | Node::ActorType { .. }
            | Node::SupervisorType { .. }
            | Node::Handle(_) => {}
        }
    }
}

struct Exporter<'h> {
    heap: &'h Heap,
    /// Source object → node index.
    index: HashMap<ObjRef, u32, FxBuild>,
    nodes: Vec<Node>,
    /// Objects whose node is still a placeholder.
    work: Vec<(ObjRef, u32)>,
    /// Some reference into the shared segment was kept as it is.
    shared: bool,
}

impl Exporter<'_> {
    /// The node of `r`, queueing its copy the first time it is seen.
    fn node(&mut self, r: ObjRef) -> ObjRef {
        if r.is_shared() {
            self.shared = true;
            return r;
        }
        if let Some(&i) = self.index.get(&r) {
            return ObjRef(i);
        }
        let i = self.nodes.len() as u32;
        self.nodes.push(Node::Free);
        self.index.insert(r, i);
        self.work.push((r, i));
        ObjRef(i)
    }

    fn value(&mut self, v: Value) -> Value {
        match v {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Free => Value::None,
                _ => Value::Obj(self.node(r)),
            },
            other => other,
        }
    }

    fn values(&mut self, vs: &[Value]) -> Box<[Value]> {
        vs.iter().map(|&v| self.value(v)).collect()
    }

    /// The node for source object `r`, its references queued.
    fn copy(&mut self, r: ObjRef) -> Node {
        let heap = self.heap;
        match heap.get(r) {
            Object::Free => Node::Free,
            Object::Str(s) => Node::Str(s.clone()),
            Object::List(items) => Node::List(items.iter().map(|&v| self.value(v)).collect()),
            Object::Map(m) => Node::Map(
                m.keyed()
                    .zip(m.iter())
                    .map(|((key, v), (k, _))| (key.clone(), self.value(k), self.value(v)))
                    .collect(),
            ),
            Object::Range(range) => Node::Range(*range),
            Object::Closure(c) => Node::Closure(Closure {
                func: c.func,
                cells: c.cells.iter().map(|&cell| self.node(cell)).collect(),
            }),
            Object::Cell(v) => Node::Cell(self.value(*v)),
            Object::StructType(id, _) => Node::StructType(*id),
            Object::Instance(inst) => {
                let mut fields: Fields = inst.fields.clone();
                fields.iter_mut().for_each(|v| *v = self.value(*v));
                Node::Instance(Instance {
                    type_id: inst.type_id,
                    fields,
                })
            }
            Object::EnumType(id) => Node::EnumType(*id),
            Object::VariantCtor { enum_id, variant } => Node::VariantCtor {
                enum_id: *enum_id,
                variant: *variant,
            },
            Object::EnumValue(e) => Node::EnumValue(EnumValue {
                enum_id: e.enum_id,
                variant: e.variant,
                fields: self.values(&e.fields),
            }),
            Object::Error(e) => Node::Error(ErrorObj {
                kind: e.kind.clone(),
                message: e.message.clone(),
                trace: e.trace.clone(),
                errors: e.errors.iter().map(|&v| self.value(v)).collect(),
            }),
            Object::Iter(state) => Node::Iter(match *state {
                IterState::List { list, pos } => IterState::List {
                    list: self.node(list),
                    pos,
                },
                IterState::Str { string, byte_pos } => IterState::Str {
                    string: self.node(string),
                    byte_pos,
                },
                IterState::MapKeys { map, pos } => IterState::MapKeys {
                    map: self.node(map),
                    pos,
                },
                range @ IterState::Range { .. } => range,
            }),
            Object::ActorType { proto } => Node::ActorType { proto: *proto },
            Object::SupervisorType { proto } => Node::SupervisorType { proto: *proto },
            Object::Coroutine(c) => Node::Coroutine {
                closure: self.node(c.closure),
                func: c.func,
                args: self.values(&c.args),
            },
            Object::BoundMethod(b) => Node::BoundMethod {
                receiver: self.value(b.receiver),
                target: match b.target {
                    BoundTarget::Closure(c) => BoundTarget::Closure(self.node(c)),
                    native @ BoundTarget::Native(_) => native,
                },
                name: b.name,
            },
            Object::Handle(h) => Node::Handle(h.clone()),
        }
    }
}

/// Pass 1 of import: the final object for leaves and canonical objects, a
/// placeholder for nodes with references.
fn slot_for(heap: &mut Heap, node: &Node) -> ObjRef {
    let leaf = match node {
        Node::Free => Object::Cell(Value::None),
        Node::Str(s) => {
            if s.as_str().len() <= 1 {
                // The heap's shared empty and one-char ASCII strings.
                if let Value::Obj(r) = heap.alloc_str(s.as_str()) {
                    return r;
                }
            }
            Object::Str(s.clone())
        }
        Node::Range(range) => Object::Range(*range),
        Node::StructType(id) => {
            if let Some(r) = heap
                .types()
                .structs
                .get(*id as usize)
                .map(|s| s.type_obj)
                .filter(|&r| matches!(heap.get(r), Object::StructType(x, _) if x == id))
            {
                return r;
            }
            let arity = heap
                .types()
                .structs
                .get(*id as usize)
                .map_or(crate::object::NOT_PLAIN, |s| {
                    crate::object::plain_arity(s.untyped, s.fields.len())
                });
            Object::StructType(*id, arity)
        }
        Node::EnumType(id) => {
            if let Some(r) = heap
                .types()
                .enums
                .get(*id as usize)
                .map(|e| e.type_obj)
                .filter(|&r| matches!(heap.get(r), Object::EnumType(x) if x == id))
            {
                return r;
            }
            Object::EnumType(*id)
        }
        &Node::VariantCtor { enum_id, variant } => {
            if let Some(r) = canonical_variant(heap, enum_id, variant).filter(|&r| {
                matches!(heap.get(r), &Object::VariantCtor { enum_id: e, variant: v }
                    if e == enum_id && v == variant)
            }) {
                return r;
            }
            Object::VariantCtor { enum_id, variant }
        }
        Node::EnumValue(e) => {
            if let Some(r) = canonical_unit(heap, e) {
                return r;
            }
            Object::Cell(Value::None)
        }
        Node::ActorType { proto } => Object::ActorType { proto: *proto },
        Node::SupervisorType { proto } => Object::SupervisorType { proto: *proto },
        Node::Handle(h) => Object::Handle(h.clone()),
        // Filled in pass 2. A cell owns nothing, so overwriting it is free.
        Node::List(_)
        | Node::Map(_)
        | Node::Closure(_)
        | Node::Cell(_)
        | Node::Instance(_)
        | Node::Error(_)
        | Node::Iter(_)
        | Node::Coroutine { .. }
        | Node::BoundMethod { .. } => Object::Cell(Value::None),
    };
    heap.alloc(leaf)
}

/// What `heap.types()` says `Enum.Variant` evaluates to.
fn canonical_variant(heap: &Heap, enum_id: u32, variant: u32) -> Option<ObjRef> {
    let desc = heap.types().enums.get(enum_id as usize)?;
    Some(desc.variants.get(variant as usize)?.value)
}

/// The receiving heap's shared value of a unit variant, if `e` is one.
fn canonical_unit(heap: &Heap, e: &EnumValue) -> Option<ObjRef> {
    if !e.fields.is_empty() {
        return None;
    }
    let desc = heap.types().enums.get(e.enum_id as usize)?;
    let v = desc.variants.get(e.variant as usize)?;
    if !v.is_unit {
        return None;
    }
    match heap.get(v.value) {
        Object::EnumValue(u) if u.enum_id == e.enum_id && u.variant == e.variant => Some(v.value),
        _ => None,
    }
}

fn is_canonical_unit(heap: &Heap, e: &EnumValue) -> bool {
    canonical_unit(heap, e).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::repr_string;
    use crate::object::HandleKind;
    use crate::types::{EnumDesc, StructDesc, VariantDesc};

    fn str_val(heap: &mut Heap, s: &str) -> Value {
        heap.alloc_str(s)
    }

    fn map_of(heap: &mut Heap, entries: &[(Value, Value)]) -> Value {
        let mut map = Map::new();
        for &(k, v) in entries {
            let key = heap.map_key(k).expect("hashable");
            map.insert(key, k, v);
        }
        heap.alloc_map(map)
    }

    fn round_trip(from: &Heap, v: Value, to: &mut Heap) -> Value {
        Message::export(from, v).import_one(to)
    }

    fn obj(v: Value) -> ObjRef {
        v.as_obj().expect("an object")
    }

    /// Registers a struct `Point(x, y)` and an enum `Shape { Circle(r),
    /// Empty }` with local type objects. Returns nothing: ids are 0 and 0.
    fn register_types(heap: &mut Heap) {
        register_types_with(heap, Heap::alloc);
    }

    /// `register_types` with the type objects made by `alloc` (the loader
    /// uses `Heap::alloc_const`).
    fn register_types_with(heap: &mut Heap, alloc: fn(&mut Heap, Object) -> ObjRef) {
        let id = heap.types().structs.len() as u32;
        // Two fields without types: plain arity 2.
        let type_obj = alloc(heap, Object::StructType(id, 2));
        let symbols = &mut heap.types_mut().symbols;
        let (x, y, name) = (
            symbols.intern("x"),
            symbols.intern("y"),
            symbols.intern("Point"),
        );
        heap.types_mut().structs.push(StructDesc {
            name,
            fields: vec![
                crate::types::FieldDesc {
                    name: x,
                    check: None,
                },
                crate::types::FieldDesc {
                    name: y,
                    check: None,
                },
            ],
            field_syms: vec![x, y],
            untyped: true,
            methods: Vec::new(),
            type_obj,
        });
        let enum_id = heap.types().enums.len() as u32;
        let type_obj = alloc(heap, Object::EnumType(enum_id));
        let ctor = alloc(
            heap,
            Object::VariantCtor {
                enum_id,
                variant: 0,
            },
        );
        let unit = alloc(
            heap,
            Object::EnumValue(EnumValue {
                enum_id,
                variant: 1,
                fields: Box::new([]),
            }),
        );
        let symbols = &mut heap.types_mut().symbols;
        let variants = vec![
            VariantDesc {
                name: symbols.intern("Circle"),
                fields: vec![symbols.intern("r")],
                is_unit: false,
                value: ctor,
            },
            VariantDesc {
                name: symbols.intern("Empty"),
                fields: vec![],
                is_unit: true,
                value: unit,
            },
        ];
        let name = symbols.intern("Shape");
        heap.types_mut().enums.push(EnumDesc {
            name,
            variants,
            methods: Vec::new(),
            type_obj,
        });
    }

    /// A value of every container kind, nested.
    fn sample(heap: &mut Heap) -> Value {
        let hello = str_val(heap, "hello, wörld");
        let inner = vec![Value::Int(1), Value::Int(2)];
        let inner = heap.alloc_list(inner);
        let key_a = str_val(heap, "a");
        let three = str_val(heap, "three");
        let map = map_of(
            heap,
            &[
                (key_a, inner),
                (Value::Int(3), three),
                (Value::None, Value::Bool(false)),
                (Value::Float(2.0), Value::Duration(1_500_000_000)),
            ],
        );
        let range = heap.alloc_range(0, 10, 3);
        let cause = heap.new_error("ValueError", "inner");
        let agg = heap.new_error("AggregateError", "outer");
        if let Some(e) = heap.error_obj_mut(agg) {
            e.trace = vec!["at f (t.nd:1:5)".into()];
            e.errors.push(cause);
        }
        heap.alloc_list(vec![
            Value::None,
            Value::Bool(true),
            Value::Int(-7),
            Value::Float(2.5),
            Value::Duration(3),
            Value::Builtin(4),
            hello,
            map,
            range,
            agg,
        ])
    }

    #[test]
    fn transfer_round_trip_prints_the_same() {
        let mut a = Heap::new();
        let mut b = Heap::new();
        let v = sample(&mut a);
        let copy = round_trip(&a, v, &mut b);
        assert_eq!(repr_string(&a, v), repr_string(&b, copy));
        assert!(repr_string(&b, copy).contains("hello, wörld"));
        // The error keeps kind, message, trace and nested errors.
        let items = b.list(copy).unwrap().clone();
        let agg = b.error_obj(items[9]).unwrap();
        assert_eq!(&*agg.kind, "AggregateError");
        assert_eq!(agg.message, "outer");
        assert_eq!(agg.trace, vec!["at f (t.nd:1:5)".to_string()]);
        assert_eq!(agg.errors.len(), 1);
        assert_eq!(&*b.error_obj(agg.errors[0]).unwrap().kind, "ValueError");
        // Map order and key forms survive (2.0 is the int key 2).
        let map = b.map(items[7]).unwrap();
        let keys: Vec<String> = map.iter().map(|(k, _)| repr_string(&b, k)).collect();
        assert_eq!(keys, ["\"a\"", "3", "none", "2.0"]);
        assert_eq!(
            map.get(&MapKey::Int(2))
                .map(|v| v.identical(Value::Duration(1_500_000_000))),
            Some(true)
        );
        assert!(map.get(&MapKey::Str(Arc::from("a"))).is_some());
        let r = b.range(items[8]).unwrap();
        assert_eq!((r.start, r.end, r.step), (0, 10, 3));
        // Scalars are unchanged.
        assert!(items[5].identical(Value::Builtin(4)));
        assert!(items[3].identical(Value::Float(2.5)));
    }

    #[test]
    fn transfer_preserves_aliasing() {
        let mut a = Heap::new();
        let mut b = Heap::new();
        let m = map_of(&mut a, &[]);
        let list = a.alloc_list(vec![m, m, Value::Int(1)]);
        let msg = Message::export(&a, list);
        assert_eq!(msg.object_count(), 2);
        let copy = msg.import_one(&mut b);
        let items = b.list(copy).unwrap().clone();
        assert!(items[0].identical(items[1]));
        let k = b.alloc_str("k");
        b.map_mut(items[0])
            .unwrap()
            .insert(MapKey::Str(Arc::from("k")), k, Value::Int(9));
        assert_eq!(repr_string(&b, items[1]), "{\"k\": 9}");
        // Isolation: the original is untouched.
        assert_eq!(repr_string(&a, list), "[{}, {}, 1]");
    }

    #[test]
    fn transfer_sharing_across_roots() {
        let mut a = Heap::new();
        let mut b = Heap::new();
        let shared = a.alloc_list(vec![Value::Int(1)]);
        let outer = a.alloc_list(vec![shared]);
        let roots = Message::export_all(&a, &[outer, shared, Value::Int(5)]).import(&mut b);
        assert_eq!(roots.len(), 3);
        assert!(b.list(roots[0]).unwrap()[0].identical(roots[1]));
        assert!(roots[2].identical(Value::Int(5)));
        assert!(
            Message::export_all(&a, &[])
                .import_one(&mut b)
                .identical(Value::None)
        );
    }

    #[test]
    fn transfer_keeps_cycles() {
        let mut a = Heap::new();
        let mut b = Heap::new();
        let list = a.alloc_list(vec![Value::Int(1)]);
        a.list_mut(list).unwrap().push(list);
        let m = map_of(&mut a, &[]);
        let self_key = a.alloc_str("self");
        a.map_mut(m)
            .unwrap()
            .insert(MapKey::Str(Arc::from("self")), self_key, m);
        a.list_mut(list).unwrap().push(m);
        let copy = round_trip(&a, list, &mut b);
        let items = b.list(copy).unwrap().clone();
        assert_eq!(items.len(), 3);
        assert!(items[1].identical(copy));
        let inner = b.map(items[2]).unwrap();
        assert!(
            inner
                .get(&MapKey::Str(Arc::from("self")))
                .unwrap()
                .identical(items[2])
        );
        assert_eq!(repr_string(&a, list), repr_string(&b, copy));
    }

    #[test]
    fn transfer_long_chain_does_not_overflow() {
        const DEPTH: usize = 1_000_000;
        let mut a = Heap::new();
        let mut b = Heap::new();
        let mut v = Value::Int(42);
        for _ in 0..DEPTH {
            v = a.alloc_list(vec![v]);
        }
        let copy = round_trip(&a, v, &mut b);
        let mut depth = 0;
        let mut cur = copy;
        while let Some(items) = b.list(cur) {
            assert_eq!(items.len(), 1);
            cur = items[0];
            depth += 1;
        }
        assert_eq!(depth, DEPTH);
        assert!(cur.identical(Value::Int(42)));
        // The copy is independent: cutting it leaves the original whole.
        b.list_mut(copy).unwrap().clear();
        assert_eq!(a.list(v).unwrap().len(), 1);
    }

    #[test]
    fn transfer_strings_share_their_text() {
        let mut a = Heap::new();
        let mut b = Heap::new();
        let s = a.alloc_str("a longer string");
        let copy = round_trip(&a, s, &mut b);
        assert!(Arc::ptr_eq(
            a.str(s).unwrap().arc(),
            b.str(copy).unwrap().arc()
        ));
        assert_eq!(b.str(copy).unwrap().char_len(), 15);
        // One-char ASCII and empty strings map to the receiver's shared ones.
        let x = a.alloc_str("x");
        let empty = a.alloc_str("");
        let roots = Message::export_all(&a, &[x, empty]).import(&mut b);
        assert!(roots[0].identical(b.alloc_str("x")));
        assert!(roots[1].identical(b.alloc_str("")));
    }

    #[test]
    fn transfer_handles_stay_the_same() {
        let mut a = Heap::new();
        let mut b = Heap::new();
        let h = Handle {
            kind: HandleKind::Channel,
            label: Arc::from("channel"),
            inner: Arc::new(5u32),
        };
        let hv = Value::Obj(a.alloc(Object::Handle(h.clone())));
        let list = a.alloc_list(vec![hv, hv]);
        let copy = round_trip(&a, list, &mut b);
        let items = b.list(copy).unwrap().clone();
        assert!(items[0].identical(items[1]));
        let Some(Object::Handle(copied)) = b.object(items[0]) else {
            panic!("not a handle");
        };
        assert!(copied.same(&h));
        assert_eq!(copied.kind, HandleKind::Channel);
        assert_eq!(repr_string(&a, list), repr_string(&b, copy));
    }

    #[test]
    fn transfer_instances_enums_and_types() {
        let mut a = Heap::new();
        let mut b = Heap::new();
        // Shift b's slots so equal indices would be a coincidence.
        b.alloc_list(vec![]);
        register_types(&mut a);
        register_types(&mut b);
        let s = a.alloc_str("label");
        let p1 = Value::Obj(a.alloc_instance(0, &[Value::Int(1)]));
        let p2 = Value::Obj(a.alloc_instance(0, &[Value::Int(1), s]));
        let p3 = Value::Obj(a.alloc_instance(0, &[p1, p2, Value::Float(0.5)]));
        let circle = Value::Obj(a.alloc(Object::EnumValue(EnumValue {
            enum_id: 0,
            variant: 0,
            fields: Box::new([p1]),
        })));
        let a_types = (
            Value::Obj(a.types().structs[0].type_obj),
            Value::Obj(a.types().enums[0].type_obj),
            Value::Obj(a.types().enums[0].variants[0].value),
            Value::Obj(a.types().enums[0].variants[1].value),
        );
        let list = a.alloc_list(vec![
            p1, p2, p3, circle, a_types.0, a_types.1, a_types.2, a_types.3,
        ]);
        let copy = round_trip(&a, list, &mut b);
        assert_eq!(repr_string(&a, list), repr_string(&b, copy));
        let items = b.list(copy).unwrap().clone();
        // Inline field representations are kept.
        assert!(matches!(
            b.instance(items[0]).unwrap().fields,
            Fields::One(_)
        ));
        assert!(matches!(
            b.instance(items[1]).unwrap().fields,
            Fields::Two(_)
        ));
        let p3c = b.instance(items[2]).unwrap();
        assert!(matches!(p3c.fields, Fields::Many(_)));
        assert!(p3c.fields[0].identical(items[0]) && p3c.fields[1].identical(items[1]));
        let Some(Object::EnumValue(c)) = b.object(items[3]) else {
            panic!("not an enum value")
        };
        assert!(c.fields[0].identical(items[0]));
        // Type objects, constructors and unit values are b's own.
        let t = b.types();
        assert!(items[4].identical(Value::Obj(t.structs[0].type_obj)));
        assert!(items[5].identical(Value::Obj(t.enums[0].type_obj)));
        assert!(items[6].identical(Value::Obj(t.enums[0].variants[0].value)));
        assert!(items[7].identical(Value::Obj(t.enums[0].variants[1].value)));
        assert_ne!(obj(items[4]), obj(a_types.0));
    }

    #[test]
    fn transfer_without_the_types_allocates_fresh_type_objects() {
        let mut a = Heap::new();
        let mut b = Heap::new();
        register_types(&mut a);
        let unit = Value::Obj(a.types().enums[0].variants[1].value);
        let ty = Value::Obj(a.types().structs[0].type_obj);
        let roots = Message::export_all(&a, &[unit, ty]).import(&mut b);
        assert!(matches!(
            b.object(roots[0]),
            Some(Object::EnumValue(EnumValue {
                enum_id: 0,
                variant: 1,
                ..
            }))
        ));
        assert!(matches!(b.object(roots[1]), Some(Object::StructType(0, _))));
    }

    #[test]
    fn transfer_closures_cells_and_callables() {
        let mut a = Heap::new();
        let mut b = Heap::new();
        let counter = a.alloc_list(vec![Value::Int(0)]);
        let cell = a.alloc(Object::Cell(counter));
        let f = Value::Obj(a.alloc(Object::Closure(Closure {
            func: 3,
            cells: Box::new([cell]),
        })));
        let g = Value::Obj(a.alloc(Object::Closure(Closure {
            func: 4,
            cells: Box::new([cell]),
        })));
        let co = Value::Obj(a.alloc(Object::Coroutine(Box::new(Coroutine {
            closure: obj(f),
            func: 3,
            args: Box::new([Value::Int(1), Value::Missing, counter]),
        }))));
        let name = a.types_mut().symbols.intern("push");
        let bm = Value::Obj(a.alloc(Object::BoundMethod(Box::new(BoundMethod {
            receiver: counter,
            target: BoundTarget::Closure(obj(g)),
            name,
        }))));
        let actor = Value::Obj(a.alloc(Object::ActorType { proto: 7 }));
        let sup = Value::Obj(a.alloc(Object::SupervisorType { proto: 8 }));
        let roots = Message::export_all(&a, &[f, g, co, bm, actor, sup]).import(&mut b);
        let (fc, gc) = (b.closure(roots[0]).unwrap(), b.closure(roots[1]).unwrap());
        assert_eq!((fc.func, gc.func), (3, 4));
        assert_eq!(fc.cells[0], gc.cells[0], "the captured cell stays shared");
        let Object::Cell(counter_copy) = *b.get(fc.cells[0]) else {
            panic!("not a cell")
        };
        assert_eq!(repr_string(&b, counter_copy), "[0]");
        let Some(Object::Coroutine(c)) = b.object(roots[2]) else {
            panic!("not a coroutine")
        };
        assert!(Value::Obj(c.closure).identical(roots[0]));
        assert_eq!(c.func, 3);
        assert!(c.args[1].is_missing() && c.args[2].identical(counter_copy));
        let Some(Object::BoundMethod(m)) = b.object(roots[3]) else {
            panic!("not a bound method")
        };
        assert!(m.receiver.identical(counter_copy));
        assert!(matches!(m.target, BoundTarget::Closure(r) if Value::Obj(r).identical(roots[1])));
        assert_eq!(m.name, name);
        assert!(matches!(
            b.object(roots[4]),
            Some(Object::ActorType { proto: 7 })
        ));
        assert!(matches!(
            b.object(roots[5]),
            Some(Object::SupervisorType { proto: 8 })
        ));
        // Isolation: writing through the copied cell leaves a alone.
        b.list_mut(counter_copy).unwrap()[0] = Value::Int(5);
        assert_eq!(repr_string(&a, counter), "[0]");
    }

    #[test]
    fn transfer_iterators_keep_their_position() {
        let mut a = Heap::new();
        let mut b = Heap::new();
        let list = a.alloc_list(vec![Value::Int(1), Value::Int(2), Value::Int(3)]);
        let s = a.alloc_str("héllo");
        let m = map_of(&mut a, &[(Value::Int(1), Value::Int(2))]);
        let its = [
            IterState::List {
                list: obj(list),
                pos: 2,
            },
            IterState::Str {
                string: obj(s),
                byte_pos: 3,
            },
            IterState::MapKeys {
                map: obj(m),
                pos: 1,
            },
            IterState::Range {
                next: 4,
                end: 9,
                step: 2,
            },
        ]
        .map(|st| Value::Obj(a.alloc(Object::Iter(st))));
        let mut roots = its.to_vec();
        roots.push(list);
        let copies = Message::export_all(&a, &roots).import(&mut b);
        let state = |v| crate::heap::iter_state(&b, obj(v)).unwrap();
        match state(copies[0]) {
            IterState::List { list: l, pos: 2 } => assert!(Value::Obj(l).identical(copies[4])),
            other => panic!("{other:?}"),
        }
        match state(copies[1]) {
            IterState::Str {
                string,
                byte_pos: 3,
            } => {
                assert_eq!(b.as_str(Value::Obj(string)), Some("héllo"))
            }
            other => panic!("{other:?}"),
        }
        match state(copies[2]) {
            IterState::MapKeys { map, pos: 1 } => {
                assert_eq!(repr_string(&b, Value::Obj(map)), "{1: 2}")
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            state(copies[3]),
            IterState::Range {
                next: 4,
                end: 9,
                step: 2
            }
        ));
        // Moving the copy does not move the original.
        if let Object::Iter(IterState::List { pos, .. }) = b.get_mut(obj(copies[0])) {
            *pos = 0;
        }
        assert!(matches!(
            crate::heap::iter_state(&a, obj(its[0])),
            Some(IterState::List { pos: 2, .. })
        ));
    }

    #[test]
    fn transfer_message_is_send_and_clonable() {
        let mut a = Heap::new();
        let v = sample(&mut a);
        let expected = repr_string(&a, v);
        let msg = Message::export(&a, v);
        let msg2 = msg.clone();
        let got = std::thread::spawn(move || {
            let mut b = Heap::new();
            let copy = msg2.import_one(&mut b);
            repr_string(&b, copy)
        })
        .join()
        .unwrap();
        assert_eq!(got, expected);
        // A message can be imported more than once, each time afresh.
        let mut c = Heap::new();
        let (x, y) = (msg.import_one(&mut c), msg.import_one(&mut c));
        assert_ne!(obj(x), obj(y));
    }

    // ---- fork ----

    /// A loaded-looking heap: constant strings and a struct and an enum in
    /// the shared segment, as `load.rs` makes them; then a method closure
    /// capturing a cell (as an `impl` block run after loading would add).
    fn loaded_heap() -> (Heap, Vec<Value>) {
        let mut heap = Heap::new();
        let consts: Vec<Value> = ["hello", "a", "", "constant two"]
            .iter()
            .map(|s| heap.alloc_const_str(s))
            .collect();
        register_types_with(&mut heap, Heap::alloc_const);
        heap.types_mut().function_names = vec![Arc::from("<entry>"), Arc::from("Point.norm")];
        let entry = heap.alloc(Object::Closure(Closure {
            func: 0,
            cells: Box::new([]),
        }));
        let _ = entry;
        heap.seal_base();
        // Running the program: garbage, then methods.
        for i in 0..100 {
            heap.alloc_list(vec![Value::Int(i)]);
        }
        let captured = heap.alloc_list(vec![Value::Int(10), consts[0]]);
        let cell = heap.alloc(Object::Cell(captured));
        let method = Value::Obj(heap.alloc(Object::Closure(Closure {
            func: 1,
            cells: Box::new([cell]),
        })));
        let other = Value::Obj(heap.alloc(Object::Closure(Closure {
            func: 1,
            cells: Box::new([cell]),
        })));
        let norm = heap.types_mut().symbols.intern("norm");
        let describe = heap.types_mut().symbols.intern("describe");
        heap.types_mut().structs[0].methods.push((norm, method));
        heap.types_mut().enums[0].methods.push((describe, other));
        heap.note_local_method();
        (heap, consts)
    }

    #[test]
    fn fork_shares_the_constants_and_types() {
        let (parent, consts) = loaded_heap();
        let child = parent.fork();
        assert!(child.shares(parent.shared()));
        for &c in &consts {
            assert!(obj(c).is_shared());
            assert_eq!(child.as_str(c), parent.as_str(c));
            assert!(Arc::ptr_eq(
                child.str(c).unwrap().arc(),
                parent.str(c).unwrap().arc()
            ));
        }
        for b in 0u8..128 {
            let ch = (b as char).to_string();
            let mut p = Heap::new();
            let r = p.alloc_str(&ch);
            assert_eq!(child.as_str(r), Some(ch.as_str()));
        }
        let (pt, ct) = (parent.types(), child.types());
        assert_eq!(pt.structs[0].type_obj, ct.structs[0].type_obj);
        assert!(matches!(
            child.get(ct.structs[0].type_obj),
            Object::StructType(0, _)
        ));
        assert!(matches!(
            child.get(ct.enums[0].type_obj),
            Object::EnumType(0)
        ));
        assert!(matches!(
            child.get(ct.enums[0].variants[0].value),
            Object::VariantCtor {
                enum_id: 0,
                variant: 0
            }
        ));
        assert!(matches!(
            child.get(ct.enums[0].variants[1].value),
            Object::EnumValue(EnumValue {
                enum_id: 0,
                variant: 1,
                ..
            })
        ));
        assert_eq!(ct.symbols.name(ct.structs[0].name), "Point");
        assert_eq!(ct.symbols.lookup("describe"), pt.symbols.lookup("describe"));
        assert_eq!(&*ct.function_names[1], "Point.norm");
        // The child's own arena holds only the copied methods: two
        // closures, their cell, its list ("hello" stays shared).
        assert_eq!(child.live_count(), 4);
        assert_eq!(child.collections(), 0);
        assert!(!child.should_collect());
    }

    #[test]
    fn fork_without_local_methods_copies_nothing() {
        let mut parent = Heap::new();
        register_types_with(&mut parent, Heap::alloc_const);
        let method = parent.alloc_const(Object::Closure(Closure {
            func: 0,
            cells: Box::new([]),
        }));
        let norm = parent.types_mut().symbols.intern("norm");
        parent.types_mut().structs[0]
            .methods
            .push((norm, Value::Obj(method)));
        let child = parent.fork();
        assert_eq!(child.live_count(), 0);
        assert!(
            child.types().structs[0].methods[0]
                .1
                .identical(Value::Obj(method))
        );
        assert!(matches!(child.get(method), Object::Closure(_)));
    }

    #[test]
    fn fork_deep_copies_methods() {
        let (mut parent, consts) = loaded_heap();
        let mut child = parent.fork();
        let (pm, cm) = (
            parent.types().structs[0].methods[0],
            child.types().structs[0].methods[0],
        );
        let other = child.types().enums[0].methods[0].1;
        assert_eq!(pm.0, cm.0);
        let (pc, cc) = (parent.closure(pm.1).unwrap(), child.closure(cm.1).unwrap());
        assert_eq!(pc.func, cc.func);
        assert!(!cm.1.as_obj().unwrap().is_shared());
        // Both methods still share their captured cell.
        assert_eq!(cc.cells[0], child.closure(other).unwrap().cells[0]);
        let Object::Cell(captured) = *child.get(cc.cells[0]) else {
            panic!("not a cell")
        };
        assert_eq!(repr_string(&child, captured), "[10, \"hello\"]");
        // Isolation both ways.
        child.list_mut(captured).unwrap().push(Value::Int(11));
        let Object::Cell(orig) = *parent.get(pc.cells[0]) else {
            panic!("not a cell")
        };
        assert_eq!(repr_string(&parent, orig), "[10, \"hello\"]");
        parent.list_mut(orig).unwrap().clear();
        assert_eq!(repr_string(&child, captured), "[10, \"hello\", 11]");
        // The child's collector keeps the methods and leaves the shared
        // objects alone.
        child.alloc_list(vec![Value::Int(1)]);
        child.collect(std::iter::empty());
        assert_eq!(child.as_str(consts[3]), Some("constant two"));
        assert_eq!(repr_string(&child, captured), "[10, \"hello\", 11]");
        assert!(matches!(
            child.get(child.types().structs[0].type_obj),
            Object::StructType(0, _)
        ));
        // A value sent from the parent keeps the shared type objects.
        let unit = Value::Obj(parent.types().enums[0].variants[1].value);
        let point = Value::Obj(parent.alloc_instance(0, &[Value::Int(1), Value::Int(2)]));
        let roots = Message::export_all(&parent, &[unit, point]).import(&mut child);
        assert!(roots[0].identical(Value::Obj(child.types().enums[0].variants[1].value)));
        assert_eq!(repr_string(&child, roots[1]), repr_string(&parent, point));
    }

    #[test]
    fn shared_objects_cross_as_they_are_within_a_program() {
        let (parent, consts) = loaded_heap();
        let mut child = parent.fork();
        let type_obj = Value::Obj(parent.types().structs[0].type_obj);
        let before = child.live_count();
        let msg = Message::export_all(&parent, &[consts[3], type_obj, consts[1]]);
        assert_eq!(msg.object_count(), 0);
        let roots = msg.import(&mut child);
        assert_eq!(child.live_count(), before);
        assert!(roots[0].identical(consts[3]));
        assert!(roots[1].identical(type_obj));
        assert!(roots[2].identical(consts[1]));
        // Inside a container too, and iterators over a constant string.
        let list = Value::Obj(child.alloc(Object::List(vec![consts[3], consts[3]])));
        let iter = Value::Obj(child.alloc(Object::Iter(IterState::Str {
            string: obj(consts[0]),
            byte_pos: 1,
        })));
        let mut back = parent.fork();
        let roots = Message::export_all(&child, &[list, iter]).import(&mut back);
        let items = back.list(roots[0]).unwrap();
        assert!(items[0].identical(consts[3]) && items[1].identical(consts[3]));
        assert!(matches!(
            back.get(obj(roots[1])),
            Object::Iter(IterState::Str { string, byte_pos: 1 }) if *string == obj(consts[0])
        ));
    }

    #[test]
    fn shared_objects_are_copied_into_another_program() {
        let (parent, consts) = loaded_heap();
        let type_obj = Value::Obj(parent.types().structs[0].type_obj);
        let list = {
            let mut p = parent.fork();
            let v = Value::Obj(p.alloc(Object::List(vec![consts[3], consts[3], type_obj])));
            Message::export(&p, v)
        };
        // Another program with the same types, its own objects.
        let mut other = Heap::new();
        register_types(&mut other);
        let copy = list.import_one(&mut other);
        assert_eq!(
            repr_string(&other, copy),
            "[\"constant two\", \"constant two\", <struct Point>]"
        );
        let items = other.list(copy).unwrap().clone();
        // Aliasing survives, the text is shared, the type is the
        // receiver's own.
        assert_eq!(obj(items[0]), obj(items[1]));
        assert!(!obj(items[0]).is_shared());
        assert!(Arc::ptr_eq(
            other.str(items[0]).unwrap().arc(),
            parent.str(consts[3]).unwrap().arc()
        ));
        assert!(items[2].identical(Value::Obj(other.types().structs[0].type_obj)));
        // A one-character constant maps to the receiver's shared one.
        let a = Message::export(&parent, consts[1]).import_one(&mut other);
        assert!(a.identical(other.alloc_str("a")));
    }

    #[test]
    fn the_shared_segment_is_copied_on_write() {
        let (parent, consts) = loaded_heap();
        let mut child = parent.fork();
        let late = child.alloc_const_str("added by the child");
        assert!(!child.shares(parent.shared()));
        assert_eq!(child.as_str(late), Some("added by the child"));
        assert_eq!(child.as_str(consts[3]), Some("constant two"));
        // The parent's segment did not change.
        assert!(matches!(parent.get(obj(late)), Object::Free));
        // So a message from the child copies its shared objects.
        let mut back = parent.fork();
        let copy = Message::export(&child, late).import_one(&mut back);
        assert_eq!(back.as_str(copy), Some("added by the child"));
    }

    #[test]
    fn shared_objects_cannot_be_changed_or_collected() {
        let mut heap = Heap::new();
        let s = heap.alloc_const_str("constant");
        let list = heap.alloc_list(vec![]);
        assert!(matches!(heap.get_mut(obj(s)), Object::Free));
        assert!(heap.list_mut(s).is_none());
        heap.collect([list]);
        heap.collect(std::iter::empty());
        assert_eq!(heap.as_str(s), Some("constant"));
        assert_eq!(heap.live_count(), 0);
        let (collections, _time) = heap.gc_stats();
        assert_eq!(collections, 2);
    }
}
