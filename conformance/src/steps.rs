//! The steps of the flow most cases need: consent on the grant view, the code exchange, a
//! refresh, an access token, a grant of the case's own, a call of the API. Each is one method on
//! [`Cx`]; the client's credentials in a token form are written by [`client_form`] alone.

use reqwest::Method;
use serde_json::Value;

use crate::ctx::Cx;
use crate::jwt;
use crate::outcome::Stop;
use crate::req::{Req, Resp, encode};
use crate::target::{App, PKCE_CHALLENGE, PKCE_VERIFIER, paths};

/// The user's answer on the grant view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Press Grant.
    Grant,
    /// Press Deny.
    Deny,
}

/// What to authorize: app, user, scopes, and optionally PKCE (RFC 7636 Appendix B's verifier),
/// a tenant host and a state.
#[derive(Debug, Clone)]
pub(crate) struct Grant<'a> {
    /// The app.
    pub app: &'a App,
    /// Who consents.
    pub user: &'a str,
    /// The `scope` parameter.
    pub scope: &'a str,
    /// PKCE: the verifier sent at the token endpoint and its S256 challenge sent at authorize.
    pub pkce: Option<(&'a str, &'a str)>,
    /// Authorize on `{tenant}.localhost:{port}`.
    pub tenant: Option<&'a str>,
    /// The `state` parameter.
    pub state: Option<&'a str>,
}

impl<'a> Grant<'a> {
    /// `app` authorized by `user` for `scope`, no PKCE, no tenant host, state `conformance`.
    pub(crate) fn new(app: &'a App, user: &'a str, scope: &'a str) -> Self {
        Self {
            app,
            user,
            scope,
            pkce: None,
            tenant: None,
            state: Some("conformance"),
        }
    }

    /// With an S256 challenge.
    #[must_use]
    pub(crate) fn pkce(mut self) -> Self {
        self.pkce = Some((PKCE_VERIFIER, PKCE_CHALLENGE));
        self
    }

    /// With PKCE using `verifier` and its S256 `challenge`.
    #[must_use]
    pub(crate) fn pkce_with(mut self, verifier: &'a str, challenge: &'a str) -> Self {
        self.pkce = Some((verifier, challenge));
        self
    }

    /// The authorize parameters.
    pub(crate) fn params(&self) -> Vec<(&'a str, &'a str)> {
        let mut p = vec![
            ("client_id", self.app.client_id.as_str()),
            ("response_type", "code"),
            ("redirect_uri", self.app.redirect_uri.as_str()),
            ("scope", self.scope),
        ];
        if let Some(state) = self.state {
            p.push(("state", state));
        }
        if let Some((_, challenge)) = self.pkce {
            p.push(("code_challenge", challenge));
            p.push(("code_challenge_method", "S256"));
        }
        p
    }
}

/// The answer of a successful token request.
#[derive(Debug, Clone)]
pub(crate) struct Tokens {
    /// `access_token`.
    pub access: String,
    /// `refresh_token`, when issued.
    pub refresh: Option<String>,
    /// The whole response.
    pub response: Resp,
}

impl Tokens {
    /// The refresh token, or a failure saying none was issued.
    pub(crate) fn refresh_token(&self) -> Result<&str, Stop> {
        self.refresh
            .as_deref()
            .ok_or_else(|| self.response.fail("a refresh_token in the token response"))
    }
}

/// `client_id` and, when the app sends one, `client_secret` (RFC 6749 §2.3.1, in the body),
/// followed by `fields`: the one place a token form's client credentials are written.
pub(crate) fn client_form<'a>(app: &'a App, fields: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![("client_id", app.client_id.as_str())];
    if let Some(secret) = &app.client_secret {
        form.push(("client_secret", secret.as_str()));
    }
    form.extend_from_slice(fields);
    form
}

