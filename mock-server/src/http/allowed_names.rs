//! The names given with `--allowed-host` (see [`super::allowed_hosts`] for the check that reads
//! them): parsed once into patterns, a value in the options.

/// Why an `--allowed-host` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--allowed-host '{0}': give a host name such as mock or .example.test (no scheme, path or port)")]
pub struct AllowedHostError(pub String);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pattern {
    /// `mock`: the name and its tenant hosts (`acme.mock`).
    Name(String),
    /// `.example.test`: the name and every name below it.
    Domain(String),
}

/// The names the mock answers besides the ones it always answers (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedHosts {
    patterns: Vec<Pattern>,
    any: bool,
}

impl AllowedHosts {
    /// Parses `--allowed-host` values; empty values are skipped (an empty environment variable).
    pub fn parse<S: AsRef<str>>(values: impl IntoIterator<Item = S>) -> Result<Self, AllowedHostError> {
        let mut allowed = Self::default();
        for value in values {
            let raw = value.as_ref().trim();
            if raw.is_empty() {
                continue;
            }
            if raw == "*" {
                allowed.any = true;
                continue;
            }
            let name = raw.trim_end_matches('.').to_ascii_lowercase();
            let (domain, bare) = match name.strip_prefix('.') {
                Some(rest) => (true, rest.to_owned()),
                None => (false, name),
            };
            let valid = !bare.is_empty()
                && bare.split('.').all(|label| {
                    !label.is_empty()
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                });
            if !valid {
                return Err(AllowedHostError(raw.to_owned()));
            }
            allowed.patterns.push(if domain {
                Pattern::Domain(bare)
            } else {
                Pattern::Name(bare)
            });
        }
        Ok(allowed)
    }

    /// Whether `name` (lowercase, no port) is an allowed name whose first-label subdomains are
    /// tenant hosts.
    pub fn is_tenant_base(&self, name: &str) -> bool {
        self.patterns.iter().any(|p| match p {
            Pattern::Name(n) | Pattern::Domain(n) => n == name,
        })
    }

    /// Whether `*` was given: every name is answered.
    pub fn admits_any(&self) -> bool {
        self.any
    }

    /// Whether `name` (lowercase, no port) is one of the listed names or below one.
    pub fn admits_listed(&self, name: &str) -> bool {
        self.patterns.iter().any(|p| match p {
            Pattern::Name(n) => name == n || tenant_of(name, n),
            Pattern::Domain(d) => {
                name == d || name.strip_suffix(d.as_str()).is_some_and(|r| r.ends_with('.'))
            }
        })
    }
}

/// Whether `name` is `{one label}.{base}`.
pub fn tenant_of(name: &str, base: &str) -> bool {
    name.strip_suffix(base)
        .and_then(|rest| rest.strip_suffix('.'))
        .is_some_and(|label| !label.is_empty() && !label.contains('.'))
}
