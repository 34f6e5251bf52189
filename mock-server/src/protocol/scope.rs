//! Scopes: parsing, the app's allow-list, and which scope a resource request needs (behaviour.md §6).
//!
//! A scope token is `name` or `name:r` (read), `name:w` (read, create, edit) or `name:d` (read,
//! create, edit, delete); tokens are separated by single spaces (RFC 6749 §3.3).

use std::fmt;

use serde::Serialize;

use super::error::OAuthError;

/// How much a scope grants on its resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// GET (a bare scope or `:r`).
    Read,
    /// GET, POST, PUT (`:w`).
    Write,
    /// GET, POST, PUT, DELETE (`:d`).
    Delete,
}

impl Access {
    /// The access an HTTP method needs: GET/HEAD read, POST/PUT/PATCH write, DELETE delete.
    pub fn for_method(method: &str) -> Self {
        match method {
            "DELETE" => Self::Delete,
            "POST" | "PUT" | "PATCH" => Self::Write,
            _ => Self::Read,
        }
    }

    /// Words for the grant view.
    pub fn words(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "read-write",
            Self::Delete => "read-write-delete",
        }
    }
}

/// One scope ilert knows: its name and what it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScopeDef {
    /// The scope name, e.g. `source`.
    pub name: &'static str,
    /// Path prefixes under `/api` the scope grants (empty for `offline_access`).
    pub paths: &'static [&'static str],
    /// Path prefixes of ilert's OpenAPI document that the scope table does not name, which the
    /// mock puts under this scope: the mock's choice, the nearest scope by what the path does.
    pub chosen: &'static [&'static str],
    /// What the scope grants, in words, for the grant view.
    pub words: &'static str,
}

/// The scope a refresh token for a public (PKCE-only) app needs.
pub const OFFLINE_ACCESS: &str = "offline_access";

/// ilert's scope table (behaviour.md §6), in its order.
pub const SCOPES: &[ScopeDef] = &[
    ScopeDef {
        name: "profile",
        paths: &["/api/users/current"],
        chosen: &[],
        words: "your user profile",
    },
    ScopeDef {
        name: OFFLINE_ACCESS,
        paths: &[],
        chosen: &[],
        words: "stay connected when you are not using the app (refresh tokens)",
    },
    ScopeDef {
        name: "policy",
        paths: &["/api/escalation-policies"],
        chosen: &[],
        words: "escalation policies",
    },
    ScopeDef {
        name: "schedule",
        paths: &["/api/schedules"],
        // The mock's choice: who is on call is computed from schedules.
        chosen: &["/api/on-calls"],
        words: "schedules and on-calls",
    },
    ScopeDef {
        name: "source",
        paths: &["/api/alert-sources"],
        // The mock's choice: inbound paths into alerts (pipelines, event and call flows, their
        // numbers) sit nearest to `source`. (`/api/numbers` and `/api/integrations` need no
        // token: the document marks them public.)
        chosen: &[
            "/api/deployment-pipelines",
            "/api/event-flows",
            "/api/call-flows",
            "/api/call-flow-numbers",
        ],
        words: "alert sources",
    },
    ScopeDef {
        name: "support_hour",
        paths: &["/api/support-hours"],
        chosen: &[],
        words: "support hours",
    },
    ScopeDef {
        name: "monitor",
        paths: &["/api/uptime-monitors"],
        // The mock's choice: heartbeat monitors are monitors too.
        chosen: &["/api/heartbeat-monitors"],
        words: "uptime monitors",
    },
    ScopeDef {
        name: "action",
        paths: &["/api/alert-actions"],
        chosen: &[],
        words: "alert actions",
    },
    ScopeDef {
        name: "connector",
        paths: &["/api/connectors"],
        chosen: &[],
        words: "connectors",
    },
    ScopeDef {
        name: "maintenance",
        paths: &["/api/maintenance-windows"],
        chosen: &[],
        words: "maintenance windows",
    },
    ScopeDef {
        name: "report",
        paths: &["/api/reports"],
        chosen: &[],
        words: "reports",
    },
    ScopeDef {
        name: "template",
        paths: &["/api/incident-templates"],
        chosen: &[],
        words: "incident templates",
    },
    ScopeDef {
        name: "service",
        paths: &["/api/services"],
        // The mock's choice: service outages are the state of services.
        chosen: &["/api/service-outages"],
        words: "services and your service subscriptions",
    },
    ScopeDef {
        name: "status_page",
        paths: &["/api/status-pages"],
        chosen: &[],
        words: "status pages and your status page subscriptions",
    },
    ScopeDef {
        name: "team",
        paths: &["/api/teams"],
        chosen: &[],
        words: "teams",
    },
    ScopeDef {
        name: "user",
        paths: &["/api/users"],
        chosen: &[],
        words: "users, their contacts and notification preferences",
    },
    ScopeDef {
        name: "alert",
        paths: &["/api/alerts"],
        chosen: &[],
        words: "alerts",
    },
    ScopeDef {
        name: "incident",
        paths: &["/api/incidents"],
        chosen: &[],
        words: "incidents and your incident subscriptions",
    },
    ScopeDef {
        name: "metric",
        paths: &["/api/metrics"],
        chosen: &[],
        words: "metrics",
    },
    ScopeDef {
        name: "metric_source",
        paths: &["/api/metric-data-sources"],
        chosen: &[],
        words: "metric data sources",
    },
];