/// A token form for `grant_type`: the grant type first, then [`client_form`].
fn grant_form<'a>(
    grant_type: &'a str,
    app: &'a App,
    fields: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![("grant_type", grant_type)];
    form.extend(client_form(app, fields));
    form
}

impl Cx {
    /// `POST token` with a form.
    pub(crate) async fn token(&self, form: &[(&str, &str)]) -> Result<Resp, Stop> {
        self.post(paths::TOKEN).form(form).send().await
    }

    /// `GET authorize?…`.
    pub(crate) async fn authorize(&self, params: &[(&str, &str)]) -> Result<Resp, Stop> {
        self.get(&format!("{}?{}", paths::AUTHORIZE, encode(params)))
            .send()
            .await
    }

    /// `Host` header value of a tenant's host on the target: `{tenant}.localhost:{port}`,
    /// which the mock reads as that tenant (behaviour.md §1).
    pub(crate) fn tenant_host(&self, tenant: &str) -> Result<String, Stop> {
        let url = url::Url::parse(self.base()).map_err(|e| Stop::fail("a base URL", e.to_string()))?;
        let port = url
            .port_or_known_default()
            .ok_or_else(|| Stop::fail("a base URL with a port", self.base()))?;
        Ok(format!("{tenant}.localhost:{port}"))
    }

    /// Posts the grant view's form, as a user pressing Grant or Deny would (mock only: real
    /// ilert has a login first).
    pub(crate) fn consent(&self, params: &[(&str, &str)], user: &str, decision: Decision) -> Req {
        let mut form: Vec<(&str, &str)> = params.to_vec();
        form.push(("user", user));
        form.push((
            "decision",
            match decision {
                Decision::Grant => "grant",
                Decision::Deny => "deny",
            },
        ));
        self.post(paths::AUTHORIZE).form(&form)
    }

    /// Consents headlessly (quietly) and returns the code from the redirect.
    pub(crate) async fn code(&self, grant: &Grant<'_>) -> Result<String, Stop> {
        if !self.has_control() {
            return Err(Stop::skip(
                "needs a browser: consent is headless on the mock only",
            ));
        }
        let mut req = self.consent(&grant.params(), grant.user, Decision::Grant).quiet();
        if let Some(tenant) = grant.tenant {
            req = req.host(&self.tenant_host(tenant)?);
        }
        let r = req.send().await?;
        r.location_param("code")
            .filter(|_| r.status == 302)
            .ok_or_else(|| r.fail("302 Found to the redirect URI with a code (consent)"))
    }

    /// Trades a code for tokens with the app's credentials in the body (recorded).
    pub(crate) async fn exchange(&self, app: &App, code: &str, verifier: Option<&str>) -> Result<Resp, Stop> {
        self.exchange_with(app, code, verifier, false).await
    }

    async fn exchange_with(
        &self,
        app: &App,
        code: &str,
        verifier: Option<&str>,
        quiet: bool,
    ) -> Result<Resp, Stop> {
        let mut fields = vec![("code", code)];
        if let Some(v) = verifier {
            fields.push(("code_verifier", v));
        }
        let mut req = self
            .post(paths::TOKEN)
            .form(&grant_form("authorization_code", app, &fields));
        if quiet {
            req = req.quiet();
        }
        req.send().await
    }

    /// Consent and code exchange (both quiet), expecting 200 with an access token.
    pub(crate) async fn grant(&self, grant: &Grant<'_>) -> Result<Tokens, Stop> {
        let code = self.code(grant).await?;
        let verifier = grant.pkce.map(|(verifier, _)| verifier);
        let r = self.exchange_with(grant.app, &code, verifier, true).await?;
        tokens_of(r)
    }

    /// `grant_type=refresh_token` with the app's credentials in the body (recorded).
    pub(crate) async fn refresh(&self, app: &App, refresh_token: &str) -> Result<Resp, Stop> {
        self.token(&grant_form(
            "refresh_token",
            app,
            &[("refresh_token", refresh_token)],
        ))
        .await
    }

