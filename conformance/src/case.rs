//! What a conformance case is: an id, a title, the rule's source, a severity, tags that say what
//! the case needs, how it shares the server with other cases, and the async check itself.
//!
//! The shape follows the OpenID Foundation's conformance suite: every check is a named condition
//! with a reference to the document it enforces, and a failure says what was sent, what was
//! expected and what came back ([`Failure`]).

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use serde::Serialize;

use crate::ctx::Cx;
pub use crate::outcome::{CaseResult, Failure, Stop};

/// Where a rule comes from, so a run against real ilert can tell documented rules from the
/// mock's own choices (behaviour.md §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// ilert's public developer documentation.
    IlertDoc,
    /// An RFC (used where ilert is silent, behaviour.md §9).
    Rfc,
    /// The mock's own choice or surface (behaviour.md §9, §11).
    Mock,
    /// A line of one of ilert's own clients (iLert/ilert-go, iLert/terraform-provider-ilert):
    /// what production answers where the clients and the document disagree.
    IlertClient,
}

/// The document and section a case enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Source {
    /// What kind of document.
    pub kind: SourceKind,
    /// The page and section, or the RFC and section.
    pub reference: &'static str,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            SourceKind::IlertDoc => write!(f, "ilert-doc {}", self.reference),
            SourceKind::Rfc => f.write_str(self.reference),
            SourceKind::Mock => write!(f, "mock {}", self.reference),
            SourceKind::IlertClient => write!(f, "ilert-client {}", self.reference),
        }
    }
}

/// A rule from ilert's documentation (`page §section`).
pub const fn ilert(reference: &'static str) -> Source {
    Source {
        kind: SourceKind::IlertDoc,
        reference,
    }
}

/// A rule from an RFC (`rfc6749 §4.1.2.1`).
pub const fn rfc(reference: &'static str) -> Source {
    Source {
        kind: SourceKind::Rfc,
        reference,
    }
}

/// A choice of the mock where ilert is silent (`behaviour.md §9 …`).
pub const fn mock(reference: &'static str) -> Source {
    Source {
        kind: SourceKind::Mock,
        reference,
    }
}

/// How bad a failed case is. Only failures make the run fail (exit code 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A contract violation.
    Failure,
    /// Advice: worth fixing, not a violation of a documented rule.
    Warning,
}

/// What a case needs from the server beyond its public endpoints. The runner skips a case
/// whose needs the target cannot meet, before it sends anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tag {
    /// Needs the mock's `/_mock/` controls (clock, admin, faults, run-time users).
    MockOnly,
    /// Needs an authorization code, that is a user's consent in a browser. Against the mock the
    /// suite consents headlessly by posting the grant view's form.
    NeedsBrowser,
    /// Needs an access token: headless against the mock, `--access-token` or `--refresh-token`
    /// elsewhere.
    NeedsToken,
    /// Needs a refresh token: headless against the mock, `--refresh-token` elsewhere.
    NeedsRefreshToken,
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MockOnly => "mock-only",
            Self::NeedsBrowser => "needs-browser",
            Self::NeedsToken => "needs-token",
            Self::NeedsRefreshToken => "needs-refresh-token",
        })
    }
}

/// How a case shares the server with the others (see [`crate::runner`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "mode", content = "lane")]
pub enum Isolation {
    /// Touches only state of its own (its own users, codes and grants): runs concurrently.
    Parallel,
    /// Shares state with the other cases of the named lane (for example a tenant's alert
    /// sources): the lane's cases run one after another, in declaration order, concurrently
    /// with everything else.
    Lane(&'static str),
    /// Changes server-wide state (the clock, the fault queue): runs alone, after the
    /// concurrent phase, and undoes its change when done.
    Alone,
}

/// The part of the contract a case belongs to; also the JUnit test suite and snapshot name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    /// `GET/POST /api/developers/oauth2/authorize` (behaviour.md §2).
    Authorize,
    /// `POST /api/developers/oauth2/token` (behaviour.md §3, §7, §8, §9).
    Token,
    /// The access and refresh JWTs themselves (behaviour.md §4).
    Tokens,
    /// The resource API under `/api/` (behaviour.md §5, §6).
    Api,
    /// `POST /api/developers/oauth2/token_info` (behaviour.md §5).
    TokenInfo,
    /// `POST /api/developers/oauth2/revoke` (behaviour.md §5).
    Revoke,
    /// Cross-origin behaviour (behaviour.md §9).
    Cors,
    /// What protects a running server from web pages and neighbours: the `Host` allow-list,
    /// CSRF refusals, codes kept out of the request journal.
    Security,
    /// Whole flows through the reference client `ilert-oauth2-client`.
    Flows,
}

