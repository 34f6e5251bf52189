//! Where tokens live between requests and between runs.
//!
//! [`TokenStore`] is deliberately synchronous and small (load, save, clear): the stores here
//! touch memory or one local file, and a trait without async methods stays object safe
//! (`Arc<dyn TokenStore>`) without extra crates. [`crate::ApiClient`] calls it while holding its
//! refresh lock, so a store should answer quickly; wrap a slow backend (a database) in a
//! cache if needed.
//!
//! [`FileStore`] writes atomically: a new file with mode `0600` in the same directory, written,
//! `fsync`ed, then renamed over the old one, and the directory `fsync`ed. A crash leaves either
//! the old tokens or the new ones, never half a file, and the refresh token is never readable
//! by other users, not even for a moment.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use parking_lot::Mutex;

use crate::token_set::TokenSet;

/// A token store failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Reading or writing the file failed.
    #[error("could not {action} the token file {}: {source}", path.display())]
    Io {
        /// What was being done (`read`, `write`, `remove`, …).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The file is not a token set written by this client.
    #[error(
        "the token file {} is not readable as tokens ({source}); remove it and sign in again",
        path.display()
    )]
    Format {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
}

/// Keeps one [`TokenSet`] (one user's grant for one app).
pub trait TokenStore: Send + Sync {
    /// The stored tokens, or `None` when nothing is stored.
    fn load(&self) -> Result<Option<TokenSet>, StoreError>;
    /// Replaces the stored tokens.
    fn save(&self, tokens: &TokenSet) -> Result<(), StoreError>;
    /// Forgets the stored tokens.
    fn clear(&self) -> Result<(), StoreError>;
}

/// Keeps tokens in memory, for one process.
#[derive(Debug, Default)]
pub struct MemoryStore {
    tokens: Mutex<Option<TokenSet>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store holding `tokens`.
    pub fn with_tokens(tokens: TokenSet) -> Self {
        Self {
            tokens: Mutex::new(Some(tokens)),
        }
    }
}

impl TokenStore for MemoryStore {
    fn load(&self) -> Result<Option<TokenSet>, StoreError> {
        Ok(self.tokens.lock().clone())
    }

    fn save(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        *self.tokens.lock() = Some(tokens.clone());
        Ok(())
    }

    fn clear(&self) -> Result<(), StoreError> {
        *self.tokens.lock() = None;
        Ok(())
    }
}

/// Keeps tokens in a JSON file readable only by its owner (mode `0600` on Unix).
#[derive(Debug, Clone)]
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    /// A store at `path`. Nothing is touched until the first load or save; a missing parent
    /// directory is created (mode `0700`) on save.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(&self, action: &'static str) -> impl FnOnce(io::Error) -> StoreError + '_ {
        move |source| StoreError::Io {
            action,
            path: self.path.clone(),
            source,
        }
    }

    fn dir(&self) -> PathBuf {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        }
    }
}

impl TokenStore for FileStore {
    fn load(&self) -> Result<Option<TokenSet>, StoreError> {
        let text = match fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io("read")(e)),
        };
        warn_if_shared(&self.path);
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|source| StoreError::Format {
                path: self.path.clone(),
                source,
            })
    }

    fn save(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        let dir = self.dir();
        create_private_dir(&dir).map_err(self.io("create the directory of"))?;
        let mut json = serde_json::to_vec_pretty(tokens).map_err(|source| StoreError::Format {
            path: self.path.clone(),
            source,
        })?;
        json.push(b'\n');
        let name = self
            .path
            .file_name()
            .map_or_else(|| "tokens".into(), |n| n.to_string_lossy().into_owned());
        let temp = dir.join(format!(
            ".{name}.{}.{:016x}.tmp",
            std::process::id(),
            rand::random::<u64>()
        ));
        let written = write_private(&temp, &json).and_then(|()| fs::rename(&temp, &self.path));
        if let Err(e) = written {
            let _ = fs::remove_file(&temp);
            return Err(self.io("write")(e));
        }
        sync_dir(&dir).map_err(self.io("sync the directory of"))
    }

    fn clear(&self) -> Result<(), StoreError> {
        match fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(self.io("remove")(e)),
        }
    }
}