    /// An access token with at least `scope`, for cases that only read with it. On the mock a
    /// fresh grant of the target's user; elsewhere the token given on the command line (or one
    /// refreshed from the given refresh token), skipping when it lacks a scope.
    pub(crate) async fn access_token(&self, scope: &str) -> Result<String, Stop> {
        if self.has_control() {
            let app = self.target().app.clone();
            let user = self.target().user.clone();
            return Ok(self.grant(&Grant::new(&app, &user, scope)).await?.access);
        }
        let token = self
            .shared
            .supplied_access
            .get_or_init(|| async { self.supplied_access().await })
            .await
            .clone()
            .map_err(Stop::skip)?;
        let granted = jwt::decode(&token)
            .and_then(|d| d.claims["il_s"].as_str().map(str::to_owned))
            .unwrap_or_default();
        match scope
            .split_whitespace()
            .find(|wanted| !scope_satisfied(&granted, wanted))
        {
            Some(missing) => Err(Stop::skip(format!(
                "the supplied token's scopes ({granted}) lack {missing}"
            ))),
            None => Ok(token),
        }
    }

    async fn supplied_access(&self) -> Result<String, String> {
        if let Some(access) = &self.target().access_token {
            return Ok(access.clone());
        }
        let Some(refresh) = self.target().refresh_token.clone() else {
            return Err("needs a token: pass --access-token or --refresh-token".to_owned());
        };
        let app = self.target().app.clone();
        let form = grant_form("refresh_token", &app, &[("refresh_token", refresh.as_str())]);
        let r = self
            .post(paths::TOKEN)
            .form(&form)
            .quiet()
            .send()
            .await
            .map_err(|_| "the supplied refresh token could not be used".to_owned())?;
        r.json["access_token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("refreshing the supplied refresh token answered HTTP {}", r.status))
    }

    /// A fresh grant of the target app for a user of the case's own (mock only, so no other
    /// case's grants can push it out of the ten-grant limit while the case uses it).
    pub(crate) async fn refresh_grant(&self, scope: &str) -> Result<(App, Tokens), Stop> {
        if !self.has_control() {
            return Err(Stop::skip("needs a grant of its own: runs against the mock only"));
        }
        let app = self.target().app.clone();
        let user = self.user("someTenant").await?;
        let tokens = self.grant(&Grant::new(&app, &user, scope)).await?;
        Ok((app, tokens))
    }

    /// A `GET` of the resource API with a bearer token (recorded).
    pub(crate) async fn api_get(&self, path: &str, token: &str) -> Result<Resp, Stop> {
        self.api(Method::GET, path, token, None).await
    }

    /// A call of the resource API with a bearer token (recorded).
    pub(crate) async fn api(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Result<Resp, Stop> {
        let mut req = self.request(method, path).bearer(token);
        if let Some(b) = body {
            req = req.json(b);
        }
        req.send().await
    }
}

/// `granted` (space separated) covers `wanted`: same name, and at least its access level.
fn scope_satisfied(granted: &str, wanted: &str) -> bool {
    let level = |s: &str| match s.split_once(':').map(|(_, l)| l) {
        Some("d") => 3,
        Some("w") => 2,
        _ => 1,
    };
    let name = |s: &str| s.split(':').next().unwrap_or_default().to_owned();
    granted
        .split_whitespace()
        .any(|g| name(g) == name(wanted) && level(g) >= level(wanted))
}

/// Reads a token response, expecting 200 with `access_token`.
pub(crate) fn tokens_of(r: Resp) -> Result<Tokens, Stop> {
    let access = r.json["access_token"].as_str().map(str::to_owned);
    match access {
        Some(access) if r.status == 200 => Ok(Tokens {
            access,
            refresh: r.json["refresh_token"].as_str().map(str::to_owned),
            response: r,
        }),
        _ => Err(r.fail("200 with an access_token")),
    }
}
