//! [`Bounds`]: how much a client can make the mock keep, and how much work one request may ask
//! for. Every byte a request can leave behind counts against one of these, so a mock stays within
//! a few hundred MB whatever it is sent (a flood from a test, a script, or a web page). Past a
//! bound the endpoint answers in its own error shape, naming the bound and its flag; nothing
//! already stored is dropped to make room. `mock-server/docs/security-bounds.md` lists them.

/// The limits, each with a flag of `ilert-mock` (and an `ILERT_MOCK_*` variable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Bytes of REST resources (their JSON) over all tenants, alerts from events and their log
    /// entries included (`--max-store-bytes`).
    pub store_bytes: usize,
    /// Bytes of one value (a client id, a username, a redirect URI) kept in an audit fact
    /// (`--max-audit-value-bytes`); longer values are cut with a marker.
    pub audit_value_bytes: usize,
    /// Bytes of all audit facts together (`--max-audit-bytes`); the oldest go first.
    pub audit_bytes: usize,
    /// Tenants, fixtures included (`--max-tenants`).
    pub tenants: usize,
    /// Apps, fixtures included (`--max-apps`).
    pub apps: usize,
    /// Users, fixtures included (`--max-users`).
    pub users: usize,
    /// Bytes of one name, username, client id, redirect URI or other text of a tenant, app or
    /// user added at run time (`--max-name-bytes`).
    pub name_bytes: usize,
    /// Client addresses the rate limiter tracks at once (`--max-rate-limit-clients`).
    pub rate_limit_clients: usize,
    /// Authorization codes issued and not yet redeemed or expired (`--max-pending-codes`).
    pub pending_codes: usize,
    /// Layers of one schedule (`--max-schedule-layers`).
    pub schedule_layers: usize,
    /// Shifts one answer may compute or list (`--max-shifts`).
    pub shifts: usize,
}

/// Default of [`Bounds::store_bytes`]: 128 MiB.
pub const DEFAULT_STORE_BYTES: usize = 128 * 1024 * 1024;
/// Default of [`Bounds::audit_value_bytes`]: 512 bytes.
pub const DEFAULT_AUDIT_VALUE_BYTES: usize = 512;
/// Default of [`Bounds::audit_bytes`]: 16 MiB.
pub const DEFAULT_AUDIT_BYTES: usize = 16 * 1024 * 1024;

impl Default for Bounds {
    fn default() -> Self {
        Self {
            store_bytes: DEFAULT_STORE_BYTES,
            audit_value_bytes: DEFAULT_AUDIT_VALUE_BYTES,
            audit_bytes: DEFAULT_AUDIT_BYTES,
            tenants: 100,
            apps: 1_000,
            users: 10_000,
            name_bytes: 256,
            rate_limit_clients: 10_000,
            pending_codes: 10_000,
            schedule_layers: 50,
            shifts: 5_000,
        }
    }
}
