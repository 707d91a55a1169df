//! Locating the shared reference data (`shared/data` beside the repository).
#![allow(dead_code)]

use std::path::PathBuf;

/// `ERECEPT_SHARED_DATA` if set, else `<crate>/../../../shared/data`.
pub fn data_dir() -> PathBuf {
    match std::env::var_os("ERECEPT_SHARED_DATA") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
}

/// Opens a data file; a missing file fails the test, it never passes silently.
pub fn open(relative: &str) -> std::fs::File {
    let path = data_dir().join(relative);
    std::fs::File::open(&path).unwrap_or_else(|e| {
        panic!(
            "reference data {} is missing ({e}); set ERECEPT_SHARED_DATA to the shared/data directory",
            path.display()
        )
    })
}
