//! Rules about token requests: `CODE_REUSED`, `REFRESH_TOO_OFTEN`, `GRANT_LIMIT_REACHED`,
//! `REVOKED_REFRESH_RETRIED`.

use std::collections::{BTreeMap, HashSet};

use super::context::{Context, Lineage};
use super::{AppUser, Rule, plural};
use crate::audit::facts::{Event, Fact, TokenGrant, TokenUse};
use crate::audit::report::{Finding, Severity};
use crate::protocol::error::ErrorCode;

/// ilert's advice: "do not refresh a token more than once per 5 minutes".
pub const REFRESH_INTERVAL: i64 = 5 * 60;

/// `b` was sent after `a` was answered (monotonic clock): the client had `a`'s answer.
fn after(a: &Fact, b: &Fact) -> bool {
    b.observed.arrived_us > a.observed.answered_us
}

/// `CODE_REUSED` — RFC 6749 §4.1.2: "The client MUST NOT use the authorization code more than
/// once." Every other request with a redeemed code counts, unless it failed and was answered
/// before the redemption was sent (a retry after, say, a wrong secret leaves the code unused).
pub fn code_reused(rule: &Rule, cx: &Context<'_>) -> Vec<Finding> {
    let mut seen = HashSet::new();
    let mut findings = Vec::new();
    for (redeemed, t) in cx.token_uses() {
        let (TokenGrant::Code, Some(code), None) = (t.grant, t.code, t.error) else {
            continue;
        };
        if !seen.insert(code) {
            continue;
        }
        let again: Vec<u64> = cx
            .code_exchanges(code)
            .filter(|(other, o)| other.seq != redeemed.seq && !(o.error.is_some() && after(other, redeemed)))
            .map(|(other, _)| other.seq)
            .collect();
        findings.extend(
            rule.sent_again(cx, Severity::Error, t.who(), redeemed.seq, again, |times| {
                format!("a code redeemed, then sent {times} more")
            }),
        );
    }
    findings
}

/// The successful refreshes of a lineage, in order.
fn refreshed<'a>(cx: &Context<'a>, lineage: &Lineage) -> Vec<&'a Fact> {
    lineage
        .refreshes
        .iter()
        .map(|&i| &cx.facts[i])
        .filter(|f| matches!(&f.event, Some(Event::Token(t)) if t.error.is_none()))
        .collect()
}

/// `REFRESH_TOO_OFTEN` — ilert's token lifetimes page: "do not refresh a token more than once per
/// 5 minutes". Two successful refreshes of one grant (a lineage, across rotation) less than
/// [`REFRESH_INTERVAL`] apart by the mock's clock.
pub fn refresh_too_often(rule: &Rule, cx: &Context<'_>) -> Vec<Finding> {
    cx.lineages
        .iter()
        .filter_map(|lineage| {
            let done = refreshed(cx, lineage);
            let close: Vec<(&Fact, &Fact)> = done
                .windows(2)
                .map(|w| (w[0], w[1]))
                .filter(|(a, b)| b.observed.time - a.observed.time < REFRESH_INTERVAL)
                .collect();
            if close.is_empty() {
                return None;
            }
            let shortest = close
                .iter()
                .map(|(a, b)| b.observed.time - a.observed.time)
                .min()
                .unwrap_or(0);
            Some(rule.finding(
                Severity::Warning,
                cx.client_id(&lineage.who),
                lineage.who.user.clone(),
                format!(
                    "one grant refreshed {} within 5 minutes of the refresh before (the closest {} s apart)",
                    plural(close.len(), "time", "times"),
                    shortest
                ),
                close.iter().flat_map(|(a, b)| [a.seq, b.seq]).collect(),
            ))
        })
        .collect()
}

/// `GRANT_LIMIT_REACHED` — ilert's token lifetimes page: "refresh_token per app per user: max. 10,
/// if exceeded oldest refresh_token is automatically revoked".
pub fn grant_limit_reached(rule: &Rule, cx: &Context<'_>) -> Vec<Finding> {
    let mut groups: BTreeMap<AppUser, (u64, Vec<u64>)> = BTreeMap::new();
    for (fact, t) in cx.token_uses().filter(|(_, t)| t.limit_revoked > 0) {
        let who = t.who();
        let entry = groups.entry((cx.client_id(&who), who.user)).or_default();
        entry.0 += t.limit_revoked;
        entry.1.push(fact.seq);
    }
    groups
        .into_iter()
        .map(|((app, user), (revoked, seqs))| {
            rule.finding(
                Severity::Warning,
                app,
                user.clone(),
                format!(
                    "{} revoked {} of {}: ilert keeps at most 10 per app and user",
                    plural(seqs.len(), "new grant", "new grants"),
                    plural(revoked as usize, "older refresh token", "older refresh tokens"),
                    user.as_deref().unwrap_or("the user")
                ),
                seqs,
            )
        })
        .collect()
}

/// `REVOKED_REFRESH_RETRIED` — RFC 6749 §5.2: `invalid_grant` says the refresh token "is invalid,
/// expired, revoked, … or was issued to another client"; sending it again cannot succeed.
pub fn revoked_refresh_retried(rule: &Rule, cx: &Context<'_>) -> Vec<Finding> {
    let refreshes: Vec<(&Fact, &TokenUse)> = cx
        .token_uses()
        .filter(|(_, t)| t.grant == TokenGrant::Refresh && t.refresh_in.is_some())
        .collect();
    let mut seen = HashSet::new();
    let mut findings = Vec::new();
    for (refused, t) in &refreshes {
        let Some(token) = t.refresh_in.filter(|_| t.error == Some(ErrorCode::InvalidGrant)) else {
            continue;
        };
        if !seen.insert(token) {
            continue;
        }
        let again: Vec<u64> = refreshes
            .iter()
            .filter(|(f, other)| other.refresh_in == Some(token) && after(refused, f))
            .map(|(f, _)| f.seq)
            .collect();
        let who = cx.lineage_of(token).map_or_else(|| t.who(), |l| l.who.clone());
        findings.extend(
            rule.sent_again(cx, Severity::Warning, who, refused.seq, again, |times| {
                format!("a refresh token answered invalid_grant, then sent {times} more")
            }),
        );
    }
    findings
}