impl Area {
    /// Every area, in report order.
    pub const ALL: [Area; 9] = [
        Area::Authorize,
        Area::Token,
        Area::Tokens,
        Area::Api,
        Area::TokenInfo,
        Area::Revoke,
        Area::Cors,
        Area::Security,
        Area::Flows,
    ];

    /// The lowercase name (`token_info`).
    pub fn name(self) -> &'static str {
        match self {
            Area::Authorize => "authorize",
            Area::Token => "token",
            Area::Tokens => "tokens",
            Area::Api => "api",
            Area::TokenInfo => "token_info",
            Area::Revoke => "revoke",
            Area::Cors => "cors",
            Area::Security => "security",
            Area::Flows => "flows",
        }
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The future a case's check runs as.
pub type CaseFuture = Pin<Box<dyn Future<Output = CaseResult> + Send>>;

/// The check of a case: a plain function from the case's context to its future.
pub type RunFn = fn(Cx) -> CaseFuture;

/// Turns an `async fn(Cx) -> CaseResult` into a [`RunFn`].
macro_rules! run {
    ($f:path) => {
        |cx| ::std::boxed::Box::pin($f(cx))
    };
}
pub(crate) use run;

/// One conformance case.
#[derive(Clone)]
pub struct Case {
    /// Stable id, `AREA-RULE-NN` (e.g. `AUTHZ-REDIRECT-EXACT-03`).
    pub id: &'static str,
    /// The rule in one line.
    pub title: &'static str,
    /// The part of the contract.
    pub area: Area,
    /// The document and section enforced.
    pub source: Source,
    /// Failure or warning.
    pub severity: Severity,
    /// What the case needs.
    pub tags: &'static [Tag],
    /// How it shares the server.
    pub isolation: Isolation,
    /// The check.
    pub run: RunFn,
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Case")
            .field("id", &self.id)
            .field("area", &self.area)
            .field("source", &self.source)
            .field("severity", &self.severity)
            .field("tags", &self.tags)
            .field("isolation", &self.isolation)
            .finish_non_exhaustive()
    }
}

impl Case {
    /// A parallel, failure-severity case with no needs; refine it with the builder methods.
    pub fn new(area: Area, id: &'static str, title: &'static str, source: Source, run: RunFn) -> Self {
        Self {
            id,
            title,
            area,
            source,
            severity: Severity::Failure,
            tags: &[],
            isolation: Isolation::Parallel,
            run,
        }
    }

    /// Sets the tags.
    #[must_use]
    pub fn tags(mut self, tags: &'static [Tag]) -> Self {
        self.tags = tags;
        self
    }

    /// Makes a failure of this case a warning only.
    #[must_use]
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// Runs the case in a lane with the others sharing `lane`.
    #[must_use]
    pub fn lane(mut self, lane: &'static str) -> Self {
        self.isolation = Isolation::Lane(lane);
        self
    }

    /// Runs the case alone, after the concurrent phase.
    #[must_use]
    pub fn alone(mut self) -> Self {
        self.isolation = Isolation::Alone;
        self
    }

    /// Whether the case carries `tag`.
    pub fn has(&self, tag: Tag) -> bool {
        self.tags.contains(&tag)
    }
}

/// Shorthand tag sets.
pub mod tags {
    use super::Tag;

    /// Needs the mock's controls.
    pub const MOCK: &[Tag] = &[Tag::MockOnly];
    /// Needs a consent (headless on the mock).
    pub const BROWSER: &[Tag] = &[Tag::MockOnly, Tag::NeedsBrowser];
    /// Needs an access token.
    pub const TOKEN: &[Tag] = &[Tag::NeedsToken];
    /// Creates or deletes: the mock only, with a token.
    pub const WRITE: &[Tag] = &[Tag::MockOnly, Tag::NeedsToken];
    /// Needs a refresh token.
    pub const REFRESH: &[Tag] = &[Tag::NeedsRefreshToken];
}
