//! Peers measured in the same run: axa's `oauth2-mock-server` (Node), a widely used OAuth2 mock
//! on npm, for the OAuth endpoints, and Stoplight Prism's `prism mock` (Node) on ilert's OpenAPI
//! document, the common OpenAPI mock, for the REST ones ([`Prism`]).
//!
//! Machines differ from run to run, so the mock's speed targets are ratios against peers
//! measured with the same load generator on the same machine in the same minute. axa's server
//! is started by the user (`mock-server/bench/README.md`) and named with `--peer-axa URL`; the bench
//! measures
//!
//! - `GET /userinfo`: answers `{"sub":"johndoe"}` and verifies nothing, the floor of what an
//!   HTTP answer costs on that stack, against the mock's API calls, which verify an RS256 token;
//! - `POST /token` with `grant_type=client_credentials`: one RS256-signed JWT per answer (the
//!   other grants sign two, access and id token), its signed-token rate.
//!
//! Each is preceded by [`WARM_UP`] of unmeasured load, so Node's JIT has optimised the paths.
//! Setup checks that the peer is axa's server (the token is an RS256 JWT, `/userinfo` has a
//! `sub`) and finds its process by the listening port, so its CPU and RSS are read like the
//! mock's, and its version from the package it runs.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::Serialize;

use crate::error::BenchError;
use crate::http::{form, get, once, post, post_form};
use crate::load::{Job, Unit};
use crate::machine::{listening_pid, rss_kib};

/// Unmeasured load before each of the peer's scenarios: V8 optimises a function after it has
/// run hot for a while, and a peer measured cold would flatter the mock.
pub const WARM_UP: std::time::Duration = std::time::Duration::from_secs(1);

/// Scenario name of axa's `/userinfo`.
pub const USERINFO: &str = "axa GET /userinfo";
/// Scenario name of axa's token endpoint.
pub const TOKEN: &str = "axa client_credentials grant";

/// What the report says of a peer.
#[derive(Debug, Serialize)]
pub struct Peer {
    /// Which server.
    pub name: &'static str,
    /// The base URL given.
    pub url: String,
    /// The npm package's version, when its files could be found from the process.
    pub version: Option<String>,
    /// `node --version` of the process's executable.
    pub runtime: Option<String>,
    /// The process listening on the URL's port, when visible.
    pub pid: Option<u32>,
    /// Its RSS before the peer's scenarios, KiB.
    pub rss_kib_before: Option<u64>,
    /// Its RSS after them, KiB.
    pub rss_kib_after: Option<u64>,
}

impl Peer {
    /// The peer `name` given as `url`, listening in process `pid`: its versions read from the
    /// process (`script` names its script argument and its npm package, see [`versions`]) and its
    /// RSS now.
    fn found(name: &'static str, url: &str, pid: Option<u32>, script: (&str, &str)) -> Self {
        let (version, runtime) = pid
            .map(|pid| versions(pid, script.0, script.1))
            .unwrap_or_default();
        Self {
            name,
            url: url.to_owned(),
            version,
            runtime,
            pid,
            rss_kib_before: pid.and_then(rss_kib),
            rss_kib_after: None,
        }
    }

    /// The peer with its RSS after its scenarios.
    fn finished(mut self) -> Self {
        self.rss_kib_after = self.pid.and_then(rss_kib);
        self
    }
}

/// A running axa `oauth2-mock-server`, ready to be measured.
pub struct Axa {
    addr: SocketAddr,
    userinfo: Vec<u8>,
    token: Vec<u8>,
    /// What the report says of it.
    pub peer: Peer,
}

/// Where a peer listens: the address to connect to, the `Host` header and the path prefix.
#[derive(Debug, PartialEq, Eq)]
struct Base {
    host: String,
    port: u16,
    prefix: String,
}

/// Reads `http://HOST:PORT[/PREFIX]`; the load generator speaks plain HTTP/1.1 only.
fn base(given: &str) -> Result<Base, BenchError> {
    let bad = |why: &str| BenchError::Peer(format!("{given:?}: {why}"));
    let url = url::Url::parse(given).map_err(|e| bad(&format!("{e} (give http://HOST:PORT)")))?;
    if url.scheme() != "http" {
        return Err(bad(
            "give an http:// URL (the load generator speaks plain HTTP/1.1)",
        ));
    }
    if !url.username().is_empty() || url.query().is_some() || url.fragment().is_some() {
        return Err(bad("no user, query or fragment: the base URL the server prints"));
    }
    let host = url.host_str().ok_or_else(|| bad("no host"))?;
    Ok(Base {
        host: host.to_owned(),
        port: url.port_or_known_default().unwrap_or(80),
        prefix: url.path().trim_end_matches('/').to_owned(),
    })
}

