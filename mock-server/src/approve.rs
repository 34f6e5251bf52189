//! Approving or denying a pending authorization without a browser, as a named user: what
//! [`MockServer::approve`](crate::MockServer::approve), `ilert-mock approve` and the pytest
//! plugin's `approve` do.
//!
//! It does what a person at the grant view does, over loopback HTTP: load the authorize URL
//! (the grant view), check that the user is one the view offers, and submit the view's form —
//! its hidden fields (the authorize parameters), `user` and `decision=grant|deny` — to the
//! authorize path. The mock treats that POST exactly as a click (same validation, same journal
//! entry, same audit facts), so a test drives the real grant view's choices without
//! `--auto-approve`. The answer is the redirect to the app's `redirect_uri`.
//!
//! Why not a control route: a control route would approve by a path the app under test never
//! takes; the form POST is the path a browser takes (behaviour.md §2), and the one the audit judges.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{Method, StatusCode, header};

use crate::paths;
use crate::transport::{self, Call, TransportError};

/// The longest one approval may take, both requests included.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The largest page read.
const MAX_PAGE_BYTES: usize = 1024 * 1024;

/// What the user chooses at the grant view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Press Grant as this user (a username the view offers).
    Grant(String),
    /// Press Deny.
    Deny,
}

/// Why an authorization could not be approved or denied.
#[derive(Debug, thiserror::Error)]
pub enum ApproveError {
    /// The URL is not an `http`/`https` URL of the authorize path.
    #[error(
        "{url} is not an authorize URL: give the whole URL the app sends the user to, e.g. http://127.0.0.1:4598{path}?client_id=…&response_type=code&redirect_uri=…",
        path = paths::AUTHORIZE
    )]
    NotAnAuthorizeUrl {
        /// The URL given.
        url: String,
    },
    /// The URL points at another server than the mock it was given to.
    #[error("{url} is not served by the mock at {base_url}")]
    OtherServer {
        /// The URL given.
        url: String,
        /// The mock's base URL.
        base_url: String,
    },
    /// HTTPS without a CA to trust.
    #[error(
        "{0} is https: trust the mock's development CA (--ca-cert FILE; ilert-mock --tls --tls-ca-out FILE writes it)"
    )]
    NoCa(String),
    /// The CA holds no usable certificate.
    #[error("the CA certificate is not usable: {0}")]
    Ca(String),
    /// Nothing answered.
    #[error("cannot reach {url}: {source}")]
    Connect {
        /// What was asked.
        url: String,
        /// Why.
        source: std::io::Error,
    },
    /// TLS or HTTP failed on the way.
    #[error("{url}: {message}")]
    Transport {
        /// What was asked.
        url: String,
        /// Why.
        message: String,
    },
    /// No answer in time.
    #[error("{0} did not answer within {secs} s", secs = TIMEOUT.as_secs())]
    Timeout(String),
    /// The grant view does not offer this user (not in the fixtures, or not on the tenant
    /// host's account).
    #[error("the grant view offers no user '{user}'; it offers: {}", offered.join(", "))]
    UnknownUser {
        /// The user asked for.
        user: String,
        /// The usernames the view offers.
        offered: Vec<String>,
    },
    /// The mock redirected at once instead of showing the grant view: it approves this app
    /// automatically (`--auto-approve`, or the app's `auto_approve`).
    #[error(
        "the mock answered the authorize URL with a redirect instead of the grant view ({location}): it approves automatically (--auto-approve or the app's auto_approve); start it without to choose the user"
    )]
    NoGrantView {
        /// Where the mock redirected.
        location: String,
    },
    /// The mock sent the user back to the app with an OAuth error instead of a code (an
    /// invalid scope, a user who cannot approve on this account, …).
    #[error("the mock refused: {error}: {description} (redirect: {location})")]
    Refused {
        /// The `error` parameter (e.g. `invalid_scope`, `access_denied`).
        error: String,
        /// The `error_description` parameter: the mock's words.
        description: String,
        /// The whole redirect.
        location: String,
    },
    /// The mock answered an error page (an unknown client, a redirect URI that does not match,
    /// a refused cross-site post …): its title and hint.
    #[error("the mock answered {status}: {title}. {hint}")]
    Page {
        /// The status.
        status: u16,
        /// The page's heading.
        title: String,
        /// The page's explanation.
        hint: String,
    },
    /// Any other answer.
    #[error("{url} answered {status}, not a grant view or a redirect")]
    Unexpected {
        /// What was asked.
        url: String,
        /// The status.
        status: u16,
    },
}

/// Where to send the requests.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// Connect here instead of resolving the URL's host (a mock in this process). Without it,
    /// `localhost` and `*.localhost` resolve to 127.0.0.1 (RFC 6761 §6.3), other hosts normally.
    pub connect: Option<SocketAddr>,
    /// The CA certificate (PEM) to trust for HTTPS.
    pub ca_pem: Option<Vec<u8>>,
}

