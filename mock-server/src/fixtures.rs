//! Fixtures: the tenants, users, apps, REST resources (escalation policies, alert sources and any
//! collection under `[[resources.<name>]]`, see [`crate::resources::seed`]) and dev-only keys a
//! mock starts with.
//!
//! `fixtures/default.toml` is embedded at build time, so the default start needs no file; any
//! other file is loaded with `--fixtures FILE`. A file is checked as a whole before the server
//! starts, and every error names the file, the line and the reason.
//!
//! A file may be TOML or JSON (the same shape; JSON when it ends in `.json` or starts with `{`).
//! `[keys]` may be left out: the embedded development keys are used. With
//! `extends = "default"` a file adds to the embedded defaults instead of replacing them: an
//! entry whose id matches a default entry replaces it, every other entry is added, and
//! `[server]` settings given override the defaults'. Errors in an entry taken from the defaults
//! name the embedded file and its line; JSON entries are named by their content (JSON carries no
//! line per entry once parsed).

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::model::{AlertSource, App, EscalationPolicy, Tenant, User};
use crate::protocol::redirect;
use crate::protocol::scope::ScopeSet;
use crate::resources::seed::{Seed, Seeds};
use crate::token::Keys;

/// The embedded default fixtures (behaviour.md §10).
pub const DEFAULT_TOML: &str = include_str!("../../fixtures/default.toml");

/// Where the default fixtures come from, for error messages.
pub const DEFAULT_ORIGIN: &str = "fixtures/default.toml (embedded)";

/// The signing material. Development-only values; `Debug` never prints them.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFixture {
    /// Key id published in the JWKS document.
    pub key_id: String,
    /// HS256 secret for refresh tokens, hex.
    pub refresh_secret: String,
    /// RSA-2048 private key for access tokens, PEM.
    pub access_private_key_pem: String,
}

impl fmt::Debug for KeyFixture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyFixture")
            .field("key_id", &self.key_id)
            .field("refresh_secret", &"[redacted]")
            .field("access_private_key_pem", &"[redacted]")
            .finish()
    }
}

/// Server settings a fixture file may carry.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerFixture {
    /// Limit `/api/...` to this many requests per client IP and minute (ilert: 700).
    #[serde(default)]
    pub rate_limit_per_minute: Option<u32>,
}

/// A validated set of fixtures.
#[derive(Debug, Clone)]
pub struct Fixtures {
    /// Server settings.
    pub server: ServerFixture,
    /// Signing keys.
    pub keys: KeyFixture,
    /// Tenants.
    pub tenants: Vec<Tenant>,
    /// Users.
    pub users: Vec<User>,
    /// Apps.
    pub apps: Vec<App>,
    /// Escalation policies.
    pub escalation_policies: Vec<EscalationPolicy>,
    /// Alert sources.
    pub alert_sources: Vec<AlertSource>,
    /// Seeds of any REST collection, by collection name (`[[resources.alerts]]`).
    pub resources: Seeds,
}