impl Axa {
    /// Reaches axa's server at `url`, gets a token and builds both requests; with `pin`, moves
    /// its process to that core, as the mock is.
    pub async fn prepare(url: &str, pin: Option<usize>) -> Result<Self, BenchError> {
        let base = base(url)?;
        let host = format!("{}:{}", base.host, base.port);
        let started =
            "is it running? (`mock-server/bench/README.md`: `npx oauth2-mock-server -a 127.0.0.1 -p 8080`)";
        let token = post_form(
            &host,
            &format!("{}/token", base.prefix),
            &form(&[("grant_type", "client_credentials"), ("scope", "profile")]),
        );
        let (addr, reply) = reach(&base, url, &token, started).await?;
        let access = signed_token(reply.status, &reply.body)?;
        let userinfo = get(
            &host,
            &format!("{}/userinfo", base.prefix),
            &format!("Authorization: Bearer {access}\r\n"),
        );
        let answer = once(addr, &userinfo, false).await?;
        expect_field(
            &answer,
            "sub",
            &format!("GET {}/userinfo", base.prefix),
            "axa's oauth2-mock-server",
        )?;
        let pid = peer_process(addr.port(), "axa", pin);
        Ok(Self {
            addr,
            userinfo,
            token,
            peer: Peer::found(
                "axa oauth2-mock-server",
                url,
                pid,
                ("oauth2-mock-server", "oauth2-mock-server"),
            ),
        })
    }

    /// `GET /userinfo` with a bearer token (which axa does not check).
    pub fn userinfo(&self) -> Job {
        Job {
            name: USERINFO,
            addr: self.addr,
            unit: Unit::Request(self.userinfo.clone()),
            signs: false,
        }
    }

    /// `POST /token`, `grant_type=client_credentials`: one signed JWT per answer.
    pub fn token(&self) -> Job {
        Job {
            name: TOKEN,
            addr: self.addr,
            unit: Unit::Request(self.token.clone()),
            signs: true,
        }
    }

    /// Reads the peer's RSS after its scenarios.
    pub fn finish(self) -> Peer {
        self.peer.finished()
    }
}

/// Stoplight Prism's `prism mock` on ilert's OpenAPI document, ready to be measured on the
/// REST operations of the store suite. Prism serves the document's paths at its root (ilert's
/// `/api/alerts` is its `/alerts`), so the URL given is the one where ilert's `/api` lies.
/// Prism keeps nothing: it answers each operation's example, so its figures are what a
/// stateless example server costs, the floor the mock's stateful answers are set against.
pub struct Prism {
    addr: SocketAddr,
    host: String,
    prefix: String,
    /// What the report says of it.
    pub peer: Peer,
}

impl Prism {
    /// Reaches Prism at `url`, checks it answers ilert's `GET /alerts/count` and finds its
    /// process; with `pin`, moves that process to `core`, as the mock is.
    pub async fn prepare(url: &str, pin: Option<usize>) -> Result<Self, BenchError> {
        let base = base(url)?;
        let host = format!("{}:{}", base.host, base.port);
        let started = "is it running? (`mock-server/bench/README.md`: `npx @stoplight/prism-cli mock -h 127.0.0.1 -p 4010 ilert-openapi.yml`)";
        let count = get(&host, &format!("{}/alerts/count", base.prefix), BEARER);
        let (addr, reply) = reach(&base, url, &count, started).await?;
        expect_field(
            &reply,
            "count",
            &format!("GET {}/alerts/count", base.prefix),
            "Prism on ilert's document",
        )?;
        let pid = peer_process(addr.port(), "Prism", pin);
        Ok(Self {
            addr,
            host,
            prefix: base.prefix,
            peer: Peer::found(
                "Stoplight Prism (prism mock)",
                url,
                pid,
                ("prism", "@stoplight/prism-cli"),
            ),
        })
    }

    /// `GET` of `path` (ilert's path under `/api`, with its query) with a bearer token.
    pub fn read(&self, name: &'static str, path: &str) -> Job {
        Job {
            name,
            addr: self.addr,
            unit: Unit::Request(get(&self.host, &format!("{}{path}", self.prefix), BEARER)),
            signs: false,
        }
    }

