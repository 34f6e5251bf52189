//! `POST /api/developers/oauth2/token` (behaviour.md §3): both grants, form or JSON, the secret in the
//! body, by HTTP Basic, or (after PKCE) not at all.
//!
//! One straight road: the body is parsed once into a [`TokenRequest`]
//! (`protocol::token_request`), the state runs it under one lock (`state::MockState::grant`:
//! client authentication, then the code or refresh rules), the keys sign what it issued (inline
//! when the runtime has one worker, else on the blocking pool: [`signing_place`]), and the answer is ilert's JSON or an [`OAuthFailure`].

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::body;
use super::ctx::SharedCtx;
use super::oauth_error::{OAuthFailure, no_store};
use crate::audit::facts::{Event, Issued, TokenGrant, TokenUse};
use crate::protocol::client_auth;
use crate::protocol::error::{ErrorCode, OAuthError};
use crate::protocol::params::Params;
use crate::protocol::token_request::TokenRequest;
use crate::token::{ACCESS_TOKEN_LIFETIME, SignedTokens};

/// ilert's success body, field order as documented.
#[derive(Serialize)]
struct TokenResponse {
    token_type: &'static str,
    access_token: String,
    expires_in: i64,
    scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token_expires_in: Option<i64>,
}

impl From<SignedTokens> for TokenResponse {
    fn from(signed: SignedTokens) -> Self {
        Self {
            token_type: "Bearer",
            access_token: signed.access_token,
            expires_in: ACCESS_TOKEN_LIFETIME,
            scope: signed.scope,
            refresh_token: signed.refresh_token,
            refresh_token_expires_in: signed.refresh_expires_in,
        }
    }
}

fn server_error() -> OAuthError {
    OAuthError::new(ErrorCode::ServerError, "the token could not be signed")
}

/// Where an RS256 signature (about 0.65 ms of one core) is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SigningPlace {
    /// On the worker that runs the request.
    Inline,
    /// On tokio's blocking pool, the worker awaiting it.
    Blocking,
}

/// Where this runtime should sign.
///
/// A multi-thread runtime with a single worker (the binary given one core: `taskset`, a cgroup
/// quota, a one-CPU container) signs inline: no other core exists to run the async work
/// meanwhile, so a hand-off to the blocking pool only adds two thread switches and two futex
/// calls per token (`ilert-mock-bench` pinned, quiet machine: 890 µs of server CPU per refresh
/// grant with the hand-off, 816-875 µs without, the signature itself about 700). Any other runtime hands off: with several workers a signature
/// must not hold up the connections queued on its worker, and a current-thread runtime (a test
/// embedding the mock) would otherwise serve nothing else, its client included, while signing.
/// `block_in_place` is no cheaper there (it wakes a thread to take over the worker's queue) and
/// panics on a current-thread runtime.
fn signing_place() -> SigningPlace {
    let handle = tokio::runtime::Handle::current();
    let single_worker = handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread
        && handle.metrics().num_workers() == 1;
    if single_worker {
        SigningPlace::Inline
    } else {
        SigningPlace::Blocking
    }
}

/// What the audit learns of a token request's body, before it is answered.
fn token_use(ctx: &SharedCtx, params: &Params, authorization: Option<&str>) -> TokenUse {
    let value = |name: &str| params.get(name).ok().flatten();
    let print = |name: &str| value(name).map(|v| ctx.journal.fingerprint(v));
    TokenUse {
        grant: match value("grant_type") {
            Some("authorization_code") => TokenGrant::Code,
            Some("refresh_token") => TokenGrant::Refresh,
            _ => TokenGrant::Other,
        },
        client_id: value("client_id").map(str::to_owned),
        with_secret: client_auth::uses_basic(authorization) || value("client_secret").is_some(),
        code: print("code"),
        refresh_in: print("refresh_token"),
        ..TokenUse::new()
    }
}

async fn grant(
    ctx: &SharedCtx,
    headers: &HeaderMap,
    body: &[u8],
    audit: &mut TokenUse,
) -> Result<TokenResponse, OAuthError> {
    let params = body::parse(headers, body)?;
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    *audit = token_use(ctx, &params, authorization);
    // The audit names the app only once the request proved to be it (below): anyone can post a
    // client id, a web page's form too.
    audit.client_id = None;
    let request = TokenRequest::parse(&params, authorization)?;
    let now = ctx.clock.now();
    let policy = ctx.policy;
    let (issued, limit_revoked) = ctx.store.with(|s| {
        let before = s.grants.limit_revocations();
        let issued = s.grant(&request, &ctx.keys, now, policy.code_use);
        (issued, s.grants.limit_revocations() - before)
    });
    audit.limit_revoked = limit_revoked;
    // Proven: tokens were issued, or the app's client secret was right.
    let client = request.client();
    let proven = issued.is_ok()
        || ctx.store.with(|s| {
            crate::protocol::client_auth::authenticate(client, s.app(&client.client_id))
                .is_ok_and(|a| a.with_secret)
        });
    if proven {
        audit.client_id = Some(client.client_id.clone());
    }
    let issued = issued?;
    audit.issued = Some(Issued {
        app_id: issued.access.il_a,
        user: issued.access.il_u.clone(),
        scope: issued.access.il_s.clone(),
    });
    // One signing per core at a time: requests beyond that wait their turn in order instead of
    // time-sharing the cores with each other and with the workers that read and write.
    let _turn = ctx.signers.acquire().await.map_err(|_| server_error())?;
    let signed = match signing_place() {
        SigningPlace::Inline => ctx.keys.sign(&issued, policy.extra_iat_claim),
        SigningPlace::Blocking => {
            let signer = ctx.clone();
            tokio::task::spawn_blocking(move || signer.keys.sign(&issued, policy.extra_iat_claim))
                .await
                .map_err(|_| server_error())?
        }
    }
    .map_err(|_| server_error())?;
    audit.refresh_out = signed
        .refresh_token
        .as_deref()
        .map(|t| ctx.journal.fingerprint(t));
    Ok(signed.into())
}

/// Handles a token request; the answer carries the audit's [`TokenUse`] as an extension.
pub async fn handle(
    State(ctx): State<SharedCtx>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    // An unreadable body keeps its own status (413); everything else answers by its error code.
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return OAuthFailure::from(body::rejected(rejection)).into_response(),
    };
    let basic = client_auth::uses_basic(headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()));
    let mut audit = TokenUse::new();
    let mut response = match grant(&ctx, &headers, &body, &mut audit).await {
        Ok(tokens) => no_store(Json(tokens).into_response()),
        Err(err) => {
            audit.error = Some(err.code);
            audit.issued = None;
            OAuthFailure::from(err).basic(basic).into_response()
        }
    };
    response.extensions_mut().insert(Event::Token(Box::new(audit)));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place_on(mut builder: tokio::runtime::Builder) -> SigningPlace {
        builder
            .build()
            .expect("runtime")
            .block_on(async { signing_place() })
    }

    #[test]
    fn only_a_single_worker_signs_inline() {
        let mut one = tokio::runtime::Builder::new_multi_thread();
        one.worker_threads(1);
        assert_eq!(place_on(one), SigningPlace::Inline);
        let mut two = tokio::runtime::Builder::new_multi_thread();
        two.worker_threads(2);
        assert_eq!(place_on(two), SigningPlace::Blocking);
        assert_eq!(
            place_on(tokio::runtime::Builder::new_current_thread()),
            SigningPlace::Blocking
        );
    }
}
