//! Bytes for a [`Message`] of plain data, so the runtime can persist an
//! actor's state (`@checkpoint`) outside the process.
//!
//! Only data is encodable: none, bools, numbers, durations, strings,
//! lists, maps, ranges, struct and enum values, errors, and the cells that
//! hold state variables. Functions, tasks, actors, channels and iterators
//! belong to a running program and are refused with a message naming the
//! value. Struct and enum values are stored by their program-wide ids, so
//! bytes decode only in a run of the same program (the runtime keys them
//! by run).

use std::sync::Arc;

use super::{Graph, Message, Node};
use crate::object::{EnumValue, ErrorObj, Fields, Instance, MapKey, Range, Str};
use crate::value::{ObjRef, Value};

/// Format marker and version of the encoding.
const MAGIC: &[u8; 4] = b"NDS1";

impl Message {
    /// The message as bytes, or what in it is not data.
    pub fn encode(&self) -> Result<Vec<u8>, String> {
        // References into the program's shared segment become nodes of
        // their own: the bytes must stand alone.
        if let Some(shared) = &self.graph.shared {
            return self.detached(shared).encode();
        }
        let mut w = Writer(Vec::with_capacity(64));
        w.0.extend_from_slice(MAGIC);
        w.len(self.graph.nodes.len());
        for node in &self.graph.nodes {
            w.node(node)?;
        }
        w.len(self.graph.roots.len());
        for &v in &self.graph.roots {
            w.value(v)?;
        }
        Ok(w.0)
    }