    /// `POST /events`, event `n` with body `body(n)` (Prism answers 202 and keeps nothing).
    pub fn events(&self, name: &'static str, body: fn(u64) -> Vec<u8>) -> Job {
        let (host, path) = (self.host.clone(), format!("{}/events", self.prefix));
        let seq = std::sync::atomic::AtomicU64::new(0);
        Job {
            name,
            addr: self.addr,
            unit: Unit::Made {
                make: Box::new(move || {
                    let n = seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    post(
                        &host,
                        &path,
                        "application/json",
                        &String::from_utf8_lossy(&body(n)),
                    )
                }),
                status: 202,
            },
            signs: false,
        }
    }

    /// Reads the peer's RSS after its scenarios.
    pub fn finish(self) -> Peer {
        self.peer.finished()
    }
}

/// The bearer header sent to Prism (it checks that the document's security is present, not
/// what it says).
const BEARER: &str = "Authorization: Bearer prism\r\n";

/// Checks that a peer's `answer` to `request` is a 200 whose JSON has `field`; otherwise the
/// peer is not `what` it should be.
fn expect_field(
    answer: &crate::http::Reply,
    field: &str,
    request: &str,
    what: &str,
) -> Result<(), BenchError> {
    let json: serde_json::Value = serde_json::from_slice(&answer.body).unwrap_or_default();
    if answer.status == 200 && json.get(field).is_some() {
        return Ok(());
    }
    Err(BenchError::Peer(format!(
        "{request} answered {}: {} (not {what}?)",
        answer.status,
        String::from_utf8_lossy(&answer.body)
    )))
}

/// The process listening on `port` (the peer `name`), moved to CPU `pin` when given; a note when
/// none is visible (its CPU then counts in `others`).
fn peer_process(port: u16, name: &str, pin: Option<usize>) -> Option<u32> {
    let pid = listening_pid(port);
    match (pid, pin) {
        (Some(pid), Some(core)) => crate::machine::pin_process(pid, core),
        (None, _) => eprintln!(
            "note: no process visible listening on port {port}: {name}'s CPU counts in `others`{}",
            if pin.is_some() {
                " and it is not pinned"
            } else {
                ""
            }
        ),
        _ => {}
    }
    pid
}

/// Sends `request` to the first of `base`'s addresses that answers; the address and the answer.
async fn reach(
    base: &Base,
    url: &str,
    request: &[u8],
    started: &str,
) -> Result<(SocketAddr, crate::http::Reply), BenchError> {
    let candidates = tokio::net::lookup_host((base.host.trim_matches(['[', ']']), base.port))
        .await
        .map_err(|e| BenchError::Peer(format!("cannot resolve {}:{}: {e}", base.host, base.port)))?;
    let mut last = String::from("no address");
    for addr in candidates {
        match once(addr, request, false).await {
            Ok(reply) => return Ok((addr, reply)),
            Err(e) => last = e.to_string(),
        }
    }
    Err(BenchError::Peer(format!("cannot reach {url}: {last}; {started}")))
}

/// The access token of axa's token answer, checked to be an RS256-signed JWT (so its rate is a
/// signed-token rate).
fn signed_token(status: u16, body: &[u8]) -> Result<String, BenchError> {
    let wrong = |why: &str| {
        BenchError::Peer(format!(
            "POST /token answered {status}: {} ({why})",
            String::from_utf8_lossy(body)
        ))
    };
    if status != 200 {
        return Err(wrong("not 200"));
    }
    let json: serde_json::Value = serde_json::from_slice(body).map_err(|_| wrong("not JSON"))?;
    let token = json
        .get("access_token")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| wrong("no access_token"))?;
    let header = token
        .split('.')
        .next()
        .and_then(|h| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(h).ok())
        .and_then(|h| serde_json::from_slice::<serde_json::Value>(&h).ok())
        .ok_or_else(|| wrong("the access token is not a JWT"))?;
    if header.get("alg").and_then(serde_json::Value::as_str) != Some("RS256") || token.split('.').count() != 3
    {
        return Err(wrong("the access token is not an RS256-signed JWT"));
    }
    Ok(token.to_owned())
}

