//! Requests a case sends: built with [`Req`], sent and recorded by [`Req::send`].
//!
//! Every request records the exchange (request and response views, secrets redacted, JWTs
//! decoded) in the case's transcript unless marked [`Req::quiet`]. Preparation steps — creating
//! the case's user, obtaining a token for an API case — are quiet, so a transcript shows what the
//! case is about. Redirects are never followed: the suite checks `Location` headers itself.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};

use crate::ctx::Cx;
use crate::outcome::{Failure, Stop};
use crate::view::{self, Entry, Exchange, RequestView, ResponseView};

/// How long one request may take.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

impl Cx {
    /// A request to `path` (on the base URL) or to an absolute URL.
    pub(crate) fn request(&self, method: Method, path: &str) -> Req {
        let url = if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base())
        };
        Req {
            cx: self.clone(),
            method,
            url,
            host: None,
            headers: Vec::new(),
            body: ReqBody::None,
            quiet: false,
            secret_auth: false,
        }
    }

    /// A `GET`.
    pub(crate) fn get(&self, path: &str) -> Req {
        self.request(Method::GET, path)
    }

    /// A `POST`.
    pub(crate) fn post(&self, path: &str) -> Req {
        self.request(Method::POST, path)
    }
}

/// `k=v&…`, every value percent-encoded as a form (`+` for space).
pub(crate) fn encode(params: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish()
}

#[derive(Debug, Clone)]
enum ReqBody {
    None,
    Form(Vec<(String, String)>),
    Json(Value),
    Raw {
        content_type: Option<String>,
        text: String,
    },
}

/// A request being built; [`Req::send`] sends and records it.
#[derive(Debug)]
#[must_use]
pub(crate) struct Req {
    cx: Cx,
    method: Method,
    url: String,
    host: Option<String>,
    headers: Vec<(String, String)>,
    body: ReqBody,
    quiet: bool,
    /// Show `Authorization` as `[redacted]` (the mock's control token).
    secret_auth: bool,
}

impl Req {
    /// A form body (`application/x-www-form-urlencoded`).
    pub(crate) fn form(mut self, pairs: &[(&str, &str)]) -> Self {
        self.body = ReqBody::Form(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        );
        self
    }

    /// A JSON body.
    pub(crate) fn json(mut self, value: Value) -> Self {
        self.body = ReqBody::Json(value);
        self
    }

    /// A body as given, with the given content type (or none).
    pub(crate) fn raw(mut self, content_type: Option<&str>, text: impl Into<String>) -> Self {
        self.body = ReqBody::Raw {
            content_type: content_type.map(str::to_owned),
            text: text.into(),
        };
        self
    }

    /// A header.
    pub(crate) fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    /// `Authorization: Bearer <token>`.
    pub(crate) fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    /// `Authorization: Basic base64(id:secret)`.
    pub(crate) fn basic(self, id: &str, secret: &str) -> Self {
        let creds = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
        self.header("authorization", &format!("Basic {creds}"))
    }

    /// Sends to the base URL's address with this `Host` header (tenant hosts).
    pub(crate) fn host(mut self, host: &str) -> Self {
        self.host = Some(host.to_owned());
        self
    }

    /// Keeps the exchange out of the transcript (preparation steps).
    pub(crate) fn quiet(mut self) -> Self {
        self.quiet = true;
        self
    }

    /// Shows `Authorization` as `[redacted]` in the transcript (the mock's control token).
    pub(crate) fn secret_auth(mut self) -> Self {
        self.secret_auth = true;
        self
    }

    /// Records the exchange in the transcript after all (a control request a case is about).
    pub(crate) fn recorded(mut self) -> Self {
        self.quiet = false;
        self
    }