    /// The message `bytes` encode; an error names what is wrong with them.
    pub fn decode(bytes: &[u8]) -> Result<Message, String> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(4)? != MAGIC {
            return Err("not a Noodle state encoding".into());
        }
        let count = r.len()?;
        let mut nodes = Vec::with_capacity(count.min(1 << 16));
        for _ in 0..count {
            nodes.push(r.node(count)?);
        }
        let roots_len = r.len()?;
        let mut roots = Vec::with_capacity(roots_len.min(1 << 16));
        for _ in 0..roots_len {
            roots.push(r.value(count)?);
        }
        if r.at != bytes.len() {
            return Err("trailing bytes after the encoded state".into());
        }
        Ok(Message {
            graph: Arc::new(Graph {
                nodes,
                roots,
                shared: None,
            }),
        })
    }
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, b: u8) {
        self.0.push(b);
    }

    fn u32(&mut self, n: u32) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    fn i64(&mut self, n: i64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    fn len(&mut self, n: usize) {
        self.0.extend_from_slice(&(n as u64).to_le_bytes());
    }

    fn text(&mut self, s: &str) {
        self.len(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }

    fn value(&mut self, v: Value) -> Result<(), String> {
        match v {
            Value::None => self.u8(0),
            Value::Bool(b) => self.u8(if b { 2 } else { 1 }),
            Value::Int(n) => {
                self.u8(3);
                self.i64(n);
            }
            Value::Float(x) => {
                self.u8(4);
                self.0.extend_from_slice(&x.to_bits().to_le_bytes());
            }
            Value::Duration(ns) => {
                self.u8(5);
                self.i64(ns);
            }
            Value::Obj(r) => {
                self.u8(6);
                self.u32(r.0);
            }
            Value::Builtin(_) => return Err("a builtin function".into()),
            Value::Missing => return Err("an unset global".into()),
        }
        Ok(())
    }

    fn key(&mut self, key: &MapKey) {
        match key {
            MapKey::None => self.u8(0),
            MapKey::Bool(b) => self.u8(if *b { 2 } else { 1 }),
            MapKey::Int(n) => {
                self.u8(3);
                self.i64(*n);
            }
            MapKey::Str(s) => {
                self.u8(4);
                self.text(s);
            }
        }
    }

    fn values(&mut self, vs: &[Value]) -> Result<(), String> {
        self.len(vs.len());
        vs.iter().try_for_each(|&v| self.value(v))
    }

    fn node(&mut self, node: &Node) -> Result<(), String> {
        match node {
            Node::Free => self.u8(0),
            Node::Str(s) => {
                self.u8(1);
                self.text(s.as_str());
            }
            Node::List(items) => {
                self.u8(2);
                self.values(items)?;
            }
            Node::Map(entries) => {
                self.u8(3);
                self.len(entries.len());
                for (key, k, v) in entries {
                    self.key(key);
                    self.value(*k)?;
                    self.value(*v)?;
                }
            }
            Node::Range(range) => {
                self.u8(4);
                self.i64(range.start);
                self.i64(range.end);
                self.i64(range.step);
                self.u8(u8::from(range.inclusive));
            }
            Node::Cell(v) => {
                self.u8(5);
                self.value(*v)?;
            }
            Node::StructType(id) => {
                self.u8(6);
                self.u32(*id);
            }
            Node::Instance(inst) => {
                self.u8(7);
                self.u32(inst.type_id);
                self.values(&inst.fields)?;
            }
            Node::EnumType(id) => {
                self.u8(8);
                self.u32(*id);
            }
            Node::VariantCtor { enum_id, variant } => {
                self.u8(9);
                self.u32(*enum_id);
                self.u32(*variant);
            }
            Node::EnumValue(e) => {
                self.u8(10);
                self.u32(e.enum_id);
                self.u32(e.variant);
                self.values(&e.fields)?;
            }
            Node::Error(e) => {
                self.u8(11);
                self.text(&e.kind);
                self.text(&e.message);
                self.len(e.trace.len());
                e.trace.iter().for_each(|line| self.text(line));
                self.values(&e.errors)?;
            }
            Node::Closure(_) | Node::BoundMethod { .. } => return Err("a function".into()),
            Node::Coroutine { .. } => return Err("a coroutine".into()),
            Node::Iter(_) => return Err("an iterator".into()),
            Node::ActorType { .. } | Node::SupervisorType { .. } => {
                return Err("an actor or supervisor type".into());
            }
            Node::Handle(h) => return Err(h.to_string()),
        }
        Ok(())
    }
}

struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

fn truncated() -> String {
    "the encoded state is truncated".into()
}

impl<'b> Reader<'b> {
    fn take(&mut self, n: usize) -> Result<&'b [u8], String> {
        let end = self.at.checked_add(n).ok_or_else(truncated)?;
        let slice = self.bytes.get(self.at..end).ok_or_else(truncated)?;
        self.at = end;
        Ok(slice)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, String> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(a))
    }

    fn i64(&mut self) -> Result<i64, String> {
        Ok(self.u64()? as i64)
    }

    /// A length, checked against the bytes left so a corrupt length cannot
    /// ask for a huge allocation.
    fn len(&mut self) -> Result<usize, String> {
        let n = self.u64()?;
        if n > (self.bytes.len() - self.at) as u64 {
            return Err(truncated());
        }
        Ok(n as usize)
    }

    fn text(&mut self) -> Result<Arc<str>, String> {
        let n = self.len()?;
        let b = self.take(n)?;
        std::str::from_utf8(b)
            .map(Arc::from)
            .map_err(|_| "the encoded state holds text that is not UTF-8".into())
    }

    fn value(&mut self, nodes: usize) -> Result<Value, String> {
        Ok(match self.u8()? {
            0 => Value::None,
            1 => Value::Bool(false),
            2 => Value::Bool(true),
            3 => Value::Int(self.i64()?),
            4 => Value::Float(f64::from_bits(self.u64()?)),
            5 => Value::Duration(self.i64()?),
            6 => {
                let r = self.u32()?;
                if r as usize >= nodes {
                    return Err("the encoded state refers past its end".into());
                }
                Value::Obj(ObjRef(r))
            }
            tag => return Err(format!("unknown value tag {tag} in the encoded state")),
        })
    }

    fn values(&mut self, nodes: usize) -> Result<Vec<Value>, String> {
        let n = self.len()?;
        (0..n).map(|_| self.value(nodes)).collect()
    }

    fn node(&mut self, nodes: usize) -> Result<Node, String> {
        Ok(match self.u8()? {
            0 => Node::Free,
            1 => Node::Str(Str::new(self.text()?)),
            2 => Node::List(self.values(nodes)?),
            3 => {
                let n = self.len()?;
                let mut entries = Vec::with_capacity(n);
                for _ in 0..n {
                    let key = self.key()?;
                    let k = self.value(nodes)?;
                    let v = self.value(nodes)?;
                    entries.push((key, k, v));
                }
                Node::Map(entries)
            }
            4 => Node::Range(Range {
                start: self.i64()?,
                end: self.i64()?,
                step: self.i64()?,
                inclusive: self.u8()? != 0,
            }),
            5 => Node::Cell(self.value(nodes)?),
            6 => Node::StructType(self.u32()?),
            7 => {
                let type_id = self.u32()?;
                let fields = Fields::from(self.values(nodes)?);
                Node::Instance(Instance { type_id, fields })
            }
            8 => Node::EnumType(self.u32()?),
            9 => Node::VariantCtor {
                enum_id: self.u32()?,
                variant: self.u32()?,
            },
            10 => Node::EnumValue(EnumValue {
                enum_id: self.u32()?,
                variant: self.u32()?,
                fields: self.values(nodes)?.into(),
            }),
            11 => {
                let kind = self.text()?;
                let message = self.text()?;
                let lines = self.len()?;
                let trace = (0..lines)
                    .map(|_| self.text().map(|t| t.to_string()))
                    .collect::<Result<Vec<_>, _>>()?;
                let errors = self.values(nodes)?;
                Node::Error(ErrorObj {
                    kind,
                    message: message.to_string(),
                    trace,
                    errors,
                })
            }
            tag => return Err(format!("unknown object tag {tag} in the encoded state")),
        })
    }

    fn key(&mut self) -> Result<MapKey, String> {
        Ok(match self.u8()? {
            0 => MapKey::None,
            1 => MapKey::Bool(false),
            2 => MapKey::Bool(true),
            3 => MapKey::Int(self.i64()?),
            4 => MapKey::Str(self.text()?),
            tag => return Err(format!("unknown map key tag {tag} in the encoded state")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heap::Heap;
    use crate::object::Object;

    fn round_trip(heap: &mut Heap, v: Value) -> Value {
        let bytes = Message::export(heap, v).encode().expect("data encodes");
        let decoded = Message::decode(&bytes).expect("bytes decode");
        decoded.import_one(heap)
    }

    #[test]
    fn data_survives_a_round_trip_with_sharing_and_cycles() {
        let mut heap = Heap::new();
        let name = heap.alloc_str("ann");
        let inner = heap.alloc_list(vec![Value::Int(1), Value::Float(2.5), name]);
        let outer = heap.alloc_list(vec![inner, inner, Value::Duration(7), Value::None]);
        if let Value::Obj(r) = outer
            && let Object::List(items) = heap.get_mut(r)
        {
            items.push(outer);
        }
        let back = round_trip(&mut heap, outer);
        let items = heap.list(back).expect("a list").clone();
        assert_eq!(items.len(), 5);
        assert!(matches!((items[0], items[1]), (Value::Obj(a), Value::Obj(b)) if a == b));
        assert!(matches!((items[4], back), (Value::Obj(a), Value::Obj(b)) if a == b));
        let first = heap.list(items[0]).expect("inner list").clone();
        assert!(matches!(first[1], Value::Float(x) if x == 2.5));
        assert_eq!(heap.as_str(first[2]), Some("ann"));
    }

    #[test]
    fn maps_keep_their_keys() {
        let mut heap = Heap::new();
        let k = heap.alloc_str("who");
        let mut map = crate::object::Map::with_capacity(2);
        map.insert(MapKey::Str(Arc::from("who")), k, Value::Int(30));
        map.insert(MapKey::Int(4), Value::Int(4), Value::Bool(true));
        let m = Value::Obj(heap.alloc(Object::Map(Box::new(map))));
        let back = round_trip(&mut heap, m);
        let map = heap.map(back).expect("a map");
        assert!(matches!(
            map.get(&MapKey::Str(Arc::from("who"))),
            Some(Value::Int(30))
        ));
        assert!(matches!(map.get(&MapKey::Int(4)), Some(Value::Bool(true))));
    }

    #[test]
    fn functions_are_refused_by_name() {
        let mut heap = Heap::new();
        let f = Value::Obj(heap.alloc(Object::Closure(crate::object::Closure {
            func: 0,
            cells: Box::new([]),
        })));
        let list = heap.alloc_list(vec![f]);
        let err = Message::export(&heap, list).encode().unwrap_err();
        assert_eq!(err, "a function");
    }

    #[test]
    fn damaged_bytes_are_errors_not_panics() {
        let mut heap = Heap::new();
        let s = heap.alloc_str("state");
        let v = heap.alloc_list(vec![s, Value::Int(3)]);
        let bytes = Message::export(&heap, v).encode().expect("encodes");
        for cut in 0..bytes.len() {
            assert!(Message::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut flipped = bytes.clone();
        for i in 4..flipped.len() {
            flipped[i] ^= 0xff;
            let _ = Message::decode(&flipped);
            flipped[i] ^= 0xff;
        }
        assert!(Message::decode(b"XXXX").is_err());
    }
}
