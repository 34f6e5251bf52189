//! The mock's `/_mock` surface as cases use it: a user of the case's own (so grants, limits and
//! revocations of cases running at the same time never touch it), control requests with the
//! run's control token, and the mock's clock.

use std::sync::atomic::Ordering;

use reqwest::Method;
use serde_json::json;

use crate::ctx::Cx;
use crate::outcome::Stop;
use crate::req::Req;

impl Cx {
    /// A user of this case's own in `tenant` (mock only), so grants, limits and revocations
    /// of other cases running at the same time never touch it. Named after the case
    /// (`token-grant-limit-01-1`), so runs are reproducible.
    pub(crate) async fn user(&self, tenant: &str) -> Result<String, Stop> {
        if !self.has_control() {
            return Err(Stop::skip("mock-only: needs POST /_mock/users"));
        }
        let n = self.log.users.fetch_add(1, Ordering::SeqCst) + 1;
        let base = format!("{}-{n}", self.case_id().to_ascii_lowercase());
        // The run's tag makes the name the suite's own (removed after the run).
        let username = self.sandbox().map_or_else(|| base.clone(), |s| s.username(&base));
        // Ids derive from the case, so runs are reproducible; a taken id moves on to the next.
        let first_id = 700_000 + i64::from(fnv1a(&base) % 100_000);
        for id in first_id..first_id + 16 {
            let body = json!({
                "id": id,
                "tenant": tenant,
                "username": username,
                "first_name": "Conformance",
                "last_name": self.case_id(),
                "email": format!("{username}@conformance.example"),
            });
            let r = self
                .control(Method::POST, "/_mock/users")
                .json(body)
                .send()
                .await?;
            match r.status {
                201 => {
                    if let Some(sandbox) = self.sandbox() {
                        sandbox.created(&username);
                    }
                    return Ok(username);
                }
                409 => {
                    let users = self.control(Method::GET, "/_mock/users").send().await?;
                    let existing = users
                        .json
                        .as_array()
                        .and_then(|list| list.iter().find(|u| u["username"] == username.as_str()).cloned());
                    match existing {
                        // Created by an earlier run against the same mock.
                        Some(u) if u["tenant"] == tenant => return Ok(username),
                        Some(_) => {
                            return Err(r.fail(format!("user {username} to be free or in tenant {tenant}")));
                        }
                        None => {}
                    }
                }
                _ => return Err(r.fail(format!("POST /_mock/users creates user {username}"))),
            }
        }
        Err(Stop::fail(
            format!("a free user id for {username}"),
            json!({"tried": [first_id, first_id + 15]}),
        ))
    }

    /// A request to the mock's control surface (quiet, with the control token when given).
    pub(crate) fn control(&self, method: Method, path: &str) -> Req {
        let mut req = self.request(method, path).quiet();
        if let Some(token) = &self.shared.target.control_token {
            req = req.bearer(token).secret_auth();
        }
        req
    }

    /// The server's time: the mock's clock, or this machine's.
    pub(crate) async fn now(&self) -> Result<i64, Stop> {
        if self.has_control() {
            let r = self.control(Method::GET, "/_mock/clock").send().await?;
            return r.json["now"]
                .as_i64()
                .ok_or_else(|| r.fail("GET /_mock/clock answers {\"now\": <unix seconds>}"));
        }
        Ok(ilert_oauth2_client::unix_now().try_into().unwrap_or(i64::MAX))
    }

    /// Moves the mock's clock (only cases that run alone may); the runner moves it back after
    /// the case.
    pub(crate) async fn advance_clock(&self, secs: i64) -> Result<(), Stop> {
        let r = self
            .control(Method::POST, "/_mock/clock")
            .json(json!({"advance_secs": secs}))
            .send()
            .await?;
        if r.status != 200 {
            return Err(r.fail("POST /_mock/clock moves the clock"));
        }
        self.log.clock_moved.fetch_add(secs, Ordering::SeqCst);
        self.note("advance the mock's clock", json!({"advance_secs": secs}));
        Ok(())
    }
}

fn fnv1a(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}
