//! The rate-limit middleware on `/api/...` (see [`crate::rate_limit`]): 429 with `Retry-After`
//! and ilert's REST error shape.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::{SharedCtx, rest_error};

fn client_ip(ctx: &SharedCtx, request: &Request) -> Option<IpAddr> {
    if ctx.options.trust_forwarded {
        let forwarded = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|ip| ip.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// Counts `/api/...` requests per client IP when a limit is configured.
pub async fn limit(State(ctx): State<SharedCtx>, request: Request, next: Next) -> Response {
    let Some(limiter) = &ctx.rate_limiter else {
        return next.run(request).await;
    };
    if !request.uri().path().starts_with("/api/") || request.uri().path() == crate::paths::AUTHORIZE {
        return next.run(request).await;
    }
    let Some(ip) = client_ip(&ctx, &request) else {
        return next.run(request).await;
    };
    match limiter.check(ip, ctx.clock.now()) {
        Ok(remaining) => {
            let mut response = next.run(request).await;
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
