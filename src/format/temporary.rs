//! Writing files atomically: each file `bounces` writes is written under a
//! temporary name next to it and renamed into place when complete
//! ([`write_atomically`]), so readers see the old file or the whole new one.
//!
//! The temporary files alive are listed, so that a run interrupted by a
//! signal removes them before it exits ([`remove_temporaries`], called by
//! the binary's signal handler): a cron job killed by a timeout leaves no
//! `.NAME.XXXXXXXXXXXX.tmp` behind, as a run that fails leaves none.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The paths of the temporary files alive, in the order created.
static ALIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn alive() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    // A panic while holding it leaves a list still worth reading.
    ALIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes the temporary files alive, for a run being stopped, and says
/// how many it removed. The list stays locked for good, as the process is
/// about to exit: no thread can make a temporary file after (or drop one),
/// so none is left behind by a writer that was just starting.
pub fn remove_temporaries() -> usize {
    let alive = alive();
    let removed = remove(&alive);
    std::mem::forget(alive);
    removed
}

/// Removes the files at `paths` that are there; how many were.
fn remove(paths: &[PathBuf]) -> usize {
    paths.iter().filter(|path| fs::remove_file(path).is_ok()).count()
}

/// Writes a file under a temporary name in the same directory, then renames
/// it over `path`: readers see the old file or the whole new one, never
/// half of one. Every file `bounces` writes goes through here.
///
/// The temporary file is created exclusively (`O_CREAT | O_EXCL`: a name
/// that exists, a symbolic link included, is never opened, let alone
/// followed) under a name with random letters (`.<name>.XXXXXXXXXXXX.tmp`),
/// by the `tempfile` crate. Its mode is set to `mode` on the open file,
/// whatever the umask, before anything is written, and the rename replaces
/// whatever is at `path` (a symbolic link there is replaced, not followed).
/// On failure only the temporary file this call created is removed, and
/// `path` is left as it was.
pub fn write_atomically(path: &Path, mode: u32, write: impl FnOnce(&mut fs::File) -> io::Result<()>) -> io::Result<()> {
    let mut tmp = temporary(path, mode)?;
    write(tmp.as_file_mut())?;
    put_in_place(tmp, path)
}

/// A temporary file of [`temporary`]: removed when dropped, unless put in
/// place; listed for [`remove_temporaries`] while it lives.
#[derive(Debug)]
pub struct Temporary {
    /// None once put in place.
    file: Option<tempfile::NamedTempFile>,
    path: PathBuf,
}

impl Temporary {
    fn file(&self) -> &tempfile::NamedTempFile {
        self.file.as_ref().expect("a temporary file is only taken by put_in_place, which consumes it")
    }

    /// The open file.
    pub fn as_file(&self) -> &fs::File {
        self.file().as_file()
    }

    /// The open file, to write to.
    pub fn as_file_mut(&mut self) -> &mut fs::File {
        self.file.as_mut().expect("a temporary file is only taken by put_in_place, which consumes it").as_file_mut()
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        // The file itself is removed (unless put in place) by its own drop,
        // after this.
        let mut alive = alive();
        if let Some(at) = alive.iter().rposition(|p| *p == self.path) {
            alive.remove(at);
        }
    }
}

impl Write for Temporary {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.as_file_mut().write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.as_file_mut().write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.as_file_mut().flush()
    }
}

/// The temporary file of [`write_atomically`]: created exclusively next to
/// `path` under a random name, its mode `mode`. Dropped, it is removed.
pub fn temporary(path: &Path, mode: u32) -> io::Result<Temporary> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let prefix = format!(".{name}.");
    // Listed before it exists, so that no signal finds it unlisted.
    let mut alive = alive();
    let file = tempfile::Builder::new().prefix(&prefix).suffix(".tmp").rand_bytes(12).tempfile_in(dir)?;
    alive.push(file.path().to_path_buf());
    drop(alive);
    let tmp = Temporary { path: file.path().to_path_buf(), file: Some(file) };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    Ok(tmp)
}

/// Puts a temporary file of [`temporary`], written, in place at `path`:
/// synced, then renamed over whatever is there.
pub fn put_in_place(mut tmp: Temporary, path: &Path) -> io::Result<()> {
    tmp.as_file().sync_all()?;
    let file = tmp.file.take().expect("a temporary file is put in place once");
    // On error the temporary file is dropped, which removes it; `tmp`,
    // dropped after, takes it off the list.
    file.persist(path).map(drop).map_err(|e| e.error)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A temporary file is listed while it lives, whether it is dropped or
    /// put in place, and `remove_temporaries` removes the listed ones.
    #[test]
    fn temporary_files_are_listed_while_they_live() {
        let dir = tempfile::tempdir().unwrap();
        let listed = |p: &Path| alive().iter().any(|a| a == p);

        let dropped = temporary(&dir.path().join("a.csv"), 0o600).unwrap();
        let dropped_path = dropped.path.clone();
        assert!(listed(&dropped_path) && dropped_path.exists());
        drop(dropped);
        assert!(!listed(&dropped_path) && !dropped_path.exists());

        let mut kept = temporary(&dir.path().join("b.csv"), 0o600).unwrap();
        kept.write_all(b"x\n").unwrap();
        let kept_path = kept.path.clone();
        put_in_place(kept, &dir.path().join("b.csv")).unwrap();
        assert!(!listed(&kept_path) && !kept_path.exists());
        assert_eq!(fs::read(dir.path().join("b.csv")).unwrap(), b"x\n");

        let interrupted = temporary(&dir.path().join("c.csv"), 0o600).unwrap();
        let interrupted_path = interrupted.path.clone();
        // What remove_temporaries does, on this file only (other tests'
        // temporary files are listed too).
        assert_eq!(remove(&[interrupted_path.clone(), dropped_path]), 1, "a file already gone is not counted");
        assert!(!interrupted_path.exists(), "removed while its writer still holds it");
        drop(interrupted);
        assert!(!listed(&interrupted_path));
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "only b.csv is left");
    }
}
