//! The journal middleware and `GET/DELETE /_mock/requests`.
//!
//! Every request outside `/_mock` is recorded after it is answered: method, path, query,
//! headers, form fields or the JSON body, status, `Location` and duration, with secrets and
//! codes redacted (see [`crate::journal`]). The same pass hands the audit its facts about the
//! request ([`crate::audit::facts`]) under the journal's number for it.

use std::collections::HashMap;
use std::time::Instant;

use axum::Json;
use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{PREFIX, control_error};
use crate::audit::facts::{Event, Fact, Observed, QueryCredentials, Who};
use crate::changes::Change;
use crate::clock::UnixSeconds;
use crate::http::body::MAX_BODY_BYTES;
use crate::http::body::{self, BodyKind};
use crate::http::ctx::SharedCtx;
use crate::http::{peer, rate_limit};
use crate::journal::{Entry, Filter, Section, SeenToken, redact_header};
use crate::paths;
use crate::protocol::params::Params;
use crate::token::looks_like_jwt;

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

/// Records each request and its answer.
pub async fn record(State(ctx): State<SharedCtx>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if path.starts_with(PREFIX) {
        return next.run(request).await;
    }
    let started = Instant::now();
    let time = ctx.clock.now();
    let limited = rate_limit::counts(&path);
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
    let raw_headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
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
            Err(_) => return control_error(StatusCode::BAD_REQUEST, "the request body could not be read"),
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
    let json = json_raw.clone().map(|value| {
        let (json, json_secrets) = ctx.journal.redact_json(value);
        secrets.extend(json_secrets);
        json
    });
    let method = parts.method.to_string();
    // The JWTs the request carries, before its values are gone.
    let mut carried = request_tokens(&raw_headers, &raw_query, &form_raw, json_raw.as_ref());
    let mut response = next.run(Request::from_parts(parts, body)).await;
    let event = response.extensions_mut().remove::<Event>();
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(|l| {
            let (shown, location_secrets) = ctx.journal.redact_location(l);
            secrets.extend(location_secrets);
            shown
        });
    observed.status = response.status().as_u16();
    if response.status() == StatusCode::TOO_MANY_REQUESTS {
        observed.retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
    }
    let response_headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(k, v)| {
            let value = String::from_utf8_lossy(v.as_bytes());
            let shown = if k == header::LOCATION {
                // As `location` shows it: a code in the redirect is a credential.
                ctx.journal.redact_location(&value).0
            } else {
                redact_header(k.as_str(), &value)
            };
            (k.as_str().to_owned(), shown)
        })
        .collect();
    let (response, answer) = keep_answer(&path, response).await;
    let answer = answer.map(|value| {
        carried.extend(json_tokens("response", &value));
        ctx.journal.redact_answer(value)
    });
    let tokens = carried
        .into_iter()
        .filter_map(|(place, token)| {
            let inspection = ctx
                .journal
                .decode_token(&token, time, |t| ctx.keys.inspect(t, UnixSeconds::MIN).ok())?;
            Some(SeenToken {
                place,
                token: inspection.without_grant_key(),
            })
        })
        .collect();
    let since_start =
        |at: Instant| u64::try_from(at.duration_since(ctx.started).as_micros()).unwrap_or(u64::MAX);
    observed.arrived_us = since_start(started);
    observed.answered_us = since_start(Instant::now());
    let seq = ctx.journal.record(Entry {
        seq: 0,
        time,
        method,
        path,
        query,
        headers,
        form,
        json,
        status: observed.status,
        location,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        response_headers,
        response: answer,
        tokens,
        secrets,
    });
    ctx.audit.record(Fact { seq, observed, event });
    ctx.changes.send(Change::Request(seq));
    response
}

/// The largest answer kept in the journal (a token answer or an error is far smaller).
const MAX_KEPT_ANSWER: u64 = 16 * 1024;

