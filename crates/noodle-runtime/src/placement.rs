//! `@on(...)` placement: the terms an actor needs from the node it runs
//! on, checked against this node's real resources at `spawn`. There is one
//! node today, so "no node satisfies" means this one does not.

use std::sync::OnceLock;

use crate::decl::Datum;

/// What a node offers.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub(crate) cores: i64,
    /// Total memory in bytes (0 when unknown).
    pub(crate) mem: i64,
    pub(crate) gpus: i64,
    pub(crate) os: String,
    pub(crate) arch: String,
}

impl Node {
    /// This machine, read once.
    pub(crate) fn this() -> &'static Node {
        static NODE: OnceLock<Node> = OnceLock::new();
        NODE.get_or_init(|| Node {
            cores: std::thread::available_parallelism().map_or(1, |n| n.get() as i64),
            mem: total_memory().unwrap_or(0),
            gpus: gpu_count(),
            os: std::env::consts::OS.to_string(),
            arch: std::env::consts::ARCH.to_string(),
        })
    }
}

/// `MemTotal` of /proc/meminfo, in bytes.
fn total_memory() -> Option<i64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: i64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kb.checked_mul(1024)
}

/// GPUs this node exposes: NVIDIA devices, else DRM render nodes (any
/// vendor, integrated ones included).
fn gpu_count() -> i64 {
    let count = |dir: &str, prefix: &str, digits_only: bool| -> i64 {
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| {
                    let name = e.file_name();
                    let name = name.to_string_lossy();
                    name.strip_prefix(prefix).is_some_and(|rest| {
                        !rest.is_empty()
                            && (!digits_only || rest.bytes().all(|b| b.is_ascii_digit()))
                    })
                })
                .count() as i64
        })
    };
    let nvidia = count("/dev", "nvidia", true);
    if nvidia > 0 {
        nvidia
    } else {
        count("/dev/dri", "renderD", true)
    }
}

/// The resources a term can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Resource {
    Cores,
    Mem,
    Gpus,
    Os,
    Arch,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Term {
    /// A bare `gpu`: at least one GPU.
    Gpu,
    /// `mem >= 8GB`, `cores >= 4`, `os == "linux"`.
    Compare {
        op: String,
        resource: Resource,
        value: Datum,
    },
}

const KNOWN: &str = "gpu, cores, mem, gpus, os and arch";

impl Term {
    pub(crate) fn parse(d: &Datum) -> Result<Term, String> {
        match d {
            Datum::Str(name) if name == "gpu" => Ok(Term::Gpu),
            Datum::Str(name) => Err(format!(
                "unknown placement term '{name}' (terms use {KNOWN})"
            )),
            Datum::List(parts) => match parts.as_slice() {
                [Datum::Str(op), Datum::Str(what), value] => {
                    let resource = match what.as_str() {
                        "cores" => Resource::Cores,
                        "mem" | "memory" => Resource::Mem,
                        "gpu" | "gpus" => Resource::Gpus,
                        "os" => Resource::Os,
                        "arch" => Resource::Arch,
                        other => {
                            return Err(format!(
                                "unknown placement resource '{other}' (terms use {KNOWN})"
                            ));
                        }
                    };
                    let numeric =
                        matches!(resource, Resource::Cores | Resource::Mem | Resource::Gpus);
                    let ok = match value {
                        Datum::Int(_) => numeric,
                        Datum::Str(_) => !numeric && (op == "==" || op == "!="),
                        _ => false,
                    };
                    if !ok {
                        return Err(format!(
                            "placement term '{}' compares {what} with the wrong kind of value",
                            show_term_parts(op, what, value)
                        ));
                    }
                    Ok(Term::Compare {
                        op: op.clone(),
                        resource,
                        value: value.clone(),
                    })
                }
                _ => Err("a placement term is a name or a comparison such as mem >= 8GB".into()),
            },
            _ => Err("a placement term is a name or a comparison such as mem >= 8GB".into()),
        }
    }

    /// `None` when `node` satisfies the term, else why not, as
    /// `mem >= 8GB (largest: 4GB)`.
    pub(crate) fn unmet(&self, node: &Node) -> Option<String> {
        match self {
            Term::Gpu => (node.gpus == 0).then(|| "gpu (no GPU on this node)".to_string()),
            Term::Compare {
                op,
                resource,
                value,
            } => {
                let what = resource_name(*resource);
                let met = match (resource, value) {
                    (Resource::Cores, Datum::Int(n)) => compare(node.cores, op, *n),
                    (Resource::Mem, Datum::Int(n)) => compare(node.mem, op, *n),
                    (Resource::Gpus, Datum::Int(n)) => compare(node.gpus, op, *n),
                    (Resource::Os, Datum::Str(s)) => (node.os == *s) == (op == "=="),
                    (Resource::Arch, Datum::Str(s)) => (node.arch == *s) == (op == "=="),
                    _ => false,
                };
                if met {
                    return None;
                }
                let have = match resource {
                    Resource::Cores => format!("largest: {}", node.cores),
                    Resource::Mem => format!("largest: {}", show_size(node.mem)),
                    Resource::Gpus => format!("largest: {}", node.gpus),
                    Resource::Os => format!("this node: {}", node.os),
                    Resource::Arch => format!("this node: {}", node.arch),
                };
                Some(format!("{} ({have})", show_term_parts(op, what, value)))
            }
        }
    }
}

