//! What the journal observes of a request before it is served: its query, headers and body
//! as recorded (secrets redacted, each redaction noted), the JWTs it carries, and the audit's
//! facts about who sent it. The body is read here (when small enough) and handed on unchanged.

use std::time::Instant;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::Response;

use super::tokens::request_tokens;
use crate::audit::facts::{Observed, QueryCredentials, Who};
use crate::clock::UnixSeconds;
use crate::http::body::MAX_BODY_BYTES;
use crate::http::body::{self, BodyKind};
use crate::http::control::error::control_error;
use crate::http::ctx::SharedCtx;
use crate::http::{api_rate_limit, peer};
use crate::journal::{Secret, Section};
use crate::protocol::params::Params;

/// A request as the journal saw it before it was served.
pub(super) struct SeenRequest {
    /// The mock clock when it arrived.
    pub time: UnixSeconds,
    /// When it arrived (monotonic).
    pub started: Instant,
    /// Method.
    pub method: String,
    /// Path, a key in it redacted.
    pub path: String,
    /// Query, redacted.
    pub query: Vec<(String, String)>,
    /// Headers, redacted.
    pub headers: Vec<(String, String)>,
    /// Form fields, redacted.
    pub form: Vec<(String, String)>,
    /// The JSON body, redacted.
    pub json: Option<serde_json::Value>,
    /// Where each redaction was made (for snapshots' placeholders).
    pub secrets: Vec<Secret>,
    /// The audit's facts so far.
    pub observed: Observed,
    /// The JWTs the request carries, with where.
    pub carried: Vec<(String, String)>,
}

/// What a body is recorded as.
enum Recorded {
    Form(Vec<(String, String)>),
    Json(serde_json::Value),
    Nothing,
}

fn body_fields(content_type: Option<&str>, body: &[u8]) -> Recorded {
    // Only parsed to be recorded: a body the endpoint refuses is recorded as far as it parses.
    // The content-type rules are the endpoints' own (`http::body::kind`); the journal also reads
    // `+json` media types (RFC 6839) as JSON.
    let json = || serde_json::from_slice(body).map_or(Recorded::Nothing, Recorded::Json);
    match body::kind(content_type, body) {
        BodyKind::Json => json(),
        BodyKind::Other(media) if media.ends_with("+json") => json(),
        BodyKind::Form => {
            Params::from_urlencoded(body).map_or(Recorded::Nothing, |p| Recorded::Form(p.pairs().to_vec()))
        }
        _ => Recorded::Nothing,
    }
}

/// Observes `request` (to `path`, arrived at `time` / `started`) and hands it back to be served;
/// a body that cannot be read is answered here.
pub(super) async fn observe(
    ctx: &SharedCtx,
    request: Request,
    path: String,
    time: UnixSeconds,
    started: Instant,
) -> Result<(Request, SeenRequest), Response> {
    let limited = api_rate_limit::counts(&path);
    // The address the rate limit keys on, taken only while a limit is on.
    let peer = match &ctx.rate_limiter {
        Some(_) if limited => peer::client_ip(&request, ctx.options.trust_forwarded),
        _ => None,
    };
    let (parts, body) = request.into_parts();
    let raw_query = parts
        .uri
        .query()
        .and_then(|q| Params::from_urlencoded(q.as_bytes()).ok())
        .map(|p| p.pairs().to_vec())
        .unwrap_or_default();
    let in_query = QueryCredentials::of(&raw_query);
    let mut observed = Observed {
        time,
        limited,
        peer,
        query: in_query,
        query_who: in_query.any().then(|| {
            Box::new(Who::of_query(
                &raw_query,
                |token| {
                    let claims = ctx.keys.access_claims_signed(token)?;
                    Some(Who {
                        app_id: Some(claims.il_a),
                        client_id: None,
                        user: Some(claims.il_u),
                    })
                },
                |client_id, secret| {
                    ctx.store.with(|s| {
                        s.app(client_id)
                            .and_then(|a| a.client_secret.as_ref())
                            .is_some_and(|known| known.matches(secret))
                    })
                },
            ))
        }),
        ..Observed::default()
    };
    let (query, mut secrets) = ctx.journal.redact_params(Section::Query, &raw_query);
    let (path, path_secrets) = ctx.journal.redact_path(&path);
    secrets.extend(path_secrets);
    // Borrowed from the request where the value is text (nearly always): the journal's redacted
    // copy below is the only one made of every header.
    let raw_headers: Vec<(&str, std::borrow::Cow<'_, str>)> = parts
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), String::from_utf8_lossy(v.as_bytes())))
        .collect();
    let (headers, header_secrets) = ctx.journal.redact_headers(&raw_headers);
    observed.bearer = header_secrets
        .iter()
        .find(|s| raw_headers[s.index].0 == "authorization")
        .map(|s| s.fingerprint);
    secrets.extend(header_secrets);
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    // Bodies are read here only when small enough; larger ones pass untouched to be refused.
    let (body, recorded) = match declared {
        Some(len) if len <= MAX_BODY_BYTES => match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
            Ok(bytes) => {
                let content_type = parts
                    .headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok());
                let recorded = body_fields(content_type, &bytes);
                (Body::from(bytes), recorded)
            }
            Err(_) => {
                return Err(control_error(
                    StatusCode::BAD_REQUEST,
                    "the request body could not be read",
                ));
            }
        },
        _ => (body, Recorded::Nothing),
    };
    let (form_raw, json_raw) = match recorded {
        Recorded::Form(pairs) => (pairs, None),
        Recorded::Json(value) => (Vec::new(), Some(value)),
        Recorded::Nothing => (Vec::new(), None),
    };
    let (form, form_secrets) = ctx.journal.redact_params(Section::Form, &form_raw);
    secrets.extend(form_secrets);
    // The JWTs the request carries, before its values are redacted (the body's JSON is redacted
    // in place, not copied).
    let carried = request_tokens(&raw_headers, &raw_query, &form_raw, json_raw.as_ref());
    let json = json_raw.map(|value| {
        let (json, json_secrets) = ctx.journal.redact_json(value);
        secrets.extend(json_secrets);
        json
    });
    let method = parts.method.to_string();
    Ok((
        Request::from_parts(parts, body),
        SeenRequest {
            time,
            started,
            method,
            path,
            query,
            headers,
            form,
            json,
            secrets,
            observed,
            carried,
        },
    ))
}