/// Looks a scope up by name.
pub fn scope_def(name: &str) -> Option<&'static ScopeDef> {
    SCOPES.iter().find(|def| def.name == name)
}

/// One parsed scope token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeToken {
    /// The scope's definition.
    pub def: &'static ScopeDef,
    /// The access it grants (`Read` for `offline_access`).
    pub access: Access,
    /// The token exactly as written, kept so the granted scope string reads as requested.
    pub raw: String,
}

/// A parsed, space separated scope string.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScopeSet {
    tokens: Vec<ScopeToken>,
}

impl ScopeSet {
    /// Parses a scope string. Single spaces only (RFC 6749 §3.3); unknown names or suffixes
    /// are `invalid_scope`. Exact repeats are dropped, the first occurrence keeps its place.
    pub fn parse(input: &str) -> Result<Self, OAuthError> {
        if input.is_empty() {
            return Err(OAuthError::invalid_scope("scope is empty"));
        }
        let mut tokens: Vec<ScopeToken> = Vec::new();
        for raw in input.split(' ') {
            if raw.is_empty() {
                return Err(OAuthError::invalid_scope(
                    "scope tokens must be separated by exactly one space (RFC 6749 §3.3)",
                ));
            }
            let token = parse_token(raw)?;
            if !tokens.iter().any(|t| t.raw == token.raw) {
                tokens.push(token);
            }
        }
        Ok(Self { tokens })
    }

    /// The tokens in request order.
    pub fn tokens(&self) -> &[ScopeToken] {
        &self.tokens
    }

    /// The highest access granted on scope `name`, if any.
    pub fn access(&self, name: &str) -> Option<Access> {
        self.tokens
            .iter()
            .filter(|t| t.def.name == name)
            .map(|t| t.access)
            .max()
    }

    /// Whether the set grants `access` on scope `name`.
    pub fn grants(&self, name: &str, access: Access) -> bool {
        self.access(name).is_some_and(|have| have >= access)
    }

    /// Whether `offline_access` was asked for.
    pub fn has_offline_access(&self) -> bool {
        self.access(OFFLINE_ACCESS).is_some()
    }

    /// Whether every token of `self` is granted by `other` (RFC 6749 §6: a refresh may narrow).
    pub fn is_subset_of(&self, other: &ScopeSet) -> bool {
        self.tokens.iter().all(|t| other.grants(t.def.name, t.access))
    }

    /// Checks each requested token against the app's allow-list (e.g. `source:w` allows
    /// `source`, `source:r` and `source:w` but not `source:d`).
    pub fn check_allowed(&self, allowed: &ScopeSet) -> Result<(), OAuthError> {
        match self.tokens.iter().find(|t| !allowed.grants(t.def.name, t.access)) {
            None => Ok(()),
            Some(t) => Err(OAuthError::invalid_scope(format!(
                "scope '{}' is not enabled for this app",
                t.raw
            ))),
        }
    }
}

impl fmt::Display for ScopeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, token) in self.tokens.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(&token.raw)?;
        }
        Ok(())
    }
}