fn resource_name(r: Resource) -> &'static str {
    match r {
        Resource::Cores => "cores",
        Resource::Mem => "mem",
        Resource::Gpus => "gpus",
        Resource::Os => "os",
        Resource::Arch => "arch",
    }
}

fn compare(have: i64, op: &str, want: i64) -> bool {
    match op {
        ">=" => have >= want,
        ">" => have > want,
        "<=" => have <= want,
        "<" => have < want,
        "==" => have == want,
        "!=" => have != want,
        _ => false,
    }
}

fn show_term_parts(op: &str, what: &str, value: &Datum) -> String {
    let shown = match value {
        Datum::Int(n) if what == "mem" || what == "memory" => show_size(*n),
        Datum::Int(n) => n.to_string(),
        Datum::Str(s) => format!("{s:?}"),
        other => format!("{other:?}"),
    };
    format!("{what} {op} {shown}")
}

/// Bytes in the largest unit that fits, as sizes are written (`8GB`,
/// `1.5KB`; 1 KB = 1024 B).
pub(crate) fn show_size(bytes: i64) -> String {
    const UNITS: [(&str, i64); 4] = [
        ("TB", 1 << 40),
        ("GB", 1 << 30),
        ("MB", 1 << 20),
        ("KB", 1 << 10),
    ];
    for (unit, size) in UNITS {
        if bytes >= size {
            return if bytes % size == 0 {
                format!("{}{unit}", bytes / size)
            } else {
                format!("{:.1}{unit}", bytes as f64 / size as f64)
            };
        }
    }
    format!("{bytes}B")
}

/// The first term `node` does not satisfy, as a `PlacementError` message.
pub(crate) fn check(terms: &[Term], node: &Node) -> Result<(), String> {
    match terms.iter().find_map(|t| t.unmet(node)) {
        Some(why) => Err(format!("no node satisfies {why}")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node() -> Node {
        Node {
            cores: 2,
            mem: 4 << 30,
            gpus: 0,
            os: "linux".into(),
            arch: "x86_64".into(),
        }
    }

    fn cmp(op: &str, what: &str, v: Datum) -> Datum {
        Datum::List(vec![Datum::Str(op.into()), Datum::Str(what.into()), v])
    }

    #[test]
    fn the_failed_term_is_named_with_what_the_node_has() {
        let terms = vec![
            Term::parse(&cmp(">=", "cores", Datum::Int(1))).unwrap(),
            Term::parse(&cmp(">=", "mem", Datum::Int(8 << 30))).unwrap(),
        ];
        assert_eq!(
            check(&terms, &node()).unwrap_err(),
            "no node satisfies mem >= 8GB (largest: 4GB)"
        );
        let gpu = vec![Term::parse(&Datum::Str("gpu".into())).unwrap()];
        assert_eq!(
            check(&gpu, &node()).unwrap_err(),
            "no node satisfies gpu (no GPU on this node)"
        );
    }

    #[test]
    fn satisfied_terms_pass() {
        let terms = vec![
            Term::parse(&cmp(">=", "mem", Datum::Int(1 << 30))).unwrap(),
            Term::parse(&cmp("==", "os", Datum::Str("linux".into()))).unwrap(),
            Term::parse(&cmp("<=", "cores", Datum::Int(64))).unwrap(),
        ];
        assert_eq!(check(&terms, &node()), Ok(()));
    }

    #[test]
    fn unknown_terms_are_errors() {
        assert!(
            Term::parse(&Datum::Str("tpu".into()))
                .unwrap_err()
                .contains("'tpu'")
        );
        assert!(
            Term::parse(&cmp(">=", "disk", Datum::Int(1)))
                .unwrap_err()
                .contains("'disk'")
        );
        assert!(Term::parse(&cmp(">=", "os", Datum::Int(1))).is_err());
    }

    #[test]
    fn sizes_print_as_written() {
        assert_eq!(show_size(8 << 30), "8GB");
        assert_eq!(show_size(1536), "1.5KB");
        assert_eq!(show_size(12), "12B");
    }

    #[test]
    fn this_node_has_cores() {
        assert!(Node::this().cores >= 1);
    }
}
