//! Refusals made before a handler decides anything (an extractor's rejection, such as axum's
//! `413 Failed to buffer the request body: length limit exceeded`, or `405`) come as plain text;
//! a client of ilert's API expects every error in the surface's own shape (behaviour.md §8). This layer
//! rewrites such plain-text client errors into that shape, keeping status and meaning: ilert's
//! REST shape under `/api`, the OAuth shape on the token, token info and revoke endpoints, the
//! control surface's shape under `/_mock`. The authorize endpoint answers HTML pages and is left
//! alone.
//!
//! An oversized request head is refused by hyper itself (`431`, no body) before any layer runs;
//! see [`crate::server::MAX_HEAD_BYTES`].

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::body::MAX_BODY_BYTES;
use super::rest_error::rest_error;
use crate::paths;

/// The surface a path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Surface {
    OAuth,
    Control,
    Rest,
    Page,
}

fn surface(path: &str) -> Surface {
    if [paths::TOKEN, paths::TOKEN_INFO, paths::REVOKE].contains(&path) {
        Surface::OAuth
    } else if path == paths::AUTHORIZE {
        Surface::Page
    } else if path == paths::CONTROL || path.starts_with("/_mock/") {
        Surface::Control
    } else {
        Surface::Rest
    }
}

/// What a plain-text refusal means, in words a client can act on.
fn message(status: StatusCode, text: &str) -> String {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        format!("The request body is larger than the mock accepts ({MAX_BODY_BYTES} bytes)")
    } else {
        text.trim().to_owned()
    }
}

/// Rewrites a plain-text client error into the shape of the path's surface.
pub async fn shape<F, Fut>(request: Request, next: F) -> Response
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Response>,
{
    let surface = surface(request.uri().path());
    let response = next(request).await;
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    let status = response.status();
    if !plain || !status.is_client_error() || surface == Surface::Page {
        return response;
    }
    let (parts, body) = response.into_parts();
    // The mock's own rejections are a line of text; more is not a rejection to reshape.
    let Ok(bytes) = axum::body::to_bytes(body, 4096).await else {
        return Response::from_parts(parts, axum::body::Body::empty());
    };
    let text = message(status, &String::from_utf8_lossy(&bytes));
    let mut shaped = match surface {
        Surface::OAuth => {
            let mut r = (
                status,
                axum::Json(json!({"code": "invalid_request", "error": text})),
            )
                .into_response();
            r.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            r
        }
        Surface::Control => (status, axum::Json(json!({"error": text}))).into_response(),
        Surface::Rest | Surface::Page => {
            let code = status
                .canonical_reason()
                .unwrap_or("BAD_REQUEST")
                .to_ascii_uppercase()
                .replace([' ', '-'], "_");
            rest_error(status, &text, &code)
        }
    };
    // CORS and other headers layers added stay; the body's own headers are the new body's.
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            shaped.headers_mut().insert(name.clone(), value.clone());
        }
    }
    shaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_their_surfaces() {
        assert_eq!(surface(paths::TOKEN), Surface::OAuth);
        assert_eq!(surface(paths::AUTHORIZE), Surface::Page);
        assert_eq!(surface("/_mock/faults"), Surface::Control);
        assert_eq!(surface("/api/events"), Surface::Rest);
        assert_eq!(surface("/anything"), Surface::Rest);
    }
}