/// Why a fixture file was refused.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// The file could not be read.
    #[error("{path}: cannot read fixtures: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not have the fixture shape.
    #[error("{origin}:{line}:{column}: {message}")]
    Syntax {
        /// The file.
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The file parses but breaks a rule (duplicate id, unknown reference, bad redirect URI…).
    #[error("{origin}:{line}: {message}")]
    Invalid {
        /// The file.
        origin: String,
        /// 1-based line of the offending entry.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A JSON file parses but breaks a rule; the message names the entry.
    #[error("{origin}: {message}")]
    InvalidEntry {
        /// The file.
        origin: String,
        /// What is wrong, naming the entry.
        message: String,
    },
}

/// The only fixtures a file can extend: the embedded defaults.
pub const EXTENDS_DEFAULT: &str = "default";

/// Spans of entries taken from the embedded defaults start here, so an error in one of them
/// names the embedded file and its line rather than a line of the file being loaded.
const DEFAULTS_BASE: usize = usize::MAX / 2;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFixtures {
    #[serde(default)]
    extends: Option<Spanned<String>>,
    #[serde(default)]
    server: ServerFixture,
    #[serde(default)]
    keys: Option<Spanned<KeyFixture>>,
    #[serde(default)]
    tenants: Vec<Spanned<Tenant>>,
    #[serde(default)]
    users: Vec<Spanned<User>>,
    #[serde(default)]
    apps: Vec<Spanned<App>>,
    #[serde(default)]
    escalation_policies: Vec<Spanned<EscalationPolicy>>,
    #[serde(default)]
    alert_sources: Vec<Spanned<AlertSource>>,
    #[serde(default)]
    resources: BTreeMap<String, Vec<Spanned<Seed>>>,
}

/// The JSON form of a fixture file: the same fields, without TOML's spans.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonFixtures {
    #[serde(default)]
    extends: Option<String>,
    #[serde(default)]
    server: ServerFixture,
    #[serde(default)]
    keys: Option<KeyFixture>,
    #[serde(default)]
    tenants: Vec<Tenant>,
    #[serde(default)]
    users: Vec<User>,
    #[serde(default)]
    apps: Vec<App>,
    #[serde(default)]
    escalation_policies: Vec<EscalationPolicy>,
    #[serde(default)]
    alert_sources: Vec<AlertSource>,
    #[serde(default)]
    resources: Seeds,
}

impl JsonFixtures {
    /// The raw form, every entry at span 0 (a JSON entry has no line to name).
    fn into_raw(self) -> RawFixtures {
        fn at0<T>(items: Vec<T>) -> Vec<Spanned<T>> {
            items.into_iter().map(|i| Spanned::new(0..0, i)).collect()
        }
        RawFixtures {
            extends: self.extends.map(|e| Spanned::new(0..0, e)),
            server: self.server,
            keys: self.keys.map(|k| Spanned::new(0..0, k)),
            tenants: at0(self.tenants),
            users: at0(self.users),
            apps: at0(self.apps),
            escalation_policies: at0(self.escalation_policies),
            alert_sources: at0(self.alert_sources),
            resources: self
                .resources
                .into_iter()
                .map(|(name, seeds)| (name, at0(seeds)))
                .collect(),
        }
    }
}

impl RawFixtures {
    /// The embedded defaults, their spans moved to [`DEFAULTS_BASE`].
    fn defaults() -> Result<Self, FixtureError> {
        fn shift<T>(items: Vec<Spanned<T>>) -> Vec<Spanned<T>> {
            items.into_iter().map(shift_one).collect()
        }
        fn shift_one<T>(item: Spanned<T>) -> Spanned<T> {
            let span = item.span();
            Spanned::new(
                span.start + DEFAULTS_BASE..span.end + DEFAULTS_BASE,
                item.into_inner(),
            )
        }
        let raw = parse_toml(DEFAULT_TOML, DEFAULT_ORIGIN)?;
        Ok(Self {
            extends: None,
            server: raw.server,
            keys: raw.keys.map(shift_one),
            tenants: shift(raw.tenants),
            users: shift(raw.users),
            apps: shift(raw.apps),
            escalation_policies: shift(raw.escalation_policies),
            alert_sources: shift(raw.alert_sources),
            resources: raw
                .resources
                .into_iter()
                .map(|(name, seeds)| (name, shift(seeds)))
                .collect(),
        })
    }

    /// `self` on top of `base`: same-id entries replace the base's, others are added.
    fn over(self, base: Self) -> Self {
        Self {
            extends: None,
            server: ServerFixture {
                rate_limit_per_minute: self
                    .server
                    .rate_limit_per_minute
                    .or(base.server.rate_limit_per_minute),
            },
            keys: self.keys.or(base.keys),
            tenants: merge(base.tenants, self.tenants, |t: &Tenant| t.id.to_ascii_lowercase()),
            users: merge(base.users, self.users, |u: &User| u.id),
            apps: merge(base.apps, self.apps, |a: &App| a.id),
            escalation_policies: merge(base.escalation_policies, self.escalation_policies, |p| p.id),
            alert_sources: merge(base.alert_sources, self.alert_sources, |s| s.id),
            resources: {
                let mut resources = base.resources;
                for (name, seeds) in self.resources {
                    let base = resources.remove(&name).unwrap_or_default();
                    resources.insert(name, merge(base, seeds, |s: &Seed| s.id));
                }
                resources
            },
        }
    }
}

