//! How a case ends: every check held, a check did not hold ([`Failure`]: what was sent, what
//! was expected, what came back), or the case cannot run against this target (a skip with its
//! reason). Kept apart from the case's definition and its context, which both use it.

use serde::Serialize;
use serde_json::Value;

/// Why a case failed: what was sent, what was expected, and what came back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    /// The request that showed the problem (a view with secrets redacted), when there was one.
    pub sent: Option<Value>,
    /// The rule, in words.
    pub expected: String,
    /// What the server answered (status, headers of note, body), or the value that was wrong.
    pub got: Value,
}

/// Why a case stopped early.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// A check did not hold.
    Fail(Box<Failure>),
    /// The case cannot run against this target; the reason says why.
    Skip(String),
}

impl Stop {
    /// A failure without a request to show (a local problem, a transport error).
    pub fn fail(expected: impl Into<String>, got: impl Into<Value>) -> Self {
        Stop::Fail(Box::new(Failure {
            sent: None,
            expected: expected.into(),
            got: got.into(),
        }))
    }

    /// A skip with its reason.
    pub fn skip(reason: impl Into<String>) -> Self {
        Stop::Skip(reason.into())
    }
}

/// What a case's check returns: `Ok` when every check held.
pub type CaseResult = Result<(), Stop>;