/// Creates `path` (owner only) and writes `bytes` to disk before returning.
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Makes the rename durable (Unix; elsewhere a no-op).
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = (dir, File::open);
        Ok(())
    }
}

fn warn_if_shared(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if let Ok(meta) = fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(
                path = %path.display(),
                "the token file is readable by other users; it will be rewritten with mode 0600 \
                 on the next save"
            );
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token_set::Grant;
    use crate::types::{AccessToken, RefreshToken};

    fn tokens(access: &str) -> TokenSet {
        TokenSet {
            access_token: AccessToken::new(access),
            token_type: "Bearer".into(),
            expires_at: 1_800_003_600,
            scope: "profile source:w".into(),
            refresh_token: Some(RefreshToken::new("refresh")),
            refresh_expires_at: Some(1_831_536_000),
            obtained_at: 1_800_000_000,
            obtained_by: Grant::AuthorizationCode,
        }
    }

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!(
                "ilert-oauth2-{name}-{}-{:x}",
                std::process::id(),
                rand::random::<u64>()
            ));
            Self(dir)
        }

        /// `tokens.json` in the directory (created), holding `contents`.
        fn token_file(&self, contents: &str) -> PathBuf {
            fs::create_dir_all(&self.0).expect("dir");
            let path = self.0.join("tokens.json");
            fs::write(&path, contents).expect("writes");
            path
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn memory_store_round_trip() {
        let store = MemoryStore::new();
        assert_eq!(store.load().expect("loads"), None);
        store.save(&tokens("a")).expect("saves");
        assert_eq!(store.load().expect("loads"), Some(tokens("a")));
        store.clear().expect("clears");
        assert_eq!(store.load().expect("loads"), None);
    }

    #[test]
    fn file_store_round_trip_in_a_new_directory() {
        let tmp = TempDir::new("roundtrip");
        let store = FileStore::new(tmp.0.join("nested").join("tokens.json"));
        assert_eq!(store.load().expect("missing is empty"), None);
        store.save(&tokens("a")).expect("saves");
        assert_eq!(store.load().expect("loads"), Some(tokens("a")));
        store.save(&tokens("b")).expect("overwrites");
        assert_eq!(store.load().expect("loads"), Some(tokens("b")));
        // Only the token file is left: no temporary files.
        let names: Vec<_> = fs::read_dir(tmp.0.join("nested"))
            .expect("lists")
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("tokens.json")]);
        store.clear().expect("clears");
        store.clear().expect("clearing twice is fine");
        assert_eq!(store.load().expect("loads"), None);
    }

    #[cfg(unix)]
    #[test]
    fn file_store_is_owner_only_even_over_a_shared_file() {
        use std::os::unix::fs::PermissionsExt as _;
        let tmp = TempDir::new("mode");
        let path = tmp.token_file("{}");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
        FileStore::new(&path).save(&tokens("a")).expect("saves");
        let mode = fs::metadata(&path).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let created = TempDir::new("mode-dir");
        FileStore::new(created.0.join("tokens.json"))
            .save(&tokens("a"))
            .expect("saves");
        let dir_mode = fs::metadata(&created.0).expect("stat").permissions().mode();
        assert_eq!(dir_mode & 0o777, 0o700);
    }

    #[test]
    fn a_garbled_file_is_a_format_error() {
        let tmp = TempDir::new("garbled");
        let path = tmp.token_file("not json");
        let err = FileStore::new(&path).load().expect_err("garbled");
        assert!(matches!(err, StoreError::Format { .. }));
        assert!(err.to_string().contains("remove it and sign in again"), "{err}");
    }

    #[test]
    fn the_file_holds_plain_json_and_debug_holds_no_secret() {
        let tmp = TempDir::new("json");
        let store = FileStore::new(tmp.0.join("t.json"));
        store.save(&tokens("access-secret")).expect("saves");
        let text = fs::read_to_string(store.path()).expect("reads");
        let value: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(value["access_token"], "access-secret");
        assert_eq!(value["obtained_by"], "authorization_code");
        let printed = format!("{:?}", store.load().expect("loads"));
        assert!(!printed.contains("access-secret"), "{printed}");
    }
}