/// `base` with `added`'s entries: one whose key matches a base entry replaces it, the others are
/// appended (so two entries of `added` with the same key still meet the duplicate check).
fn merge<T, K: PartialEq>(
    base: Vec<Spanned<T>>,
    added: Vec<Spanned<T>>,
    key: impl Fn(&T) -> K,
) -> Vec<Spanned<T>> {
    let from_base = base.len();
    let mut replaced = vec![false; from_base];
    let mut out = base;
    for entry in added {
        let k = key(entry.get_ref());
        let slot = (0..from_base).find(|&i| !replaced[i] && key(out[i].get_ref()) == k);
        match slot {
            Some(i) => {
                replaced[i] = true;
                out[i] = entry;
            }
            None => out.push(entry),
        }
    }
    out
}

fn parse_toml(src: &str, origin: &str) -> Result<RawFixtures, FixtureError> {
    toml::from_str(src).map_err(|err| {
        let offset = err.span().map_or(0, |s| s.start);
        let line = line_of(src, offset);
        let line_start = src.get(..offset).and_then(|b| b.rfind('\n')).map_or(0, |i| i + 1);
        FixtureError::Syntax {
            origin: origin.to_owned(),
            line,
            column: offset.saturating_sub(line_start) + 1,
            message: err.message().to_owned(),
        }
    })
}

fn parse_json(src: &str, origin: &str) -> Result<RawFixtures, FixtureError> {
    serde_json::from_str::<JsonFixtures>(src)
        .map(JsonFixtures::into_raw)
        .map_err(|err| {
            let text = err.to_string();
            let message = text
                .rsplit_once(" at line ")
                .map_or(text.as_str(), |(m, _)| m)
                .to_owned();
            FixtureError::Syntax {
                origin: origin.to_owned(),
                line: err.line(),
                column: err.column(),
                message,
            }
        })
}

fn line_of(src: &str, offset: usize) -> usize {
    src.get(..offset)
        .map_or(1, |before| before.matches('\n').count() + 1)
}

struct Checker<'a> {
    /// The file's text; `None` for JSON, whose entries have no line.
    src: Option<&'a str>,
    origin: &'a str,
}

impl Checker<'_> {
    fn fail<T>(&self, span: std::ops::Range<usize>, message: impl Into<String>) -> Result<T, FixtureError> {
        let message = message.into();
        Err(match (span.start.checked_sub(DEFAULTS_BASE), self.src) {
            (Some(offset), _) => FixtureError::Invalid {
                origin: DEFAULT_ORIGIN.to_owned(),
                line: line_of(DEFAULT_TOML, offset),
                message,
            },
            (None, Some(src)) => FixtureError::Invalid {
                origin: self.origin.to_owned(),
                line: line_of(src, span.start),
                message,
            },
            (None, None) => FixtureError::InvalidEntry {
                origin: self.origin.to_owned(),
                message,
            },
        })
    }
}

/// Whether `s` can be the first label of a host name (a tenant id).
pub(crate) fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

impl Fixtures {
    /// The embedded defaults.
    ///
    /// Their resource seeds are not checked against ilert's schema at every start (a unit test
    /// checks them; the check costs a few milliseconds of start-up).
    pub fn embedded() -> Result<Self, FixtureError> {
        let raw = parse_toml(DEFAULT_TOML, DEFAULT_ORIGIN)?;
        Self::build(raw, Some(DEFAULT_TOML), DEFAULT_ORIGIN, false)
    }

