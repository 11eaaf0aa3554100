//! Which databases the running `gongkai serve` processes use, so that a command started elsewhere
//! can tell that it is about to create a second, empty database the service does not see.
//!
//! Each `serve` writes one small JSON file, `serve-<pid>.json`, into the runtime directory and
//! removes it when it stops: `$GONGKAI_RUNTIME_DIR`, else `$XDG_RUNTIME_DIR/gongkai`, else
//! `<temp dir>/gongkai-<user>`. A file whose process is gone (a service killed with SIGKILL) is
//! ignored and removed by the next reader. Registration is best effort: a service that cannot write
//! the file still runs (it logs a warning), and commands then only warn about a new database.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A running service, as it registered itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    pub pid: u32,
    /// The database as printed ([`crate::config::DatabaseLocation`]'s display form).
    pub database: String,
    pub data_dir: String,
    /// The address it listens on.
    pub address: String,
    /// When it started (RFC 3339).
    pub started_at: String,
}

/// The directory of the registrations.
pub fn runtime_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("GONGKAI_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("gongkai");
    }
    let user = std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "default".into());
    std::env::temp_dir().join(format!("gongkai-{user}"))
}

/// A service's registration; the file is removed when this is dropped.
#[derive(Debug)]
pub struct Registration {
    path: PathBuf,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Register this process as a running service.
///
/// # Errors
/// The runtime directory or the file cannot be written.
pub fn register(instance: &Instance) -> std::io::Result<Registration> {
    register_in(&runtime_dir(), instance)
}

fn register_in(dir: &Path, instance: &Instance) -> std::io::Result<Registration> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("serve-{}.json", instance.pid));
    let text = serde_json::to_string_pretty(instance).map_err(std::io::Error::other)?;
    // Written whole under a temporary name, then renamed: a reader never sees half a file.
    let partial = dir.join(format!(".serve-{}.json.tmp", instance.pid));
    std::fs::write(&partial, text)?;
    std::fs::rename(&partial, &path)?;
    Ok(Registration { path })
}

/// The services registered and still running.
pub fn running() -> Vec<Instance> {
    running_in(&runtime_dir())
}

fn running_in(dir: &Path) -> Vec<Instance> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.starts_with("serve-") && name.ends_with(".json")) {
            continue;
        }
        let Some(instance) =
            std::fs::read_to_string(&path).ok().and_then(|t| serde_json::from_str::<Instance>(&t).ok())
        else {
            continue;
        };
        if alive(instance.pid) {
            found.push(instance);
        } else {
            let _ = std::fs::remove_file(&path);
        }
    }
    found.sort_by_key(|i| i.pid);
    found
}

/// Whether a process runs with this id (and, where the system says, is a gongkai): on Linux from
/// `/proc`; elsewhere every registered process is taken to be running.
fn alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    if !proc.is_dir() {
        return true;
    }
    let dir = proc.join(pid.to_string());
    match std::fs::read(dir.join("cmdline")) {
        Ok(cmdline) => String::from_utf8_lossy(&cmdline).contains("gongkai"),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(pid: u32) -> Instance {
        Instance {
            pid,
            database: "SQLite /srv/gongkai/gongkai.sqlite3".into(),
            data_dir: "/srv/gongkai".into(),
            address: "127.0.0.1:8080".into(),
            started_at: "2026-01-05T08:00:00Z".into(),
        }
    }

    #[test]
    fn a_registration_is_listed_while_it_lives_and_a_dead_process_is_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        // This test process runs from a binary named gongkai-…: it counts as a running gongkai.
        let me = instance(std::process::id());
        let registration = register_in(dir.path(), &me).unwrap();
        // A process id that cannot exist (above Linux's pid_max).
        let dead = instance(4_194_999);
        std::fs::write(dir.path().join("serve-4194999.json"), serde_json::to_string(&dead).unwrap()).unwrap();
        std::fs::write(dir.path().join("serve-1.json"), "not json").unwrap();
        assert_eq!(running_in(dir.path()), [me]);
        assert!(!dir.path().join("serve-4194999.json").exists(), "the dead process's file is removed");
        drop(registration);
        assert!(running_in(dir.path()).is_empty());
    }
}
