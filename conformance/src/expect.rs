//! The checks cases make on a response; each failure carries what was sent, what was expected
//! and what came back.
//!
//! One rule, one case: the status and body shape of each error code are checked by the error
//! row cases (`TOKEN-ERR-*`, behaviour.md §8) with [`Resp::token_error`]. Cases about behaviour (a code
//! used twice, a revoked grant, a rotated refresh token) check only that the request was refused
//! with the right code ([`Resp::refused_with`]), so a wrong status or shape shows up once, in
//! the case that owns the rule, instead of in twenty.

use serde_json::{Value, json};

use crate::case::{Failure, Stop};
use crate::jwt;
use crate::req::Resp;

impl Resp {
    /// A failure of this exchange: `expected` in words, the response as got.
    pub(crate) fn fail(&self, expected: impl Into<String>) -> Stop {
        self.fail_got(
            expected,
            serde_json::to_value(&self.exchange.response).unwrap_or(Value::Null),
        )
    }

    /// A failure of this exchange with another value as got (a decoded claim set, a field).
    pub(crate) fn fail_got(&self, expected: impl Into<String>, got: Value) -> Stop {
        Stop::Fail(Box::new(Failure {
            sent: serde_json::to_value(&self.exchange.request).ok(),
            expected: expected.into(),
            got,
        }))
    }

    /// Fails with `expected` unless `ok`.
    pub(crate) fn ensure(&self, ok: bool, expected: impl Into<String>) -> Result<&Self, Stop> {
        if ok { Ok(self) } else { Err(self.fail(expected)) }
    }

    /// A header's value as text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `Location` header.
    pub(crate) fn location(&self) -> Option<&str> {
        self.header("location")
    }

