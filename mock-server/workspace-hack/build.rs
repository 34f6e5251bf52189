//! Present so that cargo applies the package's build-dependencies (hakari's unified features for
//! build scripts and proc macros).

fn main() {}
