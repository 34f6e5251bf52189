//! Rules about authorizations: `NO_STATE`, `STATE_REUSED`, `NO_PKCE`,
//! `REAUTHORIZED_INSTEAD_OF_REFRESH`, `INSECURE_REDIRECT_URI`.

use std::collections::BTreeMap;

use super::context::{Authorization, Context};
use super::{Rule, plural};
use crate::audit::report::{Finding, Severity};

/// Groups authorizations by a key, keeping the order of first sight.
fn grouped<'a, K: Ord>(
    items: impl Iterator<Item = &'a Authorization>,
    key: impl Fn(&Authorization) -> K,
) -> BTreeMap<K, Vec<&'a Authorization>> {
    let mut groups: BTreeMap<K, Vec<&Authorization>> = BTreeMap::new();
    for a in items {
        groups.entry(key(a)).or_default().push(a);
    }
    groups
}

/// The one user of a group, when they all have the same.
fn common_user(group: &[&Authorization]) -> Option<String> {
    let first = group.first()?.user.clone()?;
    group
        .iter()
        .all(|a| a.user.as_deref() == Some(first.as_str()))
        .then_some(first)
}

fn seqs(group: &[&Authorization]) -> Vec<u64> {
    group.iter().flat_map(|a| a.seqs.iter().copied()).collect()
}

/// Without PKCE nothing else protects the redirect against CSRF; with it, RFC 9700 §2.1 lets
/// PKCE do it, so a missing or reused `state` is then a warning.
fn csrf_severity(group: &[&Authorization]) -> Severity {
    if group.iter().any(|a| a.challenge.is_none()) {
        Severity::Error
    } else {
        Severity::Warning
    }
}

/// `NO_STATE` — RFC 6749 §10.12: "The client MUST implement CSRF protection for its redirection
/// URI", typically with `state`; RFC 9700 §4.7.
pub fn no_state(rule: &Rule, cx: &Context<'_>) -> Vec<Finding> {
    let missing = cx.authorizations.iter().filter(|a| a.state.is_none());
    grouped(missing, |a| (a.app_id, a.challenge.is_some(), a.user.clone()))
        .into_values()
        .map(|group| {
            let title = format!(
                "{} without state{}",
                plural(group.len(), "authorization request", "authorization requests"),
                if csrf_severity(&group) == Severity::Warning {
                    " (PKCE was used)"
                } else {
                    " and without PKCE: nothing protects its redirect against CSRF"
                }
            );
            rule.finding(
                csrf_severity(&group),
                Some(cx.client_id_of(group[0].app_id)),
                common_user(&group),
                title,
                seqs(&group),
            )
        })
        .collect()
}

/// `STATE_REUSED` — RFC 9700 §4.7.1: CSRF tokens must be one-time use, bound to the user agent.
pub fn state_reused(rule: &Rule, cx: &Context<'_>) -> Vec<Finding> {
    let with_state = cx.authorizations.iter().filter(|a| a.state.is_some());
    grouped(with_state, |a| (a.app_id, a.state))
        .into_values()
        .filter(|group| group.len() > 1)
        .map(|group| {
            rule.finding(
                csrf_severity(&group),
                Some(cx.client_id_of(group[0].app_id)),
                common_user(&group),
                format!("the same state value in {} authorizations", group.len()),
                seqs(&group),
            )
        })
        .collect()
}

/// `NO_PKCE` — RFC 9700 §2.1.1: public clients MUST use PKCE, confidential clients SHOULD; ilert's
/// backend guide: "using PKCE additionally is suggested". A warning when the app proves itself
/// with its secret (the code was redeemed with it, or, not redeemed, the app has one); an error
/// when nothing but PKCE could have authenticated it.
pub fn no_pkce(rule: &Rule, cx: &Context<'_>) -> Vec<Finding> {
    let severity = |a: &Authorization| {
        let confidential = match a.code.and_then(|code| cx.code_exchange(code)) {
            Some(exchange) => exchange.with_secret,
            None => cx
                .app(a.app_id)
                .is_some_and(|app| app.client_secret.is_some() && !app.public),
        };
        if confidential {
            Severity::Warning
        } else {
            Severity::Error
        }
    };
    let missing = cx.authorizations.iter().filter(|a| a.challenge.is_none());
    grouped(missing, |a| (a.app_id, severity(a), a.user.clone()))
        .into_iter()
        .map(|((app_id, severity, user), group)| {
            let who = if severity == Severity::Warning {
                ""
            } else {
                " by an app that does not send a client secret"
            };
            rule.finding(
                severity,
                Some(cx.client_id_of(app_id)),
                user,
                format!(
                    "{} without PKCE (code_challenge){who}",
                    plural(group.len(), "authorization", "authorizations")
                ),
                seqs(&group),
            )
        })
        .collect()
}