    fn view(&self) -> RequestView {
        let base = self.cx.base();
        let shown_url = self
            .url
            .strip_prefix(base)
            .filter(|rest| rest.starts_with('/'))
            .map_or_else(|| self.url.clone(), str::to_owned);
        let (path, query) = match shown_url.split_once('?') {
            Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
            None => (shown_url.clone(), None),
        };
        let query = query.map(|q| {
            let pairs: Vec<(String, String)> =
                url::form_urlencoded::parse(q.as_bytes()).into_owned().collect();
            view::pairs_view(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        });
        let mut headers = serde_json::Map::new();
        for (name, value) in &self.headers {
            let shown = if name == "authorization" && self.secret_auth {
                json!({"credentials": "[redacted]"})
            } else if name == "authorization" {
                view::authorization_view(value)
            } else {
                Value::String(value.clone())
            };
            headers.insert(name.clone(), shown);
        }
        let (form, json, body) = match &self.body {
            ReqBody::None => (None, None, None),
            ReqBody::Form(pairs) => (
                Some(view::pairs_view(
                    pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                )),
                None,
                None,
            ),
            ReqBody::Json(v) => (None, Some(view::json_view(v)), None),
            ReqBody::Raw { content_type, text } => {
                if let Some(ct) = content_type {
                    headers.insert("content-type".to_owned(), Value::String(ct.clone()));
                }
                (None, None, Some(view::raw_body_view(text)))
            }
        };
        RequestView {
            method: self.method.to_string(),
            url: path,
            host: self.host.clone(),
            headers,
            query,
            form,
            json,
            body,
        }
    }

    /// Sends the request and records the exchange. A transport error is a failure.
    pub(crate) async fn send(self) -> Result<Resp, Stop> {
        let request_view = self.view();
        let mut builder = self
            .cx
            .shared
            .http
            .request(self.method.clone(), &self.url)
            .timeout(REQUEST_TIMEOUT);
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let (Ok(n), Ok(v)) = (HeaderName::try_from(name.as_str()), HeaderValue::from_str(value)) else {
                return Err(Stop::fail(
                    format!("header {name} to be sendable"),
                    json!({"header": name}),
                ));
            };
            headers.append(n, v);
        }
        if let Some(host) = &self.host {
            let value = HeaderValue::from_str(host).map_err(|e| Stop::fail("a valid Host", e.to_string()))?;
            headers.insert(reqwest::header::HOST, value);
        }
        builder = builder.headers(headers);
        builder = match &self.body {
            ReqBody::None => builder,
            ReqBody::Form(pairs) => builder
                .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(
                    url::form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(pairs)
                        .finish(),
                ),
            ReqBody::Json(v) => builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(v.to_string()),
            ReqBody::Raw { content_type, text } => {
                let b = match content_type {
                    Some(ct) => builder.header(reqwest::header::CONTENT_TYPE, ct.as_str()),
                    None => builder,
                };
                b.body(text.clone())
            }
        };
        let response = match builder.send().await {
            Ok(r) => r,
            Err(e) => {
                return Err(Stop::Fail(Box::new(Failure {
                    sent: serde_json::to_value(&request_view).ok(),
                    expected: "an HTTP answer".to_owned(),
                    got: json!({"transport_error": error_chain(&e)}),
                })));
            }
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.map_err(|e| {
            Stop::fail(
                "a complete response body",
                json!({"transport_error": error_chain(&e)}),
            )
        })?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let content_type = headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let exchange = Exchange {
            request: request_view,
            response: ResponseView {
                status,
                headers: view::headers_view(&headers),
                body: view::body_view(content_type, &text),
            },
        };
        let exchange = Arc::new(exchange);
        if !self.quiet {
            self.cx.log.push(Entry::Exchange(Box::new((*exchange).clone())));
        }
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Resp {
            status,
            headers,
            text,
            json,
            exchange,
        })
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// A response, with its exchange for failure reports.
#[derive(Debug, Clone)]
pub(crate) struct Resp {
    /// The status.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body as text.
    pub text: String,
    /// The body as JSON (`Null` when it is not JSON).
    pub json: Value,
    /// The recorded exchange.
    pub exchange: Arc<Exchange>,
}