/// The npm package's version and the runtime's, read from the peer's process: its script
/// argument (the first that contains `script`) leads to the package's `package.json` (named
/// `package`), its executable answers `--version`.
fn versions(pid: u32, script: &str, package: &str) -> (Option<String>, Option<String>) {
    let proc = PathBuf::from(format!("/proc/{pid}"));
    let cwd = std::fs::read_link(proc.join("cwd")).unwrap_or_default();
    let version = std::fs::read(proc.join("cmdline"))
        .ok()
        .and_then(|cmdline| {
            cmdline
                .split(|b| *b == 0)
                .filter_map(|arg| std::str::from_utf8(arg).ok())
                .find(|arg| arg.contains(script))
                .map(|arg| cwd.join(arg))
        })
        .and_then(|script| std::fs::canonicalize(script).ok())
        .and_then(|script| package_version(&script, package));
    let runtime = std::fs::read_link(proc.join("exe"))
        .ok()
        .and_then(|exe| std::process::Command::new(exe).arg("--version").output().ok())
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|v| format!("node {}", v.trim()));
    (version, runtime)
}

/// The version in the nearest `package.json` above `file` whose name is `name`.
fn package_version(file: &Path, name: &str) -> Option<String> {
    file.ancestors().skip(1).find_map(|dir| {
        let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
        let json: serde_json::Value = serde_json::from_str(&text).ok()?;
        (json.get("name")?.as_str()? == name).then(|| json.get("version")?.as_str().map(str::to_owned))?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(url: &str) -> Base {
        base(url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    #[test]
    fn base_urls_give_host_port_and_prefix() {
        assert_eq!(
            ok("http://127.0.0.1:8080"),
            Base {
                host: "127.0.0.1".to_owned(),
                port: 8080,
                prefix: String::new()
            }
        );
        assert_eq!(ok("http://localhost:8080/").prefix, "");
        assert_eq!(ok("http://localhost:8080/oauth/").prefix, "/oauth");
        assert_eq!(ok("http://localhost").port, 80);
        let v6 = ok("http://[::1]:9000");
        assert_eq!((v6.host.as_str(), v6.port), ("[::1]", 9000));
        assert_eq!(ok("http://[::1]").port, 80);
    }

    #[test]
    fn urls_the_load_generator_cannot_use_are_refused_with_the_reason() {
        for (url, why) in [
            ("https://127.0.0.1:8080", "http://"),
            ("127.0.0.1:8080", "http://"),
            ("http://127.0.0.1:port", "invalid port"),
            ("http://127.0.0.1:8080/?x=1", "no user, query"),
            ("http://user@127.0.0.1:8080", "no user, query"),
            ("http://:8080", "empty host"),
        ] {
            let err = base(url).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.contains(why), "{url}: {err}");
        }
    }

    #[test]
    fn the_token_answer_must_carry_an_rs256_jwt() {
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"typ":"JWT","kid":"k","alg":"RS256"}"#);
        let body = format!(r#"{{"access_token":"{header}.e30.c2ln","token_type":"Bearer"}}"#);
        assert_eq!(
            signed_token(200, body.as_bytes()).ok(),
            Some(format!("{header}.e30.c2ln"))
        );
        let none = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
        let unsigned = format!(r#"{{"access_token":"{none}.e30."}}"#);
        for (status, body) in [
            (200, unsigned.as_str()),
            (200, r#"{"access_token":"opaque"}"#),
            (200, r#"{"token_type":"Bearer"}"#),
            (200, "<html>"),
            (400, r#"{"error":"invalid_grant"}"#),
        ] {
            assert!(signed_token(status, body.as_bytes()).is_err(), "{body}");
        }
    }

    #[test]
    fn the_package_version_is_read_from_the_nearest_package_of_that_name() {
        let scratch = tempfile::tempdir().expect("scratch directory");
        let dir = scratch.path();
        let dist = dir.join("node_modules/oauth2-mock-server/dist");
        std::fs::create_dir_all(&dist).expect("dirs");
        std::fs::write(
            dir.join("node_modules/oauth2-mock-server/package.json"),
            r#"{"name":"oauth2-mock-server","version":"8.2.3"}"#,
        )
        .expect("package.json");
        std::fs::write(
            dir.join("package.json"),
            r#"{"name":"scratch","version":"1.0.0"}"#,
        )
        .expect("package.json");
        let script = dist.join("oauth2-mock-server.mjs");
        assert_eq!(
            package_version(&script, "oauth2-mock-server").as_deref(),
            Some("8.2.3")
        );
        assert_eq!(package_version(&script, "express"), None);
    }
}
