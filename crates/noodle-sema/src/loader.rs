//! Where module sources come from: the file system for the compiler, memory
//! for tests and tools.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// Why a source could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    NotFound,
    /// Exists but cannot be read (permissions, not UTF-8, ...).
    Unreadable(String),
}

/// Supplies module sources by path.
pub trait Loader {
    fn load(&self, path: &Path) -> Result<String, LoadError>;
}

/// Reads files from disk.
#[derive(Clone, Copy, Debug, Default)]
pub struct FsLoader;

impl Loader for FsLoader {
    fn load(&self, path: &Path) -> Result<String, LoadError> {
        match std::fs::read(path) {
            Ok(bytes) => String::from_utf8(bytes)
                .map_err(|_| LoadError::Unreadable("the file is not valid UTF-8".into())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(LoadError::NotFound),
            Err(e) => Err(LoadError::Unreadable(e.to_string())),
        }
    }
}

/// Sources held in memory, keyed by (normalized) path.
#[derive(Clone, Debug, Default)]
pub struct MemoryLoader {
    files: HashMap<PathBuf, String>,
}

impl MemoryLoader {
    pub fn new() -> MemoryLoader {
        MemoryLoader::default()
    }

    pub fn add(&mut self, path: impl AsRef<Path>, source: impl Into<String>) -> &mut Self {
        self.files.insert(normalize(path.as_ref()), source.into());
        self
    }

    pub fn with(mut self, path: impl AsRef<Path>, source: impl Into<String>) -> Self {
        self.add(path, source);
        self
    }
}

impl Loader for MemoryLoader {
    fn load(&self, path: &Path) -> Result<String, LoadError> {
        self.files
            .get(&normalize(path))
            .cloned()
            .ok_or(LoadError::NotFound)
    }
}

/// Removes `.` components and folds `dir/..` without touching the file
/// system, so that two spellings of one module path compare equal.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            other => out.push(other),
        }
    }
    out.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_folds_dots() {
        assert_eq!(
            normalize(Path::new("./a/b/../c.nd")),
            PathBuf::from("a/c.nd")
        );
        assert_eq!(normalize(Path::new("../x.nd")), PathBuf::from("../x.nd"));
    }

    #[test]
    fn memory_loader_finds_normalized_paths() {
        let l = MemoryLoader::new().with("dir/lib/m.nd", "let x = 1");
        assert_eq!(l.load(Path::new("dir/./lib/m.nd")).unwrap(), "let x = 1");
        assert_eq!(l.load(Path::new("dir/none.nd")), Err(LoadError::NotFound));
    }
}
