//! Steps the REST cases beyond the shared collection cases ([`super::rest_crud`]) take again
//! and again: a quiet request of a case's own setup, the first listed item, the every-item check
//! of a list and a refusal in the REST error shape.

use reqwest::Method;
use serde_json::Value;

use crate::case::{CaseResult, Stop};
use crate::ctx::Cx;
use crate::req::Resp;

/// A request of the case's own setup or cleanup, kept out of its transcript.
pub(crate) async fn quietly(
    cx: &Cx,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Result<Resp, Stop> {
    let mut request = cx.request(method, path).bearer(token).quiet();
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await
}

/// What `pick` finds in the first item `path` lists (read quietly); skips the case when the
/// list is empty.
pub(crate) async fn first_of(
    cx: &Cx,
    path: &str,
    token: &str,
    pick: fn(&Value) -> Option<i64>,
) -> Result<i64, Stop> {
    let r = quietly(cx, Method::GET, path, token, None).await?;
    r.json
        .as_array()
        .and_then(|l| l.first())
        .and_then(pick)
        .ok_or_else(|| Stop::skip(format!("needs at least one item at {path}")))
}

/// `r` is a 200 with a JSON array whose every item passes `ok` (`expected` says what).
pub(crate) fn each_item(r: &Resp, ok: impl Fn(&Value) -> bool, expected: impl Into<String>) -> CaseResult {
    let all = r.json.as_array().is_some_and(|l| l.iter().all(ok));
    r.ensure(r.status == 200 && all, expected)?;
    Ok(())
}

/// `method path` with a token of `scope` and no body: `status` in the REST error shape.
pub(crate) async fn refused(cx: &Cx, method: Method, path: &str, scope: &str, status: u16) -> CaseResult {
    let token = cx.access_token(scope).await?;
    cx.api(method, path, &token, None).await?.rest_error(status)?;
    Ok(())
}
