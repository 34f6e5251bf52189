//! The catalogue: one module per part of the contract, each a list of [`Case`]s.
//!
//! Ids are `AREA-RULE-NN`. Areas: `AUTHZ` (authorize), `TOKEN` (token endpoint; `TOKEN-ERR-*`
//! are the error rows of behaviour.md §8 and §9), `TOKENS` (the JWTs), `API` (resource API),
//! `TOKENINFO`, `REVOKE`, `CORS`, `SEC` (the server's protection from web pages and neighbours),
//! and `FLOW` (whole flows through the reference client).

mod api;
mod authorize;
mod cors;
mod flows;
mod pkce_guide;
mod redirect_exact;
mod rest_alerting;
mod rest_collections;
mod rest_crud;
mod rest_incidents;
mod rest_ingest;
mod rest_oncall;
mod rest_reconcile;
mod rest_reconcile_events;
mod rest_status_pages;
mod rest_steps;
mod revoke;
mod security;
mod token;
mod token_info;
mod tokens;

use crate::case::{Case, CaseResult};
use crate::ctx::Cx;
use crate::target::App;

/// Every case, in catalogue order.
pub fn all() -> Vec<Case> {
    let mut cases = Vec::new();
    cases.extend(authorize::cases());
    cases.extend(token::cases());
    cases.extend(pkce_guide::cases());
    cases.extend(tokens::cases());
    cases.extend(api::cases());
    cases.extend(rest_alerting::cases());
    cases.extend(rest_oncall::cases());
    cases.extend(token_info::cases());
    cases.extend(revoke::cases());
    cases.extend(cors::cases());
    cases.extend(security::cases());
    cases.extend(flows::cases());
    cases.extend(rest_incidents::cases());
    cases.extend(rest_status_pages::cases());
    cases.extend(rest_collections::cases().into_iter().chain(rest_ingest::cases()));
    cases.extend(rest_reconcile::cases());
    cases.extend(rest_reconcile_events::cases());
    cases
}

/// Authorize parameters being edited: start from a valid request, then change one thing.
#[derive(Debug, Clone)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// A valid request of `app` for `scope` with `state=conformance-state`.
    pub(crate) fn valid(app: &App, scope: &str) -> Self {
        Self(vec![
            ("client_id".to_owned(), app.client_id.clone()),
            ("response_type".to_owned(), "code".to_owned()),
            ("redirect_uri".to_owned(), app.redirect_uri.clone()),
            ("scope".to_owned(), scope.to_owned()),
            ("state".to_owned(), "conformance-state".to_owned()),
        ])
    }

    /// Replaces `key` (or adds it).
    pub(crate) fn set(mut self, key: &str, value: &str) -> Self {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value.to_owned(),
            None => self.0.push((key.to_owned(), value.to_owned())),
        }
        self
    }

    /// Adds `key` again, after any existing one.
    pub(crate) fn add(mut self, key: &str, value: &str) -> Self {
        self.0.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Removes `key`.
    pub(crate) fn without(mut self, key: &str) -> Self {
        self.0.retain(|(k, _)| k != key);
        self
    }

    /// The pairs, borrowed.
    pub(crate) fn pairs(&self) -> Vec<(&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }
}

/// An OAuth endpoint posted an empty form answers 400 `invalid_request` in the OAuth error
/// shape (RFC 7009 §2.1 for revocation, RFC 7662 §2.1 for introspection).
async fn empty_form_refused(cx: &Cx, path: &str) -> CaseResult {
    cx.post(path)
        .form(&[])
        .send()
        .await?
        .token_error(400, "invalid_request")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let cases = super::all();
        assert!(cases.len() >= 60, "{} cases", cases.len());
        let mut seen = HashSet::new();
        for c in &cases {
            assert!(seen.insert(c.id), "duplicate id {}", c.id);
            assert!(
                c.id.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                c.id
            );
            assert!(c.id.rsplit('-').next().is_some_and(|n| n.len() == 2), "{}", c.id);
        }
    }
}