fn parse_token(raw: &str) -> Result<ScopeToken, OAuthError> {
    let (name, suffix) = match raw.split_once(':') {
        Some((name, suffix)) => (name, Some(suffix)),
        None => (raw, None),
    };
    let def = scope_def(name).ok_or_else(|| OAuthError::invalid_scope(format!("unknown scope '{raw}'")))?;
    let access = match suffix {
        None | Some("r") => Access::Read,
        Some("w") if def.name != OFFLINE_ACCESS => Access::Write,
        Some("d") if def.name != OFFLINE_ACCESS => Access::Delete,
        Some(_) => {
            return Err(OAuthError::invalid_scope(format!(
                "unknown access level in scope '{raw}' (use :r, :w or :d)"
            )));
        }
    };
    if def.name == OFFLINE_ACCESS && suffix.is_some() {
        return Err(OAuthError::invalid_scope("offline_access takes no access level"));
    }
    Ok(ScopeToken {
        def,
        access,
        raw: raw.to_owned(),
    })
}

/// What a request on an `/api/...` path needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    /// The scope that covers the path.
    pub scope: &'static ScopeDef,
    /// The access the method needs.
    pub access: Access,
}

/// The scope and access a request needs, or `None` when no scope covers the path.
///
/// The longest matching prefix wins, on whole path segments, so `/api/users/current` needs
/// `profile` while `/api/users/7` needs `user`.
pub fn requirement(method: &str, path: &str) -> Option<Requirement> {
    SCOPES
        .iter()
        .flat_map(|def| def.paths.iter().chain(def.chosen).map(move |p| (def, *p)))
        .filter(|(_, prefix)| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
        .max_by_key(|(_, prefix)| prefix.len())
        .map(|(def, _)| Requirement {
            scope: def,
            access: Access::for_method(method),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(s: &str) -> ScopeSet {
        ScopeSet::parse(s).expect("valid scope")
    }

    #[test]
    fn parses_the_guides_example() {
        let s = set("profile source:w");
        assert_eq!(s.to_string(), "profile source:w");
        assert!(s.grants("profile", Access::Read));
        assert!(s.grants("source", Access::Write));
        assert!(!s.grants("source", Access::Delete));
        assert!(!s.grants("policy", Access::Read));
    }

    #[test]
    fn bare_and_r_mean_read() {
        assert_eq!(set("service").access("service"), Some(Access::Read));
        assert_eq!(set("service:r").access("service"), Some(Access::Read));
        assert_eq!(set("service:d").access("service"), Some(Access::Delete));
    }

    #[test]
    fn rejects_malformed_scopes() {
        for bad in [
            "",
            " ",
            "profile  source",
            "profile ",
            "nope",
            "source:x",
            "source:",
            "offline_access:w",
            "Profile",
        ] {
            let err = ScopeSet::parse(bad).expect_err(bad);
            assert_eq!(err.code, super::super::error::ErrorCode::InvalidScope, "{bad}");
        }
    }

    #[test]
    fn repeats_are_dropped() {
        assert_eq!(set("profile profile source").to_string(), "profile source");
    }

    #[test]
    fn allow_list_caps_access() {
        let allowed = set("profile source:w offline_access");
        assert!(set("source:r profile").check_allowed(&allowed).is_ok());
        assert!(set("source:w").check_allowed(&allowed).is_ok());
        assert!(set("source:d").check_allowed(&allowed).is_err());
        assert!(set("policy").check_allowed(&allowed).is_err());
    }

    #[test]
    fn subset_for_refresh_narrowing() {
        assert!(set("source").is_subset_of(&set("profile source:w")));
        assert!(!set("source:d").is_subset_of(&set("profile source:w")));
    }

    #[test]
    fn paths_map_to_scopes_by_longest_segment_prefix() {
        let r = requirement("GET", "/api/users/current").expect("covered");
        assert_eq!(r.scope.name, "profile");
        let r = requirement("DELETE", "/api/users/7/contacts").expect("covered");
        assert_eq!((r.scope.name, r.access), ("user", Access::Delete));
        let r = requirement("PUT", "/api/alert-sources/3").expect("covered");
        assert_eq!((r.scope.name, r.access), ("source", Access::Write));
        assert_eq!(
            requirement("GET", "/api/on-calls").map(|r| r.scope.name),
            Some("schedule")
        );
        assert!(requirement("GET", "/api/alert-sourcesX").is_none());
        assert!(requirement("GET", "/api/unknown").is_none());
        // `/api/alerts` is not a prefix of `/api/alert-actions`.
        assert_eq!(
            requirement("GET", "/api/alert-actions").map(|r| r.scope.name),
            Some("action")
        );
    }
}