    /// Loads and validates a fixture file: JSON when its name ends in `.json` or its text
    /// starts with `{`, TOML otherwise.
    pub fn load(path: &Path) -> Result<Self, FixtureError> {
        let src = std::fs::read_to_string(path).map_err(|source| FixtureError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let origin = path.display().to_string();
        let json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"))
            || src.trim_start().starts_with('{');
        if json {
            Self::from_json(&src, &origin)
        } else {
            Self::from_toml(&src, &origin)
        }
    }

    /// Parses and validates fixtures from TOML text; `origin` names the source in errors.
    pub fn from_toml(src: &str, origin: &str) -> Result<Self, FixtureError> {
        let raw = parse_toml(src, origin)?;
        Self::build(raw, Some(src), origin, true)
    }

    /// Parses and validates fixtures from JSON text (the TOML shape as a JSON object).
    pub fn from_json(src: &str, origin: &str) -> Result<Self, FixtureError> {
        let raw = parse_json(src, origin)?;
        Self::build(raw, None, origin, true)
    }

    fn build(
        raw: RawFixtures,
        src: Option<&str>,
        origin: &str,
        check_seeds: bool,
    ) -> Result<Self, FixtureError> {
        let check = Checker { src, origin };
        let mut raw = match &raw.extends {
            None => raw,
            Some(e) if e.get_ref() == EXTENDS_DEFAULT => raw.over(RawFixtures::defaults()?),
            Some(e) => {
                return check.fail(
                    e.span(),
                    format!(
                        "extends = \"{}\": only \"{EXTENDS_DEFAULT}\" (the embedded fixtures) can be extended",
                        e.get_ref()
                    ),
                );
            }
        };
        if raw.keys.is_none() {
            // No [keys]: the embedded development keys.
            raw.keys = RawFixtures::defaults()?.keys;
        }
        validate(&raw, &check)?;
        let Some(keys) = raw.keys else {
            return check.fail(0..0, "[keys] is missing");
        };
        // Where each seeded entry starts, so a refused seed names its line.
        let mut spans: BTreeMap<String, Vec<std::ops::Range<usize>>> = [
            (
                "escalation_policies".to_owned(),
                raw.escalation_policies.iter().map(Spanned::span).collect(),
            ),
            (
                "alert_sources".to_owned(),
                raw.alert_sources.iter().map(Spanned::span).collect(),
            ),
        ]
        .into();
        for (name, seeds) in &raw.resources {
            spans.insert(
                format!("resources.{name}"),
                seeds.iter().map(Spanned::span).collect(),
            );
        }
        let fixtures = Self {
            server: raw.server,
            keys: keys.into_inner(),
            tenants: plain(raw.tenants),
            users: plain(raw.users),
            apps: plain(raw.apps),
            escalation_policies: plain(raw.escalation_policies),
            alert_sources: plain(raw.alert_sources),
            resources: raw
                .resources
                .into_iter()
                .map(|(name, seeds)| (name, plain(seeds)))
                .collect(),
        };
        let checked = if check_seeds {
            crate::resources::seed::check_seeds(&fixtures.users, fixtures.seed_input())
        } else {
            Ok(())
        };
        if let Err(err) = checked {
            let span = spans
                .get(&err.table)
                .and_then(|s| s.get(err.index))
                .cloned()
                .unwrap_or(0..0);
            return check.fail(span, format!("[[{}]]: {}", err.table, err.message));
        }
        Ok(fixtures)
    }

    /// What seeds the REST resource store.
    pub(crate) fn seed_input(&self) -> crate::resources::seed::SeedInput<'_> {
        crate::resources::seed::SeedInput {
            tenants: &self.tenants,
            escalation_policies: &self.escalation_policies,
            alert_sources: &self.alert_sources,
            resources: &self.resources,
        }
    }

