//! `@checkpoint(every: n)`: actor state saved to an embedded SQLite file
//! and read back when the actor restarts.
//!
//! The file is `--checkpoint-db PATH`, else `$NOODLE_CHECKPOINT_DB`, else
//! `checkpoints.sqlite3` in the data directory (`$NOODLE_DATA_DIR`, else
//! `$XDG_DATA_HOME/noodle`, else `~/.local/share/noodle`); `:memory:`
//! keeps it in memory. It is opened on the first checkpoint, so programs
//! without `@checkpoint` never touch it. Rows are keyed by run and actor:
//! a restart restores the state its own run saved, and a run removes its
//! rows when it ends (state holds struct ids, which only mean something to
//! the program that wrote them).

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{Connection, OptionalExtension, params};

use crate::task::lock;

/// Actor numbers for checkpoint keys, unique within a run.
pub(crate) fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

pub(crate) struct Store {
    path: String,
    run: String,
    conn: Mutex<Option<Connection>>,
}

/// Where checkpoints go when nothing is configured.
fn default_path() -> PathBuf {
    let dir = if let Some(d) = std::env::var_os("NOODLE_DATA_DIR") {
        PathBuf::from(d)
    } else if let Some(d) = std::env::var_os("XDG_DATA_HOME") {
        PathBuf::from(d).join("noodle")
    } else if let Some(home) = std::env::var_os("HOME") {
        PathBuf::from(home).join(".local/share/noodle")
    } else {
        PathBuf::from(".noodle")
    };
    dir.join("checkpoints.sqlite3")
}

impl Store {
    /// A store at `configured` (or the environment's or default path);
    /// nothing is opened yet.
    pub(crate) fn new(configured: Option<&str>) -> Store {
        let path = match configured {
            Some(p) => p.to_string(),
            None => match std::env::var("NOODLE_CHECKPOINT_DB") {
                Ok(p) if !p.is_empty() => p,
                _ => default_path().to_string_lossy().into_owned(),
            },
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Store {
            path,
            run: format!("{}-{now}", std::process::id()),
            conn: Mutex::new(None),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, String> {
        let mut conn = lock(&self.conn);
        if conn.is_none() {
            *conn = Some(self.open()?);
        }
        let Some(c) = conn.as_ref() else {
            return Err("the checkpoint store is not open".into());
        };
        f(c).map_err(|e| format!("checkpoint store {}: {e}", self.path))
    }

    fn open(&self) -> Result<Connection, String> {
        let failed = |e: &dyn std::fmt::Display| {
            format!("cannot open the checkpoint store {}: {e}", self.path)
        };
        if self.path != ":memory:"
            && let Some(dir) = std::path::Path::new(&self.path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| failed(&e))?;
        }
        let conn = Connection::open(&self.path).map_err(|e| failed(&e))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|e| failed(&e))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             CREATE TABLE IF NOT EXISTS checkpoints (
                 run TEXT NOT NULL,
                 actor TEXT NOT NULL,
                 saved_at INTEGER NOT NULL,
                 state BLOB NOT NULL,
                 PRIMARY KEY (run, actor)
             );",
        )
        .map_err(|e| failed(&e))?;
        Ok(conn)
    }

    pub(crate) fn save(&self, actor: &str, state: &[u8]) -> Result<(), String> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        self.with(|c| {
            c.execute(
                "INSERT OR REPLACE INTO checkpoints (run, actor, saved_at, state) VALUES (?1, ?2, ?3, ?4)",
                params![self.run, actor, now, state],
            )
            .map(|_| ())
        })
    }

    pub(crate) fn load(&self, actor: &str) -> Result<Option<Vec<u8>>, String> {
        self.with(|c| {
            c.query_row(
                "SELECT state FROM checkpoints WHERE run = ?1 AND actor = ?2",
                params![self.run, actor],
                |row| row.get::<_, Vec<u8>>(0),
            )
            .optional()
        })
    }

    /// Removes this run's rows, if the store was ever opened.
    pub(crate) fn finish(&self) {
        let conn = lock(&self.conn);
        if let Some(c) = conn.as_ref() {
            let _ = c.execute("DELETE FROM checkpoints WHERE run = ?1", params![self.run]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_state_loads_back_and_is_replaced() {
        let store = Store::new(Some(":memory:"));
        assert_eq!(store.load("App.ledger#1"), Ok(None));
        store.save("App.ledger#1", b"one").expect("saves");
        store.save("App.ledger#1", b"two").expect("saves again");
        assert_eq!(store.load("App.ledger#1"), Ok(Some(b"two".to_vec())));
        store.finish();
        assert_eq!(store.load("App.ledger#1"), Ok(None));
    }

    #[test]
    fn a_file_store_is_created_with_its_directory() {
        let dir = std::env::temp_dir().join(format!("noodle-ckpt-{}", next_id()));
        let path = dir.join("sub").join("c.sqlite3");
        let store = Store::new(Some(path.to_str().expect("utf-8 path")));
        store.save("a", b"x").expect("saves");
        assert!(path.exists());
        store.finish();
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_unusable_path_is_an_error() {
        let store = Store::new(Some("/proc/no/such/dir/c.sqlite3"));
        let err = store.save("a", b"x").unwrap_err();
        assert!(err.contains("cannot open the checkpoint store"), "{err}");
    }
}
