//! The layer that records every request outside `/_mock` and its answer in the journal: method,
//! path, query, headers, form fields or the JSON body, status, `Location` and duration, with
//! secrets and codes redacted (see [`crate::journal`]). What it observes of the request
//! ([`request`]) is taken before the request is served, what it observes of the answer
//! ([`answer`]) after; the same pass hands the audit its facts ([`crate::audit::facts`]) under the
//! journal's number for the request, and tells the dashboard's readers.

mod answer;
mod request;
mod tokens;

use std::time::Instant;

use axum::extract::Request;
use axum::response::Response;

use crate::audit::facts::Fact;
use crate::changes::Change;
use crate::clock::UnixSeconds;
use crate::http::control::PREFIX;
use crate::http::ctx::SharedCtx;
use crate::journal::{Entry, SeenToken};

/// Records each request and its answer.
pub async fn record<F, Fut>(ctx: &SharedCtx, request: Request, next: F) -> Response
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Response>,
{
    let path = request.uri().path().to_owned();
    if path.starts_with(PREFIX) {
        return next(request).await;
    }
    let started = Instant::now();
    let time = ctx.clock.now();
    let (request, mut seen) = match request::observe(ctx, request, path, time, started).await {
        Ok(observed) => observed,
        Err(refused) => return refused,
    };
    let response = next(request).await;
    let (response, answer) = answer::observe(ctx, &mut seen, response).await;
    let request::SeenRequest {
        time,
        started,
        method,
        path,
        query,
        headers,
        form,
        json,
        secrets,
        mut observed,
        carried,
    } = seen;
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
        location: answer.location,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        response_headers: answer.headers,
        response: answer.body,
        tokens,
        secrets,
    });
    ctx.audit.record(Fact {
        seq,
        observed,
        event: answer.event,
    });
    ctx.changes.send(Change::Request(seq));
    response
}
