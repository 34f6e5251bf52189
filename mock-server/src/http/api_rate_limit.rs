//! The rate-limit middleware on `/api/...` (see [`crate::rate_limit`]): 429 with `Retry-After`
//! and ilert's REST error shape.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use super::ctx::SharedCtx;
use super::rest_error::rest_error;

/// Whether the rate limit counts requests to `path`: `/api/...` except the browser's authorize
/// page.
pub fn counts(path: &str) -> bool {
    path.starts_with("/api/") && path != crate::paths::AUTHORIZE
}

/// Counts `/api/...` requests per client IP when a limit is configured.
pub async fn limit<F, Fut>(ctx: &SharedCtx, request: Request, next: F) -> Response
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Response>,
{
    let Some(limiter) = &ctx.rate_limiter else {
        return next(request).await;
    };
    if !counts(request.uri().path()) {
        return next(request).await;
    }
    // Behind a trusted proxy, the address the proxy appended (see [`super::peer`]).
    let Some(ip) = super::peer::client_ip(&request, ctx.options.trust_forwarded) else {
        return next(request).await;
    };
    match limiter.check(ip, ctx.clock.now()) {
        Ok(remaining) => {
            let mut response = next(request).await;
            let headers = response.headers_mut();
            headers.insert("x-ratelimit-limit", HeaderValue::from(limiter.limit()));
            headers.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
            response
        }
        Err(retry_after) => {
            let mut response = rest_error(
                StatusCode::TOO_MANY_REQUESTS,
                &format!(
                    "Too many requests: at most {} API requests per minute per IP",
                    limiter.limit()
                ),
                "RATE_LIMITED",
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after.max(1)));
            response
        }
    }
}
