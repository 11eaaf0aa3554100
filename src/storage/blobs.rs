//! The content-addressed store of document files under `files.dir`: a file with SHA-256
//! `abcdef…` is kept once, at `ab/abcdef…`, and never changed or deleted (documents are withdrawn,
//! not removed). Because a blob's name is its content's hash, copying the store is safe at any time
//! and in any order, and `cp -n` or `rsync --ignore-existing` is a complete incremental backup.
//!
//! A blob is written before the transaction that records its document commits. When that
//! transaction rolls back (a refusal found late, a concurrent change, a crash), the blob stays
//! behind unreferenced: harmless — it is never served (only documents are, by their row's hash),
//! an identical upload later reuses it, and a backup copies only the blobs its documents name.

use std::fs::{self, File};
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};

use crate::domain::documents::{is_sha256_hex, sha256_hex};

/// The blob store rooted at a directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobStore {
    root: PathBuf,
}

/// What [`BlobStore::put`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Put {
    /// A new blob was written.
    Written,
    /// A blob with this content was already stored; nothing was written.
    Existing,
}

impl BlobStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the blob with `sha256` is (or would be).
    ///
    /// # Errors
    /// `InvalidInput` when `sha256` is not 64 lower-case hex digits (so a hash can never name a
    /// path outside the store).
    pub fn path_of(&self, sha256: &str) -> io::Result<PathBuf> {
        if !is_sha256_hex(sha256) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("not a SHA-256: {sha256:?}")));
        }
        Ok(self.root.join(&sha256[..2]).join(sha256))
    }

    /// Whether the blob with `sha256` is stored.
    pub fn contains(&self, sha256: &str) -> bool {
        self.path_of(sha256).is_ok_and(|p| p.is_file())
    }

    /// Store `bytes`, whose SHA-256 is `sha256`, unless a blob with that content is there already:
    /// written to a temporary file in the blob's directory, flushed to disk, then renamed into
    /// place (a reader never sees a partial blob; a crash leaves at most a temporary file).
    ///
    /// # Errors
    /// `InvalidInput` when `sha256` is not the hash of `bytes`; an I/O error.
    pub fn put(&self, sha256: &str, bytes: &[u8]) -> io::Result<Put> {
        let path = self.path_of(sha256)?;
        if sha256_hex(bytes) != sha256 {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "the content does not have this SHA-256"));
        }
        if path.is_file() {
            return Ok(Put::Existing);
        }
        let dir = path.parent().unwrap_or(&self.root);
        fs::create_dir_all(dir)?;
        let mut temp = tempfile::Builder::new().prefix(".incoming-").tempfile_in(dir)?;
        temp.write_all(bytes)?;
        temp.as_file().sync_all()?;
        // Two uploads of one new file may race here: both renames put the same bytes in place.
        temp.persist(&path).map_err(|e| e.error)?;
        sync_dir(dir);
        Ok(Put::Written)
    }

    /// The bytes of the blob with `sha256`.
    ///
    /// # Errors
    /// `NotFound` when it is not stored; an I/O error.
    pub fn read(&self, sha256: &str) -> io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        File::open(self.path_of(sha256)?)?.read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    /// Check that the blob with `sha256` is stored and its content has that hash.
    ///
    /// # Errors
    /// `NotFound` when missing, `InvalidData` when its content differs, an I/O error.
    pub fn verify(&self, sha256: &str) -> io::Result<u64> {
        let bytes = self.read(sha256)?;
        if sha256_hex(&bytes) != sha256 {
            return Err(io::Error::new(io::ErrorKind::InvalidData, format!("blob {sha256} is damaged")));
        }
        Ok(u64::try_from(bytes.len()).unwrap_or(u64::MAX))
    }

    /// Copy the blob with `sha256` from this store into `target` unless it is there already
    /// (blobs never change, so one that exists is the same); whether it was copied.
    ///
    /// # Errors
    /// The blob is missing or damaged here, or cannot be written there.
    pub fn copy_to(&self, target: &BlobStore, sha256: &str) -> io::Result<bool> {
        if target.contains(sha256) {
            return Ok(false);
        }
        let bytes = self.read(sha256)?;
        Ok(target.put(sha256, &bytes)? == Put::Written)
    }
}

/// Make a rename durable (POSIX: the directory entry is on disk once the directory is synced).
/// Best effort: not every platform can open a directory.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blob_is_stored_once_under_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::new(dir.path().join("files"));
        let sha = sha256_hex(b"%PDF-1.7");
        assert_eq!(store.put(&sha, b"%PDF-1.7").unwrap(), Put::Written);
        assert_eq!(store.put(&sha, b"%PDF-1.7").unwrap(), Put::Existing);
        let path = store.path_of(&sha).unwrap();
        assert!(path.starts_with(dir.path().join("files").join(&sha[..2])));
        assert_eq!(store.read(&sha).unwrap(), b"%PDF-1.7");
        assert_eq!(store.verify(&sha).unwrap(), 8);
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
    }

    #[test]
    fn a_wrong_hash_or_a_path_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::new(dir.path());
        assert!(store.put(&sha256_hex(b"a"), b"b").is_err());
        assert!(store.path_of("../../etc/passwd").is_err());
        assert!(!store.contains("zz"));
    }

    #[test]
    fn copies_skip_what_the_target_has_and_damage_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (BlobStore::new(dir.path().join("a")), BlobStore::new(dir.path().join("b")));
        let sha = sha256_hex(b"x");
        a.put(&sha, b"x").unwrap();
        assert!(a.copy_to(&b, &sha).unwrap());
        assert!(!a.copy_to(&b, &sha).unwrap());
        fs::write(b.path_of(&sha).unwrap(), b"y").unwrap();
        assert_eq!(b.verify(&sha).unwrap_err().kind(), io::ErrorKind::InvalidData);
    }
}
