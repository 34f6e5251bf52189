//! What can stop a bench run before it has figures to report.
//!
//! Failures of single requests under load are not errors here: they are counted per scenario
//! (`errors`, `first_error`) and reported with the figures, because a run that answered 99.9 % of
//! its requests is still worth reading. What stops the run is a missing or mute server, a setup
//! request the server refuses, or a measurement that cannot be set up at all.

/// Why the bench stopped.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The embedded fixtures or keys could not be turned into the crypto measurements' inputs.
    #[error("{0}")]
    Crypto(String),
    /// The server binary could not be spawned.
    #[error("cannot start {binary}: {source}")]
    Spawn {
        /// The binary's path.
        binary: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Neither a built server nor `--server PATH`.
    #[error("no server binary at {0}: build it with `cargo build --release -p ilert-mock` or pass --server")]
    NoServer(String),
    /// The server did not behave as the bench needs (its first line, health, setup answers).
    #[error("{0}")]
    Server(String),
    /// The peer given with `--peer-axa` could not be reached or is not the server it should be.
    #[error("peer: {0}")]
    Peer(String),
    /// A socket failed during setup.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A measurement thread panicked or was cancelled.
    #[error("{0}")]
    Task(#[from] tokio::task::JoinError),
}