/// An answer: status, `Location`, body.
struct Answer {
    status: StatusCode,
    location: Option<String>,
    body: Bytes,
}

/// Loads `authorize_url`'s grant view and submits `choice`; returns the redirect to the app
/// (with `code` and `state` after a grant, `error=access_denied` after a deny).
pub async fn submit(target: &Target, authorize_url: &str, choice: &Choice) -> Result<url::Url, ApproveError> {
    let url = authorize(authorize_url)?;
    tokio::time::timeout(TIMEOUT, run(target, &url, choice))
        .await
        .map_err(|_| ApproveError::Timeout(authorize_url.to_owned()))?
}

/// Parses and checks an authorize URL.
pub(crate) fn authorize(text: &str) -> Result<url::Url, ApproveError> {
    let bad = || ApproveError::NotAnAuthorizeUrl { url: text.to_owned() };
    let url = url::Url::parse(text).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() || url.path() != paths::AUTHORIZE
    {
        return Err(bad());
    }
    Ok(url)
}

async fn run(target: &Target, url: &url::Url, choice: &Choice) -> Result<url::Url, ApproveError> {
    let view = send(target, url, Method::GET, None).await?;
    let form = match view.status {
        StatusCode::OK => GrantForm::parse(&String::from_utf8_lossy(&view.body)).ok_or_else(|| {
            ApproveError::Unexpected {
                url: url.to_string(),
                status: 200,
            }
        })?,
        _ => return Err(refusal(url, view, choice)),
    };
    let mut fields = form.hidden;
    match choice {
        Choice::Grant(user) => {
            if !form.users.iter().any(|u| u == user) {
                return Err(ApproveError::UnknownUser {
                    user: user.clone(),
                    offered: form.users,
                });
            }
            fields.push(("user".to_owned(), user.clone()));
            fields.push(("decision".to_owned(), "grant".to_owned()));
        }
        Choice::Deny => fields.push(("decision".to_owned(), "deny".to_owned())),
    }
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&fields)
        .finish();
    let mut post = url.clone();
    post.set_query(None);
    let answer = send(target, &post, Method::POST, Some(body)).await?;
    match (answer.status, &answer.location) {
        (StatusCode::FOUND, Some(location)) => {
            let redirect = redirect(url, location)?;
            match (choice, oauth_error(&redirect)) {
                (Choice::Grant(_), Some((error, description))) => Err(ApproveError::Refused {
                    error,
                    description,
                    location: location.clone(),
                }),
                _ => Ok(redirect),
            }
        }
        _ => Err(refusal(&post, answer, choice)),
    }
}

/// The error for an answer that is not the expected one.
fn refusal(url: &url::Url, answer: Answer, choice: &Choice) -> ApproveError {
    if let (StatusCode::FOUND, Some(location)) = (answer.status, &answer.location) {
        let parsed = url::Url::parse(location).ok();
        return match parsed.as_ref().and_then(oauth_error) {
            Some((error, description)) if !(error == "access_denied" && *choice == Choice::Deny) => {
                ApproveError::Refused {
                    error,
                    description,
                    location: location.clone(),
                }
            }
            _ => ApproveError::NoGrantView {
                location: location.clone(),
            },
        };
    }
    match error_page(&String::from_utf8_lossy(&answer.body)) {
        Some((title, hint)) if answer.status.is_client_error() => ApproveError::Page {
            status: answer.status.as_u16(),
            title,
            hint,
        },
        _ => ApproveError::Unexpected {
            url: url.to_string(),
            status: answer.status.as_u16(),
        },
    }
}

fn redirect(base: &url::Url, location: &str) -> Result<url::Url, ApproveError> {
    base.join(location).map_err(|e| ApproveError::Transport {
        url: base.to_string(),
        message: format!("the redirect {location} is not a URL: {e}"),
    })
}

/// `error` and `error_description` of a redirect that carries an OAuth error.
fn oauth_error(url: &url::Url) -> Option<(String, String)> {
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    get("error").map(|error| (error, get("error_description").unwrap_or_default()))
}

/// What the grant view's form holds.
#[derive(Debug, PartialEq, Eq)]
struct GrantForm {
    /// The hidden fields, in order: the authorize parameters.
    hidden: Vec<(String, String)>,
    /// The usernames offered (the `user` radio buttons).
    users: Vec<String>,
}