    /// The decoded query parameters of `Location`.
    pub(crate) fn location_params(&self) -> Vec<(String, String)> {
        self.location()
            .and_then(|l| l.split_once('?'))
            .map(|(_, q)| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default()
    }

    /// One query parameter of `Location`.
    pub(crate) fn location_param(&self, name: &str) -> Option<String> {
        self.location_params()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// A string member of the JSON body.
    pub(crate) fn str_field(&self, key: &str) -> Result<String, Stop> {
        self.json[key]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| self.fail(format!("a JSON body with a string \"{key}\"")))
    }

    /// The status is `want`.
    pub(crate) fn status_is(&self, want: u16) -> Result<&Self, Stop> {
        self.ensure(self.status == want, format!("HTTP {want}"))
    }

    /// `name` is exactly `value`.
    pub(crate) fn header_is(&self, name: &str, value: &str) -> Result<&Self, Stop> {
        self.ensure(
            self.header(name) == Some(value),
            format!("header {name}: {value}"),
        )
    }

    /// `name` is absent.
    pub(crate) fn no_header(&self, name: &str) -> Result<&Self, Stop> {
        self.ensure(self.header(name).is_none(), format!("no {name} header"))
    }

    /// The JSON body is exactly `want` (member order included).
    pub(crate) fn body_is(&self, want: &Value) -> Result<&Self, Stop> {
        let same_order = serde_json::to_string(&self.json).ok() == serde_json::to_string(want).ok();
        self.ensure(same_order, format!("body exactly {want}"))
    }

    /// The body is empty.
    pub(crate) fn body_empty(&self) -> Result<&Self, Stop> {
        self.ensure(self.text.is_empty(), "an empty body")
    }

    /// The JSON body is an object whose member names are exactly `keys` (any order).
    pub(crate) fn keys_are(&self, keys: &[&str]) -> Result<&Self, Stop> {
        let mut got: Vec<&str> = self
            .json
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let mut want = keys.to_vec();
        got.sort_unstable();
        want.sort_unstable();
        self.ensure(
            self.json.is_object() && got == want,
            format!("a JSON object with exactly the members {keys:?}"),
        )
    }

    /// ilert's token-endpoint error (behaviour.md §3, §8): HTTP `status`, body exactly
    /// `{"code": "<code>", "error": "<description>"}` with a non-empty description.
    pub(crate) fn token_error(&self, status: u16, code: &str) -> Result<&Self, Stop> {
        let expected = format!(
            "HTTP {status} with ilert's error body {{\"code\": \"{code}\", \"error\": \"<description>\"}} (exactly these two members)"
        );
        let shape = self.json.as_object().is_some_and(|o| {
            o.len() == 2
                && o.get("code").and_then(Value::as_str) == Some(code)
                && o.get("error")
                    .and_then(Value::as_str)
                    .is_some_and(|d| !d.trim().is_empty())
        });
        self.ensure(self.status == status && shape, expected)
    }

    /// The request was refused (4xx) with error code `code`, in whichever field the server
    /// wrote it (status and shape are the `TOKEN-ERR-*` cases' rules).
    pub(crate) fn refused_with(&self, code: &str) -> Result<&Self, Stop> {
        let got = self.json["code"].as_str().or_else(|| self.json["error"].as_str());
        self.ensure(
            (400..500).contains(&self.status) && got == Some(code),
            format!("refused (4xx) with error code {code}"),
        )
    }

    /// ilert's REST error (behaviour.md §8): HTTP `status`, body exactly `{"status", "message", "code"}`
    /// with `status` equal to the HTTP status.
    pub(crate) fn rest_error(&self, status: u16) -> Result<&Self, Stop> {
        let shape = self.json.as_object().is_some_and(|o| {
            o.len() == 3
                && o.get("status").and_then(Value::as_u64) == Some(u64::from(status))
                && o.get("message").is_some_and(Value::is_string)
                && o.get("code").is_some_and(Value::is_string)
        });
        self.ensure(
            self.status == status && shape,
            format!(
                "HTTP {status} with ilert's REST error body {{\"status\": {status}, \"message\", \"code\"}}"
            ),
        )
    }

    /// ilert's REST error with `status` whose message contains `needle`; `what` says what the
    /// message should name.
    pub(crate) fn rest_error_naming(
        &self,
        status: u16,
        needle: &str,
        what: impl Into<String>,
    ) -> Result<&Self, Stop> {
        self.rest_error(status)?;
        self.ensure(
            self.json["message"].as_str().is_some_and(|m| m.contains(needle)),
            what,
        )
    }

    /// An error page (RFC 6749 §4.1.2.1): HTTP 400, HTML, and no redirect at all.
    pub(crate) fn error_page(&self) -> Result<&Self, Stop> {
        let html = self
            .header("content-type")
            .is_some_and(|c| c.starts_with("text/html"));
        self.ensure(
            self.status == 400 && self.location().is_none() && html,
            "HTTP 400 with an HTML error page and no Location: the user is not redirected",
        )
    }

    /// An error redirect (RFC 6749 §4.1.2.1, ilert "In case of an error"): `302 Found` to the
    /// registered `redirect_uri` with `error` = `code` and an `error_description`, and no `code`.
    pub(crate) fn error_redirect(&self, redirect_uri: &str, error: &str) -> Result<&Self, Stop> {
        let to_uri = self
            .location()
            .is_some_and(|l| l.split('?').next() == Some(redirect_uri));
        self.ensure(
            self.status == 302
                && to_uri
                && self.location_param("error").as_deref() == Some(error)
                && self
                    .location_param("error_description")
                    .is_some_and(|d| !d.is_empty())
                && self.location_param("code").is_none(),
            format!("302 Found to {redirect_uri}?error={error}&error_description=… (no code)"),
        )
    }

    /// A JWT from the JSON body, decoded.
    pub(crate) fn jwt(&self, field: &str) -> Result<jwt::Decoded, Stop> {
        let token = self.str_field(field)?;
        jwt::decode(&token).ok_or_else(|| self.fail(format!("\"{field}\" is a compact JWS (JWT)")))
    }
}

/// A failure about a value that is not a response (a decoded token).
pub(crate) fn fail_value(expected: impl Into<String>, got: Value) -> Stop {
    Stop::fail(expected, got)
}

/// `{"header": …, "claims": …}` of a decoded token, for failure reports.
pub(crate) fn decoded_view(d: &jwt::Decoded) -> Value {
    json!({"header": d.header, "claims": d.claims})
}
