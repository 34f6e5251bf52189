//! No code: this package only carries the workspace's unified dependency features (see its
//! `Cargo.toml`), so every package of the workspace builds its dependencies the same way.