/// Whether the answer to `path` with `status` is kept: the OAuth endpoints' answers (what a
/// developer debugging a flow needs first) and every error.
fn answer_kept(path: &str, status: StatusCode) -> bool {
    status.is_client_error()
        || status.is_server_error()
        || [paths::TOKEN, paths::TOKEN_INFO, paths::REVOKE].contains(&path)
}

/// The response and, when it is kept ([`answer_kept`]) and is JSON of a known, small length,
/// its body parsed. A body of unknown or larger length passes untouched, unread.
async fn keep_answer(path: &str, response: Response) -> (Response, Option<serde_json::Value>) {
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    let small = http_body::Body::size_hint(response.body())
        .exact()
        .is_some_and(|n| n <= MAX_KEPT_ANSWER);
    if !(json && small && answer_kept(path, response.status())) {
        return (response, None);
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => {
            let value = serde_json::from_slice(&bytes).ok();
            (Response::from_parts(parts, Body::from(bytes)), value)
        }
        // Only a body whose stream fails gets here: it is answered empty, as it would have been.
        Err(_) => (Response::from_parts(parts, Body::empty()), None),
    }
}

/// The JWTs a request carries, with where: a bearer `Authorization`, and any query or form
/// field or JSON string (at any depth) that holds one.
fn request_tokens(
    headers: &[(String, String)],
    query: &[(String, String)],
    form: &[(String, String)],
    json: Option<&serde_json::Value>,
) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (name, value) in headers {
        if name == "authorization"
            && let Some((scheme, token)) = value.split_once(' ')
            && scheme.eq_ignore_ascii_case("bearer")
            && looks_like_jwt(token.trim())
        {
            found.push(("request header authorization".to_owned(), token.trim().to_owned()));
        }
    }
    for (section, pairs) in [("query", query), ("form", form)] {
        for (name, value) in pairs {
            if looks_like_jwt(value) {
                found.push((format!("request {section} {name}"), value.clone()));
            }
        }
    }
    if let Some(json) = json {
        found.extend(json_tokens("request json", json));
    }
    found
}

/// The JWTs among the string fields of a JSON value, at any depth, named `{prefix} {field}`.
fn json_tokens(prefix: &str, value: &serde_json::Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, key: &str, value: &serde_json::Value, found: &mut Vec<(String, String)>) {
        match value {
            serde_json::Value::String(text) if looks_like_jwt(text) => {
                found.push((format!("{prefix} {key}"), text.clone()));
            }
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    walk(prefix, k, v, found);
                }
            }
            serde_json::Value::Array(items) => {
                for item in items {
                    walk(prefix, key, item, found);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(prefix, "", value, &mut found);
    // Bounded: a body made of tokens is decoded only so far.
    found.truncate(8);
    found
}

/// `GET /_mock/requests?path=…&limit=…[&format=snapshot]`.
pub async fn list(State(ctx): State<SharedCtx>, Query(query): Query<HashMap<String, String>>) -> Response {
    let limit = match query.get("limit").map(|l| l.parse::<usize>()) {
        None => None,
        Some(Ok(l)) => Some(l),
        Some(Err(_)) => {
            return control_error(StatusCode::BAD_REQUEST, "limit: must be a non-negative integer");
        }
    };
    let filter = Filter {
        path: query.get("path").cloned(),
        limit,
    };
    match query.get("format").map(String::as_str) {
        None | Some("full") => Json(ctx.journal.entries(&filter)).into_response(),
        Some("snapshot") => Json(ctx.journal.snapshot(&filter)).into_response(),
        Some(other) => control_error(
            StatusCode::BAD_REQUEST,
            &format!("format: '{other}' is not one of full, snapshot"),
        ),
    }
}

/// `DELETE /_mock/requests`.
pub async fn clear(State(ctx): State<SharedCtx>) -> Response {
    ctx.journal.clear();
    StatusCode::NO_CONTENT.into_response()
}
