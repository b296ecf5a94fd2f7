//! What an actor type's constructor tells the runtime: its handlers, how
//! to read and restore its state, and its annotations as policies.
//!
//! The constructor returns `{"handlers": {...}, "annotations": {...},
//! "get_state": f, "set_state": g}` (see noodle-codegen's layout docs).
//! Annotations are the same for every instance of a type, so they are
//! parsed once per type and cached by the host.

use std::sync::Arc;
use std::time::Duration;

use noodle_vm::{Heap, Value};

use crate::placement::Term;
use crate::process;

/// Restart policy of a supervised actor (`@restart`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Policy {
    Permanent,
    Transient,
    Temporary,
}

/// Scheduling class of an actor (`@qos`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Qos {
    Responsive,
    Normal,
    Batch,
}

impl Qos {
    /// The work an actor's activation does back to back before it lets
    /// the other processes on its worker run, in calls and back-edges (a
    /// process's time slice is `process::SLICE` of them): the class's
    /// share of the scheduler. `batch` yields between any two messages.
    pub(crate) fn share(self) -> i64 {
        match self {
            Qos::Responsive => 4 * process::SLICE,
            Qos::Normal => process::SLICE,
            Qos::Batch => 0,
        }
    }
}

/// An actor type as the runtime uses it.
#[derive(Debug)]
pub(crate) struct ActorDecl {
    pub(crate) name: Arc<str>,
    /// Handler names; a message names its handler by index.
    pub(crate) handlers: Box<[Arc<str>]>,
    /// `reply Counter.get`, per handler: the label of a reply future.
    pub(crate) reply_labels: Box<[Arc<str>]>,
    /// `actor Counter`: the label of an address.
    pub(crate) address_label: Arc<str>,
    pub(crate) restart: Policy,
    pub(crate) checkpoint_every: Option<u64>,
    pub(crate) capacity: Option<usize>,
    pub(crate) replicas: usize,
    pub(crate) qos: Qos,
    /// `@qos(..., latency < 10ms)`: queueing delays above it are counted.
    pub(crate) latency_target: Option<Duration>,
    pub(crate) placement: Vec<Term>,
}

impl ActorDecl {
    pub(crate) fn handler_index(&self, name: &str) -> Option<usize> {
        self.handlers.iter().position(|h| &**h == name)
    }
}

/// One instance's functions, in its own heap.
#[derive(Clone, Debug)]
pub(crate) struct Instance {
    /// By handler index (the order of [`ActorDecl::handlers`]).
    pub(crate) handlers: Vec<Value>,
    pub(crate) get_state: Value,
    pub(crate) set_state: Value,
}

/// An annotation argument as plain data.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Datum {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Duration(i64),
    Str(String),
    /// A comparison `[op, lhs, rhs]` or any other list.
    List(Vec<Datum>),
    /// The named arguments of an annotation.
    Map(Vec<(String, Datum)>),
}

impl Datum {
    pub(crate) fn of(heap: &Heap, v: Value) -> Datum {
        Datum::read(heap, v, 0)
    }

    fn read(heap: &Heap, v: Value, depth: u32) -> Datum {
        if depth > 8 {
            return Datum::None;
        }
        match v {
            Value::Bool(b) => Datum::Bool(b),
            Value::Int(n) => Datum::Int(n),
            Value::Float(x) => Datum::Float(x),
            Value::Duration(ns) => Datum::Duration(ns),
            _ => {
                if let Some(s) = heap.as_str(v) {
                    Datum::Str(s.to_string())
                } else if let Some(items) = heap.list(v) {
                    Datum::List(
                        items
                            .iter()
                            .map(|&x| Datum::read(heap, x, depth + 1))
                            .collect(),
                    )
                } else if let Some(map) = heap.map(v) {
                    Datum::Map(
                        map.iter()
                            .map(|(k, x)| {
                                let key = heap.as_str(k).unwrap_or("?").to_string();
                                (key, Datum::read(heap, x, depth + 1))
                            })
                            .collect(),
                    )
                } else {
                    Datum::None
                }
            }
        }
    }

