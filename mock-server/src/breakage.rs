//! Deliberate breakages: switches that make the mock violate one rule of the contract, so a
//! contract suite (ours or a user's) can prove that it notices.
//!
//! Never on unless a test asks for them through [`MockServerBuilder::breakage`]. Each names the
//! rule it breaks.
//!
//! [`MockServerBuilder::breakage`]: crate::MockServerBuilder::breakage

use serde::{Deserialize, Serialize};

/// One rule to break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Breakage {
    /// Token errors use RFC 6749's `{"error", "error_description"}` instead of ilert's
    /// `{"code", "error"}` (breaks behaviour.md §3).
    WrongErrorShape,
    /// Token responses lack `Cache-Control: no-store` (breaks RFC 6749 §5.1).
    MissingNoStore,
    /// A code can be redeemed again (breaks behaviour.md §2 "single use", RFC 6749 §4.1.2).
    AcceptCodeTwice,
    /// Authorize redirects to any `redirect_uri` the request names (breaks behaviour.md §2 exact match,
    /// RFC 9700 §4.1).
    RedirectToUnregisteredUri,
    /// Access tokens carry an extra `iat` claim (breaks behaviour.md §4's exact claim set).
    ExtraJwtClaim,
    /// `invalid_grant` answers 400 instead of ilert's 401 (breaks behaviour.md §8).
    InvalidGrantStatus400,
    /// A refresh token is accepted as a bearer token (breaks behaviour.md §5).
    RefreshTokenAsBearer,
    /// Authorize drops `state` from its redirects (breaks behaviour.md §2, RFC 6749 §4.1.2).
    DropState,
    /// Resource API answers lose the first required property of the operation's documented
    /// response schema, e.g. a user's `email` (breaks behaviour.md §5: answers true to ilert's schema).
    DropRequiredField,
    /// The REST API follows ilert's OpenAPI document where ilert's own clients disagree with it
    /// (`mock-server/docs/reconciliation-resources.md`): creates and subscriber additions answer
    /// the documented status, lookups by name are not served, requests are checked against the
    /// document's enums and formats (roles, time zones, date-times, no e-mail, phone or host
    /// name checks), `include` must be repeated, and uptime percentages are nested as
    /// documented (breaks every `API-RECONCILE-*` case that a schema or an answer decides).
    DocumentToTheLetter,
}

/// The breakages a server runs with (usually none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Breakages(Vec<Breakage>);

impl Breakages {
    /// Adds one.
    pub fn add(&mut self, breakage: Breakage) {
        if !self.0.contains(&breakage) {
            self.0.push(breakage);
        }
    }

    /// Whether `breakage` is on.
    pub fn has(&self, breakage: Breakage) -> bool {
        self.0.contains(&breakage)
    }

    /// Whether none is on.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The switches the rules take, derived once from the breakages: a healthy mock runs with
/// [`Policy::default`]. Handlers hand these values to the rules instead of asking "is this
/// breakage on?" themselves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Policy {
    /// How the authorize rules treat redirect URIs and `state`.
    pub authorize: crate::protocol::authorize::AuthorizePolicy,
    /// Whether a redeemed code is used up.
    pub code_use: crate::protocol::code::CodeUse,
    /// Access tokens carry an extra `iat` claim.
    pub extra_iat_claim: bool,
    /// A refresh token is accepted as a bearer token.
    pub refresh_token_as_bearer: bool,
    /// Resource API answers lose a required property.
    pub drop_required_field: bool,
    /// The REST API answers as the document says where ilert's clients disagree.
    pub document_to_the_letter: bool,
}

impl Breakages {
    /// The policy these breakages make.
    pub fn policy(&self) -> Policy {
        use crate::protocol::code::CodeUse;
        Policy {
            authorize: crate::protocol::authorize::AuthorizePolicy {
                any_redirect_uri: self.has(Breakage::RedirectToUnregisteredUri),
                echo_state: !self.has(Breakage::DropState),
            },
            code_use: if self.has(Breakage::AcceptCodeTwice) {
                CodeUse::Reusable
            } else {
                CodeUse::SingleUse
            },
            extra_iat_claim: self.has(Breakage::ExtraJwtClaim),
            refresh_token_as_bearer: self.has(Breakage::RefreshTokenAsBearer),
            drop_required_field: self.has(Breakage::DropRequiredField),
            document_to_the_letter: self.has(Breakage::DocumentToTheLetter),
        }
    }
}