impl GrantForm {
    /// Reads the form of the grant view (`crate::pages::grant_view`); `None` if the page has no
    /// grant form.
    fn parse(html: &str) -> Option<Self> {
        let start = html.find("<form")?;
        let end = start + html[start..].find("</form>")?;
        let form = &html[start..end];
        let mut hidden = Vec::new();
        let mut users = Vec::new();
        for tag in form.split("<input").skip(1) {
            let tag = tag.split('>').next().unwrap_or_default();
            let (kind, name, value) = (
                attribute(tag, "type"),
                attribute(tag, "name"),
                attribute(tag, "value"),
            );
            match (kind.as_deref(), name, value) {
                (Some("hidden"), Some(name), Some(value)) => hidden.push((name, value)),
                (Some("radio"), Some(name), Some(value)) if name == "user" => users.push(value),
                _ => {}
            }
        }
        Some(Self { hidden, users })
    }
}

/// The value of a double-quoted attribute in a tag, entities decoded.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let from = tag.find(&needle)? + needle.len();
    let to = from + tag[from..].find('"')?;
    Some(html_escape::decode_html_entities(&tag[from..to]).into_owned())
}

/// The title and hint of one of the mock's error pages (`crate::pages::error_page`).
fn error_page(html: &str) -> Option<(String, String)> {
    let inner = |open: &str, close: &str, from: usize| -> Option<(String, usize)> {
        let start = from + html[from..].find(open)? + open.len();
        let end = start + html[start..].find(close)?;
        Some((
            html_escape::decode_html_entities(&html[start..end]).into_owned(),
            end,
        ))
    };
    let (title, end) = inner("<h1>", "</h1>", 0)?;
    // The message joins title and hint with ". ".
    let title = title.trim_end_matches('.').to_owned();
    let hint = inner("<p>", "</p>", end).map(|(h, _)| h).unwrap_or_default();
    Some((title, hint))
}

/// One request as a browser's form would send it: the answer's status, `Location` and body.
async fn send(
    target: &Target,
    url: &url::Url,
    method: Method,
    form: Option<String>,
) -> Result<Answer, ApproveError> {
    let answer = transport::send(Call {
        method,
        url,
        connect: target.connect,
        ca_pem: target.ca_pem.as_deref(),
        headers: vec![
            (header::ACCEPT, "text/html".to_owned()),
            (
                header::USER_AGENT,
                concat!("ilert-mock-approve/", env!("CARGO_PKG_VERSION")).to_owned(),
            ),
        ],
        body: form.map(|f| ("application/x-www-form-urlencoded", f)),
        limit: MAX_PAGE_BYTES,
    })
    .await?;
    Ok(Answer {
        status: answer.status,
        location: answer
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: answer.body,
    })
}

impl From<TransportError> for ApproveError {
    fn from(err: TransportError) -> Self {
        match err {
            TransportError::NoCa(url) => ApproveError::NoCa(url),
            TransportError::Ca(message) => ApproveError::Ca(message),
            TransportError::Connect { url, source } => ApproveError::Connect { url, source },
            TransportError::Failed { url, message } => ApproveError::Transport { url, message },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grant_forms_fields_and_users_are_read() {
        let html = r#"<main><form method="post" action="/api/developers/oauth2/authorize"><input type="hidden" name="client_id" value="abc"><input type="hidden" name="state" value="a&amp;b&quot;c"><fieldset><label class="user"><input type="radio" name="user" value="someUser" checked> Some</label><label class="user"><input type="radio" name="user" value="wile"> W</label></fieldset></form></main>"#;
        assert_eq!(
            GrantForm::parse(html),
            Some(GrantForm {
                hidden: vec![
                    ("client_id".into(), "abc".into()),
                    ("state".into(), "a&b\"c".into())
                ],
                users: vec!["someUser".into(), "wile".into()],
            })
        );
        assert_eq!(GrantForm::parse("<main>no form</main>"), None);
    }

    #[test]
    fn an_error_pages_title_and_hint_are_read() {
        let html = "<main class=\"error\" role=\"alert\"><h1>Unknown client &#x27;x&#x27;</h1><p>Check the client_id.</p><p class=\"lead\">…</p></main>";
        assert_eq!(
            error_page(html),
            Some(("Unknown client 'x'".to_owned(), "Check the client_id.".to_owned()))
        );
    }

    #[test]
    fn only_authorize_urls_are_taken() {
        assert!(authorize("http://127.0.0.1:4598/api/developers/oauth2/authorize?client_id=x").is_ok());
        for bad in [
            "127.0.0.1:4598/api/developers/oauth2/authorize",
            "http://127.0.0.1:4598/api/developers/oauth2/token?client_id=x",
            "ftp://127.0.0.1/api/developers/oauth2/authorize",
            "not a url",
        ] {
            assert!(
                matches!(authorize(bad), Err(ApproveError::NotAnAuthorizeUrl { .. })),
                "{bad}"
            );
        }
    }
}
