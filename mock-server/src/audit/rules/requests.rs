//! Rules about requests as a whole: `SECRET_IN_QUERY`, `TOKEN_IN_QUERY`,
//! `EXPIRED_TOKEN_RETRIED`, `RATE_LIMIT_IGNORED`, `SCOPE_UNUSED`.

use std::collections::{BTreeMap, HashSet};
use std::net::IpAddr;

use super::context::Context;
use super::{AppUser, Rule, plural};
use crate::audit::facts::{ApiOutcome, Fact, QueryCredentials};
use crate::audit::report::{Finding, Severity};
use crate::protocol::scope::{Access, OFFLINE_ACCESS, ScopeSet};

/// Facts grouped by the app and user they acted for, in order of first sight.
fn by_who<'a>(cx: &Context<'_>, facts: impl Iterator<Item = &'a Fact>) -> BTreeMap<AppUser, Vec<&'a Fact>> {
    let mut groups: BTreeMap<_, Vec<&Fact>> = BTreeMap::new();
    for fact in facts {
        let who = cx.who(fact);
        groups
            .entry((cx.client_id(&who), who.user))
            .or_default()
            .push(fact);
    }
    groups
}

/// `SECRET_IN_QUERY` — RFC 6749 §2.3.1: client credentials "MUST NOT be included in the request
/// URI"; a refresh token or PKCE verifier in a URL leaks the same way.
pub fn secret_in_query(rule: &Rule, cx: &Context<'_>) -> Vec<Finding> {
    let leaked = cx.facts.iter().filter(|f| f.observed.query.any_secret());
    by_who(cx, leaked)
        .into_iter()
        .map(|((app, user), facts)| {
            let names = facts
                .iter()
                .fold(QueryCredentials::default(), |all, f| all.union(f.observed.query))
                .secret_names()
                .join(", ");
            rule.finding(
                Severity::Error,
                app,
                user,
                format!(
                    "{names} in the URL query of {}",
                    plural(facts.len(), "request", "requests")
                ),
                facts.iter().map(|f| f.seq).collect(),
            )
        })
        .collect()
}

/// `TOKEN_IN_QUERY` — RFC 6750 §2.3: the URI query parameter "SHOULD NOT be used" (RFC 9700
/// §4.3.2: access tokens in URLs end up in browser history and logs).
pub fn token_in_query(rule: &Rule, cx: &Context<'_>) -> Vec<Finding> {
    let leaked = cx.facts.iter().filter(|f| f.observed.query.access_token);
    by_who(cx, leaked)
        .into_iter()
        .map(|((app, user), facts)| {
            rule.finding(
                Severity::Error,
                app,
                user,
                format!(
                    "an access token in the URL query of {}",
                    plural(facts.len(), "request", "requests")
                ),
                facts.iter().map(|f| f.seq).collect(),
            )
        })
        .collect()
}

/// `EXPIRED_TOKEN_RETRIED` — RFC 6750 §3.1 (`invalid_token`: "The client MAY request a new access
/// token and retry"), ilert's backend guide (refresh "in case they expire and the ilert API
/// returns a 401"). After the 401 was answered, the same `Authorization` value sent again once
/// the app's refresh had been answered (it had a new token and used the old one), or sent again
/// by an app that made no refresh request after the 401 at all. Requests that crossed the 401 on
/// the way (other callers that were sending while the first of them learnt the news, before the
/// app's refresh came back) are concurrency, not retries: a refresh counts from the moment it
/// was answered (one still in flight when the 401 arrived counts too), and a caller that took
/// the old token just before that and was held up on its way is given [`CROSSING_SECS`] more.
pub fn expired_token_retried(rule: &Rule, cx: &Context<'_>) -> Vec<Finding> {
    let mut seen = HashSet::new();
    let mut findings = Vec::new();
    for (refused, _) in cx.api_uses().filter(|(_, a)| a.outcome == ApiOutcome::Expired) {
        let Some(bearer) = refused.observed.bearer else {
            continue;
        };
        if !seen.insert(bearer) {
            continue;
        }
        let who = cx.who(refused);
        let answered = refused.observed.answered_us;
        let refreshes: Vec<&Fact> = cx
            .refresh_attempts(&who)
            .into_iter()
            .filter(|r| r.observed.answered_us > refused.observed.arrived_us)
            .collect();
        // A refresh in flight when the 401 was answered counts: the app was already at it.
        let never_refreshed = refreshes.is_empty();
        let again: Vec<u64> = cx
            .facts
            .iter()
            .filter(|f| f.observed.bearer == Some(bearer) && f.observed.arrived_us > answered)
            .filter(|f| never_refreshed || refreshes.iter().any(|r| after_the_refresh(f, r)))
            .map(|f| f.seq)
            .collect();
        let how = if never_refreshed {
            "without a refresh"
        } else {
            "after the refresh"
        };
        findings.extend(
            rule.sent_again(cx, Severity::Warning, who, refused.seq, again, |times| {
                format!("an expired access token answered 401, then sent {times} more {how}")
            }),
        );
    }
    findings
}

/// How long after a refresh's answer a request with the old token may still be one that was
/// on its way (its caller read the token before the refresh came back, then waited for a CPU),
/// in seconds of the monotonic clock or of the mock's (which tests move).
pub const CROSSING_SECS: u64 = 2;