/// `REAUTHORIZED_INSTEAD_OF_REFRESH` — ilert keeps at most 10 refresh tokens per app and user:
/// signing the user in again while a refresh token still works piles up grants (ilert: token
/// lifetimes page).
pub fn reauthorized_instead_of_refresh(rule: &Rule, cx: &Context<'_>) -> Vec<Finding> {
    let again = cx
        .authorizations
        .iter()
        .filter(|a| a.code.is_some() && a.live_refresh_tokens > 0);
    grouped(again, |a| (a.app_id, a.user.clone()))
        .into_iter()
        .map(|((app_id, user), group)| {
            let held = group.iter().map(|a| a.live_refresh_tokens).max().unwrap_or(0);
            rule.finding(
                Severity::Warning,
                Some(cx.client_id_of(app_id)),
                user.clone(),
                format!(
                    "{} of {} while the app held {} for them",
                    plural(group.len(), "new authorization", "new authorizations"),
                    user.as_deref().unwrap_or("a user"),
                    plural(held, "valid refresh token", "valid refresh tokens"),
                ),
                seqs(&group),
            )
        })
        .collect()
}

/// Whether `uri` is plain HTTP to a host other than a loopback address or `localhost` (RFC 8252
/// §8.3: loopback redirects may use http; RFC 6761 §6.3: `localhost` names are loopback).
pub fn insecure_redirect(uri: &str) -> bool {
    let Ok(url) = url::Url::parse(uri) else {
        return false;
    };
    if url.scheme() != "http" {
        return false;
    }
    match url.host() {
        Some(url::Host::Ipv4(ip)) => !ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => !ip.is_loopback(),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name != "localhost" && !name.ends_with(".localhost")
        }
        None => false,
    }
}

/// `INSECURE_REDIRECT_URI` — RFC 9700 §2.1 and RFC 8252 §8.3 (RFC 6749 §3.1.2.1: the redirection
/// endpoint SHOULD require TLS). An error when a code was sent to such a URI; a warning for one
/// only registered by an app that made requests.
pub fn insecure_redirect_uri(rule: &Rule, cx: &Context<'_>) -> Vec<Finding> {
    let used = cx.authorizations.iter().filter(|a| a.insecure_redirect.is_some());
    let mut findings: Vec<Finding> = grouped(used, |a| (a.app_id, a.insecure_redirect.clone()))
        .into_iter()
        .map(|((app_id, uri), group)| {
            rule.finding(
                Severity::Error,
                Some(cx.client_id_of(app_id)),
                common_user(&group),
                format!(
                    "{} sent to {} over plain http",
                    plural(group.len(), "authorization", "authorizations"),
                    uri.as_deref().unwrap_or_default()
                ),
                seqs(&group),
            )
        })
        .collect();
    let used: Vec<(i64, &str)> = cx
        .authorizations
        .iter()
        .filter_map(|a| Some((a.app_id, a.insecure_redirect.as_deref()?)))
        .collect();
    let mut registered = Vec::new();
    for client_id in cx.apps_seen() {
        let Some(app) = cx.app_by_client_id(&client_id) else {
            continue;
        };
        for uri in app.redirect_uris.iter().filter(|u| insecure_redirect(u)) {
            if used.contains(&(app.id, uri.as_str())) {
                continue;
            }
            registered.push(rule.finding(
                Severity::Warning,
                Some(client_id.clone()),
                None,
                format!("the registered redirect URI {uri} is plain http to a host that is not loopback"),
                Vec::new(),
            ));
        }
    }
    findings.extend(registered);
    findings
}

#[cfg(test)]
mod tests {
    use super::insecure_redirect;

    #[test]
    fn loopback_may_use_plain_http() {
        for ok in [
            "http://localhost:4597/authorize-result",
            "http://127.0.0.1:8765/callback",
            "http://[::1]:1/cb",
            "http://acme.localhost:3000/cb",
            "https://app.example.com/cb",
            "com.example.app:/oauth2redirect",
        ] {
            assert!(!insecure_redirect(ok), "{ok}");
        }
        for bad in [
            "http://app.example.com/cb",
            "http://10.0.0.5/cb",
            "http://localhost.example.com/cb",
        ] {
            assert!(insecure_redirect(bad), "{bad}");
        }
    }
}