    /// The allowed scopes of an app, parsed (validated at load).
    pub(crate) fn app_scopes(app: &App) -> ScopeSet {
        // behaviour.md §6: every app may ask for offline_access (it grants no API access); ilert's PKCE
        // guide asks for it with the backend guide's own app.
        let offline = crate::protocol::scope::OFFLINE_ACCESS;
        let scopes: Vec<&str> = app
            .scopes
            .iter()
            .map(String::as_str)
            .chain((!app.scopes.iter().any(|s| s == offline)).then_some(offline))
            .collect();
        ScopeSet::parse(&scopes.join(" ")).unwrap_or_default()
    }
}

fn plain<T>(items: Vec<Spanned<T>>) -> Vec<T> {
    items.into_iter().map(Spanned::into_inner).collect()
}

fn duplicate<T, K: PartialEq>(items: &[Spanned<T>], key: impl Fn(&T) -> K) -> Option<&Spanned<T>> {
    items
        .iter()
        .enumerate()
        .find(|(i, item)| {
            items[..*i]
                .iter()
                .any(|earlier| key(earlier.get_ref()) == key(item.get_ref()))
        })
        .map(|(_, item)| item)
}

fn validate(raw: &RawFixtures, check: &Checker<'_>) -> Result<(), FixtureError> {
    if let Some(spanned) = &raw.keys {
        let keys = spanned.get_ref();
        if let Err(err) = Keys::new(&keys.access_private_key_pem, &keys.refresh_secret, &keys.key_id) {
            return check.fail(spanned.span(), format!("[keys]: {err}"));
        }
    }

    if let Some(t) = duplicate(&raw.tenants, |t: &Tenant| t.id.to_ascii_lowercase()) {
        return check.fail(
            t.span(),
            format!(
                "tenant id '{}' appears twice (tenant hosts are case-insensitive)",
                t.get_ref().id
            ),
        );
    }
    if let Some(t) = duplicate(&raw.tenants, |t: &Tenant| t.short_id.clone()) {
        return check.fail(
            t.span(),
            format!("tenant short_id '{}' appears twice", t.get_ref().short_id),
        );
    }
    for t in &raw.tenants {
        if !is_dns_label(&t.get_ref().id) {
            return check.fail(
                t.span(),
                format!(
                    "tenant id '{}' must be a DNS label (letters, digits, '-')",
                    t.get_ref().id
                ),
            );
        }
    }
    let tenant_exists = |id: &str| raw.tenants.iter().any(|t| t.get_ref().id == id);

    if let Some(u) = duplicate(&raw.users, |u: &User| u.id) {
        return check.fail(u.span(), format!("user id {} appears twice", u.get_ref().id));
    }
    if let Some(u) = duplicate(&raw.users, |u: &User| u.username.clone()) {
        return check.fail(
            u.span(),
            format!("username '{}' appears twice", u.get_ref().username),
        );
    }
    for u in &raw.users {
        if !tenant_exists(&u.get_ref().tenant) {
            return check.fail(
                u.span(),
                format!(
                    "user '{}' names unknown tenant '{}'",
                    u.get_ref().username,
                    u.get_ref().tenant
                ),
            );
        }
    }

    if let Some(a) = duplicate(&raw.apps, |a: &App| a.id) {
        return check.fail(a.span(), format!("app id {} appears twice", a.get_ref().id));
    }
    if let Some(a) = duplicate(&raw.apps, |a: &App| a.client_id.clone()) {
        return check.fail(
            a.span(),
            format!("client_id '{}' appears twice", a.get_ref().client_id),
        );
    }
    for spanned in &raw.apps {
        let user_exists = |name: &str| raw.users.iter().any(|u| u.get_ref().username == name);
        if let Err(message) = validate_app(spanned.get_ref(), user_exists) {
            return check.fail(spanned.span(), message);
        }
    }

    if let Some(p) = duplicate(&raw.escalation_policies, |p: &EscalationPolicy| p.id) {
        return check.fail(
            p.span(),
            format!("escalation policy id {} appears twice", p.get_ref().id),
        );
    }
    for spanned in &raw.escalation_policies {
        let p = spanned.get_ref();
        if !tenant_exists(&p.tenant) {
            return check.fail(
                spanned.span(),
                format!("escalation policy {} names unknown tenant '{}'", p.id, p.tenant),
            );
        }
    }

    if let Some(s) = duplicate(&raw.alert_sources, |s: &AlertSource| s.id) {
        return check.fail(
            s.span(),
            format!("alert source id {} appears twice", s.get_ref().id),
        );
    }
    if let Some(s) = duplicate(&raw.alert_sources, |s: &AlertSource| s.integration_key.clone()) {
        return check.fail(
            s.span(),
            format!("integration_key '{}' appears twice", s.get_ref().integration_key),
        );
    }
    for spanned in &raw.alert_sources {
        let s = spanned.get_ref();
        if !tenant_exists(&s.tenant) {
            return check.fail(
                spanned.span(),
                format!("alert source {} names unknown tenant '{}'", s.id, s.tenant),
            );
        }
        let policy_ok = raw
            .escalation_policies
            .iter()
            .any(|p| p.get_ref().id == s.escalation_policy && p.get_ref().tenant == s.tenant);
        if !policy_ok {
            return check.fail(
                spanned.span(),
                format!(
                    "alert source {} names escalation policy {} which tenant '{}' does not have",
                    s.id, s.escalation_policy, s.tenant
                ),
            );
        }
    }
    Ok(())
}

