//! The layer that holds each answer until the changes its request made are on disk (with
//! `--state-file`; without one it only passes the request on). Inside it, the store queues its
//! changes for the state file's writer instead of waiting on a sync in a runtime thread; the
//! answer then waits for the writer, so concurrent requests share one sync (see
//! [`crate::persist`]).

use axum::extract::Request;
use axum::response::Response;

use super::ctx::SharedCtx;

/// Serves the request, then waits until what it changed is durable.
pub async fn answer<F, Fut>(ctx: &SharedCtx, request: Request, next: F) -> Response
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Response>,
{
    ctx.store.answer_when_durable(next(request)).await
}