    pub(crate) fn named(&self, name: &str) -> Option<&Datum> {
        match self {
            Datum::Map(entries) => entries.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// The map entry `key` of `map` (a constructor or annotation map).
pub(crate) fn entry(heap: &Heap, map: Value, key: &str) -> Option<Value> {
    heap.map(map)?
        .iter()
        .find(|&(k, _)| heap.as_str(k) == Some(key))
        .map(|(_, v)| v)
}

/// The instance a constructor result describes, with the handler names in
/// the order it lists them.
pub(crate) fn instance_of(heap: &Heap, result: Value) -> Option<(Instance, Vec<Arc<str>>)> {
    let handlers = entry(heap, result, "handlers")?;
    let mut names = Vec::new();
    let mut closures = Vec::new();
    for (k, v) in heap.map(handlers)?.iter() {
        names.push(Arc::from(heap.as_str(k)?));
        closures.push(v);
    }
    let instance = Instance {
        handlers: closures,
        get_state: entry(heap, result, "get_state")?,
        set_state: entry(heap, result, "set_state")?,
    };
    Some((instance, names))
}

/// Parses the annotations of actor type `name`. An error is a message
/// for a `ValueError` at `spawn`.
pub(crate) fn parse(
    name: &str,
    handlers: Vec<Arc<str>>,
    annotations: &[(String, Vec<Datum>)],
) -> Result<ActorDecl, String> {
    let mut decl = ActorDecl {
        name: Arc::from(name),
        reply_labels: handlers
            .iter()
            .map(|h| Arc::from(format!("reply {name}.{h}").as_str()))
            .collect(),
        handlers: handlers.into(),
        address_label: Arc::from(format!("actor {name}").as_str()),
        restart: Policy::Permanent,
        checkpoint_every: None,
        capacity: None,
        replicas: 1,
        qos: Qos::Normal,
        latency_target: None,
        placement: Vec::new(),
    };
    for (annotation, args) in annotations {
        match annotation.as_str() {
            "restart" => {
                decl.restart = match args.first() {
                    Some(Datum::Str(p)) if p == "permanent" => Policy::Permanent,
                    Some(Datum::Str(p)) if p == "transient" => Policy::Transient,
                    Some(Datum::Str(p)) if p == "temporary" => Policy::Temporary,
                    _ => {
                        return Err("@restart takes permanent, transient or temporary".to_string());
                    }
                }
            }
            "checkpoint" => match args.first().and_then(|a| a.named("every")) {
                Some(&Datum::Int(n)) if n >= 1 && args.len() == 1 => {
                    decl.checkpoint_every = Some(n as u64);
                }
                _ => return Err("@checkpoint takes every: n, an int >= 1".to_string()),
            },
            "mailbox" => match args.first().and_then(|a| a.named("capacity")) {
                Some(&Datum::Int(n)) if n >= 1 && args.len() == 1 => {
                    decl.capacity = Some(n as usize);
                }
                _ => return Err("@mailbox takes capacity: n, an int >= 1".to_string()),
            },
            "replicas" => match args.as_slice() {
                [Datum::Int(n)] if (1..=65_536).contains(n) => decl.replicas = *n as usize,
                _ => return Err("@replicas takes a count from 1 to 65536".to_string()),
            },
            "qos" => parse_qos(&mut decl, args)?,
            "on" => {
                for arg in args {
                    decl.placement.push(Term::parse(arg)?);
                }
            }
            other => return Err(format!("unknown actor annotation @{other}")),
        }
    }
    Ok(decl)
}

fn parse_qos(decl: &mut ActorDecl, args: &[Datum]) -> Result<(), String> {
    let usage =
        "@qos takes a class (responsive, normal or batch) and optionally latency < DURATION";
    let mut args = args.iter();
    decl.qos = match args.next() {
        Some(Datum::Str(c)) if c == "responsive" => Qos::Responsive,
        Some(Datum::Str(c)) if c == "normal" => Qos::Normal,
        Some(Datum::Str(c)) if c == "batch" => Qos::Batch,
        Some(Datum::Str(c)) => {
            return Err(format!(
                "unknown @qos class '{c}' (classes: responsive, normal, batch)"
            ));
        }
        _ => return Err(usage.to_string()),
    };
    for arg in args {
        match arg {
            Datum::List(parts) => match parts.as_slice() {
                [Datum::Str(op), Datum::Str(what), Datum::Duration(ns)]
                    if (op == "<" || op == "<=") && what == "latency" && *ns > 0 =>
                {
                    decl.latency_target = Some(Duration::from_nanos(*ns as u64));
                }
                _ => return Err(usage.to_string()),
            },
            _ => return Err(usage.to_string()),
        }
    }
    Ok(())
}

/// The annotations map of a constructor result as (name, arguments).
pub(crate) fn annotations_of(heap: &Heap, result: Value) -> Vec<(String, Vec<Datum>)> {
    let Some(map) = entry(heap, result, "annotations") else {
        return Vec::new();
    };
    match Datum::of(heap, map) {
        Datum::Map(entries) => entries
            .into_iter()
            .map(|(k, v)| match v {
                Datum::List(args) => (k, args),
                other => (k, vec![other]),
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<Arc<str>> {
        list.iter().map(|&n| Arc::from(n)).collect()
    }

    fn named(key: &str, v: Datum) -> Datum {
        Datum::Map(vec![(key.to_string(), v)])
    }

    #[test]
    fn classes_share_the_worker_in_order() {
        assert!(Qos::Responsive.share() > Qos::Normal.share());
        assert_eq!(Qos::Normal.share(), process::SLICE);
        assert_eq!(Qos::Batch.share(), 0, "batch yields between messages");
    }

    #[test]
    fn defaults_without_annotations() {
        let decl = parse("Counter", names(&["get", "add"]), &[]).expect("parses");
        assert_eq!(decl.restart, Policy::Permanent);
        assert_eq!(decl.replicas, 1);
        assert_eq!(decl.capacity, None);
        assert_eq!(decl.handler_index("add"), Some(1));
        assert_eq!(&*decl.reply_labels[0], "reply Counter.get");
        assert_eq!(&*decl.address_label, "actor Counter");
    }

    #[test]
    fn every_annotation_is_read() {
        let anns = vec![
            ("restart".to_string(), vec![Datum::Str("transient".into())]),
            (
                "checkpoint".to_string(),
                vec![named("every", Datum::Int(5))],
            ),
            (
                "mailbox".to_string(),
                vec![named("capacity", Datum::Int(8))],
            ),
            ("replicas".to_string(), vec![Datum::Int(3)]),
            (
                "qos".to_string(),
                vec![
                    Datum::Str("responsive".into()),
                    Datum::List(vec![
                        Datum::Str("<".into()),
                        Datum::Str("latency".into()),
                        Datum::Duration(10_000_000),
                    ]),
                ],
            ),
        ];
        let decl = parse("W", names(&[]), &anns).expect("parses");
        assert_eq!(decl.restart, Policy::Transient);
        assert_eq!(decl.checkpoint_every, Some(5));
        assert_eq!(decl.capacity, Some(8));
        assert_eq!(decl.replicas, 3);
        assert_eq!(decl.qos, Qos::Responsive);
        assert_eq!(decl.latency_target, Some(Duration::from_millis(10)));
    }

    #[test]
    fn bad_arguments_are_named() {
        let bad = |name: &str, args: Vec<Datum>| {
            parse("A", names(&[]), &[(name.to_string(), args)]).unwrap_err()
        };
        assert!(bad("mailbox", vec![named("capacity", Datum::Int(0))]).contains("capacity"));
        assert!(bad("replicas", vec![Datum::Int(0)]).contains("@replicas"));
        assert!(bad("checkpoint", vec![Datum::Int(3)]).contains("every"));
        assert!(bad("qos", vec![Datum::Str("fast".into())]).contains("'fast'"));
    }
}