/// Checks one app: secret vs public, redirect URIs, scopes and the auto-approve user.
pub(crate) fn validate_app(app: &App, user_exists: impl Fn(&str) -> bool) -> Result<(), String> {
    let name = &app.client_id;
    if app.client_id.is_empty() || !app.client_id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!(
            "app {}: client_id must be non-empty printable ASCII",
            app.id
        ));
    }
    if app.public && app.require_secret {
        return Err(format!(
            "app '{name}': require_secret needs a client_secret, and a public app has none"
        ));
    }
    match (&app.client_secret, app.public) {
        (Some(_), true) => return Err(format!("app '{name}': a public app has no client_secret")),
        (None, false) => {
            return Err(format!(
                "app '{name}': a confidential app needs client_secret (or set public = true)"
            ));
        }
        (Some(secret), false) if secret.expose().is_empty() => {
            return Err(format!("app '{name}': client_secret is empty"));
        }
        _ => {}
    }
    if app.redirect_uris.is_empty() {
        return Err(format!("app '{name}': redirect_uris is empty"));
    }
    for uri in &app.redirect_uris {
        redirect::validate_registered(uri).map_err(|e| format!("app '{name}': redirect URI {e}"))?;
    }
    ScopeSet::parse(&app.scopes.join(" ")).map_err(|e| format!("app '{name}': scopes: {}", e.description))?;
    if let Some(user) = &app.auto_approve
        && !user_exists(user)
    {
        return Err(format!("app '{name}': auto_approve names unknown user '{user}'"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_defaults_load_and_contain_the_guides_app() {
        let f = Fixtures::embedded().expect("defaults are valid");
        let app = f
            .apps
            .iter()
            .find(|a| a.client_id == "0501439fd7dee9af0c25")
            .expect("guide app");
        assert_eq!(app.id, 250);
        assert!(
            app.client_secret
                .as_ref()
                .expect("secret")
                .matches("3908acda0291d0c4c1e77171aac3b4e501cbbbfc6797f13be1c7a607241498ad")
        );
        assert!(
            app.redirect_uris
                .contains(&"http://localhost:4597/authorize-result".to_owned())
        );
        assert!(
            f.tenants
                .iter()
                .any(|t| t.id == "someTenant" && t.short_id == "5cf")
        );
        assert!(
            f.users
                .iter()
                .any(|u| u.username == "someUser" && u.tenant == "someTenant")
        );
        assert!(f.apps.iter().any(|a| a.public));
        assert!(f.tenants.len() >= 2);
        // The seeds `embedded()` does not check at start.
        assert_eq!(
            crate::resources::seed::check_seeds(&f.users, f.seed_input()),
            Ok(())
        );
    }

    #[test]
    fn resource_seeds_are_checked_against_the_document() {
        let err = with_replaced(
            "status = \"PENDING\"\nalertSource",
            "status = \"OPEN\"\nalertSource",
        )
        .expect_err("enum");
        let FixtureError::Invalid { line, message, .. } = &err else {
            panic!("{err}")
        };
        assert!(
            message.contains("resources.alerts") && message.contains("PENDING, ACCEPTED, RESOLVED"),
            "{message}"
        );
        assert!(
            *line <= line_containing("summary = \"Checkout page answers 503\""),
            "{line}"
        );
        let err = with_replaced("alertSource = { id = 3001 }", "alertSource = { id = 4001 }")
            .expect_err("other tenant");
        assert!(err.to_string().contains("alert source 4001"), "{err}");
        let err =
            with_replaced("[[resources.user-emails]]", "[[resources.user-mails]]").expect_err("unknown");
        assert!(
            err.to_string().contains("unknown collection 'user-mails'"),
            "{err}"
        );
        let err = with_replaced(
            "parent = 1002\ntarget = \"chris@",
            "parent = 2001\ntarget = \"chris@",
        )
        .expect_err("parent");
        assert!(err.to_string().contains("parent 2001"), "{err}");
        // A file extending the defaults replaces a seed by its id.
        let extended = Fixtures::from_toml(
            "extends = \"default\"\n[[resources.alerts]]\nid = 5001\ntenant = \"someTenant\"\nsummary = \"Replaced\"\nalertSource = { id = 3001 }\nstatus = \"RESOLVED\"\n",
            "extends.toml",
        )
        .expect("extends");
        let alerts = &extended.resources["alerts"];
        assert_eq!(alerts.iter().filter(|a| a.id == 5001).count(), 1);
        assert!(alerts.iter().any(|a| a.body["summary"] == "Replaced"));
    }

    fn with_replaced(from: &str, to: &str) -> Result<Fixtures, FixtureError> {
        assert!(DEFAULT_TOML.contains(from), "{from}");
        Fixtures::from_toml(&DEFAULT_TOML.replacen(from, to, 1), "test.toml")
    }

    fn line_containing(needle: &str) -> usize {
        DEFAULT_TOML
            .lines()
            .position(|l| l.contains(needle))
            .expect("present")
            + 1
    }

    #[test]
    fn syntax_errors_name_file_line_and_reason() {
        let err = with_replaced("id = 250", "id = \"two-fifty\"").expect_err("type error");
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("test.toml:{}:", line_containing("id = 250"))),
            "{text}"
        );
    }

    #[test]
    fn semantic_errors_name_the_entry_line() {
        let err = with_replaced(
            "redirect_uris = [\"http://localhost:4597/authorize-result\", \"http://localhost:4597/webapp\"]",
            "redirect_uris = [\"http://localhost:4597/authorize-result#x\"]",
        )
        .expect_err("fragment");
        let FixtureError::Invalid { line, message, .. } = &err else {
            panic!("{err}")
        };
        assert!(message.contains("fragment"), "{message}");
        // The span of a `[[apps]]` entry starts at its first key or at its header.
        let entry = line_containing("id = 250");
        assert!((entry - 1..=entry).contains(line), "{line} vs {entry}");
    }

    #[test]
    fn unknown_fields_and_references_are_refused() {
        assert!(with_replaced("rotate_refresh_tokens = false", "rotate_refresh_token = false").is_err());
        assert!(
            with_replaced(
                "tenant = \"acme\"\nusername = \"wile\"",
                "tenant = \"nowhere\"\nusername = \"wile\""
            )
            .is_err()
        );
        assert!(with_replaced("escalation_policy = 2501", "escalation_policy = 1501").is_err());
        assert!(
            with_replaced(
                "client_id = \"f3b2a1c0d9e8f7a6b5c4\"",
                "client_id = \"0501439fd7dee9af0c25\""
            )
            .is_err()
        );
        assert!(with_replaced("refresh_secret = \"9d24", "refresh_secret = \"zz9d24").is_err());
    }

    const ONE_APP: &str = r#"
extends = "default"

[[apps]]
id = 900
name = "My app"
client_id = "my-app"
client_secret = "my-secret"
redirect_uris = ["http://localhost:3000/callback"]
scopes = ["profile"]
"#;

    #[test]
    fn a_file_can_extend_the_defaults_without_keys() {
        let f = Fixtures::from_toml(ONE_APP, "mine.toml").expect("extends");
        let defaults = Fixtures::embedded().expect("defaults");
        assert_eq!(f.apps.len(), defaults.apps.len() + 1);
        assert!(f.apps.iter().any(|a| a.client_id == "my-app"));
        assert!(f.apps.iter().any(|a| a.client_id == "0501439fd7dee9af0c25"));
        assert_eq!(f.users.len(), defaults.users.len());
        assert_eq!(f.keys.key_id, defaults.keys.key_id);
    }

    #[test]
    fn an_extending_entry_with_a_default_id_replaces_it() {
        let src = ONE_APP
            .replace("id = 900", "id = 250")
            .replace("\"my-app\"", "\"0501439fd7dee9af0c25\"");
        let f = Fixtures::from_toml(&src, "mine.toml").expect("replaces");
        let guide: Vec<_> = f.apps.iter().filter(|a| a.id == 250).collect();
        assert_eq!(guide.len(), 1);
        assert_eq!(guide[0].name, "My app");
    }

    #[test]
    fn extending_errors_name_the_right_file() {
        // A clash with a default's client_id is the extending file's entry, at its line.
        let src = ONE_APP.replace("\"my-app\"", "\"0501439fd7dee9af0c25\"");
        let err = Fixtures::from_toml(&src, "mine.toml").expect_err("duplicate client_id");
        assert!(err.to_string().starts_with("mine.toml:"), "{err}");
        let err = Fixtures::from_toml("extends = \"other.toml\"", "mine.toml").expect_err("unknown base");
        assert!(err.to_string().contains("only \"default\""), "{err}");
        // Replacing a default policy so that a default alert source breaks names the embedded file.
        let policy = "extends = \"default\"\n[[escalation_policies]]\nid = 2501\ntenant = \"someTenant\"\nname = \"x\"\nrules = [{ escalation_timeout = 0, users = [1001] }]\n";
        let err = Fixtures::from_toml(policy, "mine.toml").expect_err("a default source breaks");
        assert!(err.to_string().starts_with(DEFAULT_ORIGIN), "{err}");
    }

    #[test]
    fn json_fixtures_load_and_extend() {
        let json = r#"{"extends": "default", "users": [{"id": 1999, "tenant": "acme", "username": "newbie",
            "first_name": "New", "last_name": "Bie", "email": "n@example.com", "position": null}]}"#;
        let f = Fixtures::from_json(json, "mine.json").expect("json");
        assert!(f.users.iter().any(|u| u.username == "newbie"));
        let err = Fixtures::from_json("{\n  \"users\": 5\n}", "bad.json").expect_err("type");
        let FixtureError::Syntax { line, .. } = &err else {
            panic!("{err}")
        };
        assert_eq!(*line, 2, "{err}");
        let unknown_tenant = json.replace("\"acme\"", "\"nowhere\"");
        let err = Fixtures::from_json(&unknown_tenant, "mine.json").expect_err("unknown tenant");
        assert!(matches!(err, FixtureError::InvalidEntry { .. }), "{err}");
        assert!(err.to_string().contains("newbie"), "{err}");
    }

    #[test]
    fn a_whole_file_may_omit_keys() {
        let without_keys = &DEFAULT_TOML[DEFAULT_TOML.find("[[tenants]]").expect("tenants")..];
        let f = Fixtures::from_toml(without_keys, "nokeys.toml").expect("default keys");
        assert_eq!(f.keys.key_id, "ilert-mock-dev-2026");
    }
}