/// Whether `sent` arrived so long after `refresh` was answered that its caller had the new token.
fn after_the_refresh(sent: &Fact, refresh: &Fact) -> bool {
    let micros = CROSSING_SECS * 1_000_000;
    let secs = i64::try_from(CROSSING_SECS).unwrap_or(i64::MAX);
    sent.observed.arrived_us > refresh.observed.answered_us.saturating_add(micros)
        || sent.observed.time >= refresh.observed.time.saturating_add(secs)
}

/// A 429's window: the refusal, until when it asked to wait (mock clock), and the requests that
/// did not.
struct Window<'a> {
    refusal: &'a Fact,
    until: i64,
    ignored_by: Vec<&'a Fact>,
}

/// `RATE_LIMIT_IGNORED` — ilert's rate limits page (429 "until a new window starts"; "retry … with
/// a backoff timeout, 10-30 seconds are suggested") and RFC 6585 §4 / RFC 9110 §10.2.3
/// (`Retry-After`). A request from the same client address to the limited paths, sent after a 429
/// was answered and before its `Retry-After` had passed on the mock's clock. Only 429s that carry
/// `Retry-After` (the mock's `--rate-limit`) are judged.
pub fn rate_limit_ignored(rule: &Rule, cx: &Context<'_>) -> Vec<Finding> {
    let mut windows: Vec<(IpAddr, Window<'_>)> = Vec::new();
    for fact in cx.facts.iter().filter(|f| f.observed.limited) {
        let Some(peer) = fact.observed.peer else {
            continue;
        };
        let open = windows.iter_mut().find(|(p, w)| {
            *p == peer
                && fact.observed.arrived_us > w.refusal.observed.answered_us
                && fact.observed.time < w.until
        });
        match (open, fact.observed.retry_after) {
            (Some((_, window)), _) => window.ignored_by.push(fact),
            (None, Some(wait)) if fact.observed.status == 429 => windows.push((
                peer,
                Window {
                    refusal: fact,
                    until: fact.observed.time + i64::from(wait),
                    ignored_by: Vec::new(),
                },
            )),
            _ => {}
        }
    }
    windows
        .into_iter()
        .filter(|(_, w)| !w.ignored_by.is_empty())
        .map(|(peer, w)| {
            let who = w
                .ignored_by
                .iter()
                .map(|f| cx.who(f))
                .find(|who| who.app_id.is_some() || who.client_id.is_some())
                .unwrap_or_else(|| cx.who(w.refusal));
            let wait = w.until - w.refusal.observed.time;
            rule.finding(
                Severity::Warning,
                cx.client_id(&who),
                who.user,
                format!(
                    "{} from {peer} within the {wait} s a 429 asked to wait (Retry-After)",
                    plural(w.ignored_by.len(), "request", "requests"),
                ),
                w.ignored_by
                    .iter()
                    .map(|f| f.seq)
                    .chain([w.refusal.seq])
                    .collect(),
            )
        })
        .collect()
}

/// What the API calls of one app, user and granted scope needed.
struct Needs {
    needed: Vec<(&'static str, Access)>,
    first_call: u64,
}

/// `SCOPE_UNUSED` — RFC 9700 §2.3: "the privileges associated with an access token SHOULD be
/// restricted to the minimum required". For every app, user and granted scope string that made
/// API calls: each granted scope no call needed, and each access level above what the calls
/// needed. `offline_access` grants no API access and is never reported.
pub fn scope_unused(rule: &Rule, cx: &Context<'_>) -> Vec<Finding> {
    let mut grants: BTreeMap<(i64, String, String), Needs> = BTreeMap::new();
    for calls in cx.tokens {
        let needs = grants
            .entry((calls.app_id, calls.user.clone(), calls.scope.clone()))
            .or_insert_with(|| Needs {
                needed: Vec::new(),
                first_call: calls.first_seq,
            });
        needs.first_call = needs.first_call.min(calls.first_seq);
        for &(name, access) in &calls.needed {
            match needs.needed.iter_mut().find(|(n, _)| *n == name) {
                Some((_, have)) => *have = (*have).max(access),
                None => needs.needed.push((name, access)),
            }
        }
    }
    let mut findings = Vec::new();
    for ((app_id, user, scope), needs) in grants {
        let Ok(granted) = ScopeSet::parse(&scope) else {
            continue;
        };
        let issued: Vec<u64> = cx
            .token_uses()
            .filter(|(_, t)| {
                t.issued
                    .as_ref()
                    .is_some_and(|i| i.app_id == app_id && i.user == user && i.scope == scope)
            })
            .map(|(f, _)| f.seq)
            .chain([needs.first_call])
            .collect();
        for token in granted.tokens().iter().filter(|t| t.def.name != OFFLINE_ACCESS) {
            let used = needs
                .needed
                .iter()
                .find(|(n, _)| *n == token.def.name)
                .map(|(_, a)| *a);
            let title = match used {
                None => format!("scope '{}' granted, but no API call needed it", token.raw),
                Some(access) if access < token.access => format!(
                    "scope '{}' granted, but the API calls needed only {} access ('{}')",
                    token.raw,
                    access.words(),
                    scope_word(token.def.name, access)
                ),
                Some(_) => continue,
            };
            findings.push(rule.finding(
                Severity::Info,
                Some(cx.client_id_of(app_id)),
                Some(user.clone()),
                title,
                issued.clone(),
            ));
        }
    }
    findings
}

/// The scope token that grants `access` on `name`: `source`, `source:w`, `source:d`.
fn scope_word(name: &str, access: Access) -> String {
    match access {
        Access::Read => name.to_owned(),
        Access::Write => format!("{name}:w"),
        Access::Delete => format!("{name}:d"),
    }
}
