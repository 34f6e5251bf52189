//! Where ilert's own clients and ilert's OpenAPI document disagree, and the mock follows the
//! clients: they run against ilert's production API every day, so what they send and expect is
//! what production does. Each override names the client line it follows (repository, file,
//! line, commit), and `mock-server/docs/reconciliation-resources.md` lists them with their
//! tests. Everything not listed here answers as the document says.
//!
//! The overrides are data, read in one place each: [`success`] by the generic create and the
//! subscriber actions, [`body_schema`] by the request check, and the OpenAPI walk test (through
//! the crate's `STATUS_OVERRIDES`), which checks every other answer against the document.

use std::sync::LazyLock;

use serde_json::Value;

use super::catalogue::Operation;

/// A line of one of ilert's clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientLine {
    /// `owner/name` on GitHub.
    pub repo: &'static str,
    /// The file in the repository.
    pub file: &'static str,
    /// The line the behaviour is read from.
    pub line: u32,
    /// The commit the line was read at.
    pub commit: &'static str,
}

/// The commit of iLert/ilert-go the lines below were read at.
pub const ILERT_GO: &str = "549c4adb075a5f8f3836ef578b60b3d439460302";

/// The commit of iLert/terraform-provider-ilert the lines below were read at.
pub const TERRAFORM: &str = "d8da1ef2d834dc29b8470d84f6ddf1fbfa90e3ca";

/// A line of iLert/ilert-go.
pub const fn go(file: &'static str, line: u32) -> ClientLine {
    ClientLine {
        repo: "iLert/ilert-go",
        file,
        line,
        commit: ILERT_GO,
    }
}

/// A line of iLert/terraform-provider-ilert.
pub const fn terraform(file: &'static str, line: u32) -> ClientLine {
    ClientLine {
        repo: "iLert/terraform-provider-ilert",
        file,
        line,
        commit: TERRAFORM,
    }
}

/// A success status the mock answers instead of the document's.
#[derive(Debug, Clone, Copy)]
pub struct StatusOverride {
    /// The operation's method.
    pub method: &'static str,
    /// The operation's path template, as the document writes it.
    pub path: &'static str,
    /// The status ilert's client expects (`getGenericAPIError(resp, N)` in ilert-go, which
    /// fails on any other status).
    pub status: u16,
    /// Whether the answer carries the entity's subscribers as a JSON array (ilert-go
    /// unmarshals the answer of a subscriber addition as `[]Subscriber`).
    pub subscribers: bool,
    /// The client line that expects it.
    pub client: ClientLine,
}

const fn created(path: &'static str, client: ClientLine) -> StatusOverride {
    StatusOverride {
        method: "POST",
        path,
        status: 201,
        subscribers: false,
        client,
    }
}

const fn subscribers(method: &'static str, path: &'static str, client: ClientLine) -> StatusOverride {
    StatusOverride {
        method,
        path,
        status: 202,
        subscribers: true,
        client,
    }
}

/// Every success status the mock takes from ilert's clients instead of the document (which
/// says `200` for these creates and `204` for these subscriber additions). Every create of
/// ilert-go was compared: the others agree with the document (`POST /incidents` 200 at
/// incident.go:132, the schedules, alert sources, escalation policies, heartbeat monitors,
/// event and call flows, support hours, users and their contacts and preferences 201).
pub const STATUS_OVERRIDES: &[StatusOverride] = &[
    created("/alert-actions", go("alert_action.go", 425)),
    created("/connectors", go("connector.go", 238)),
    created("/deployment-pipelines", go("deployment_pipeline.go", 143)),
    created("/incident-templates", go("incident_template.go", 46)),
    created("/metrics", go("metric.go", 104)),
    created("/metric-data-sources", go("metric_data_source.go", 91)),
    created("/services", go("service.go", 113)),
    created("/status-pages", go("status_page.go", 169)),
    created("/teams", go("team.go", 96)),
    subscribers(
        "POST",
        "/status-pages/{id}/private-subscribers",
        go("status_page.go", 443),
    ),
    subscribers(
        "PUT",
        "/status-pages/{id}/private-subscribers",
        go("status_page.go", 486),
    ),
    subscribers("PUT", "/services/{id}/private-subscribers", go("service.go", 387)),
    subscribers(
        "POST",
        "/incidents/{id}/private-subscribers",
        go("incident.go", 398),
    ),
];

/// The override of an operation's success status, if the mock has one.
pub fn status_override(method: &str, path: &str) -> Option<&'static StatusOverride> {
    STATUS_OVERRIDES
        .iter()
        .find(|o| o.method == method && o.path == path)
}

/// The success status the mock answers for `op`: the clients' where [`STATUS_OVERRIDES`]
/// lists it, else the document's.
pub fn success(op: &Operation) -> u16 {
    status_override(&op.method, &op.path).map_or_else(|| op.success().0, |o| o.status)
}

/// A request body schema the mock accepts instead of the document's.
#[derive(Debug, Clone, Copy)]
pub struct BodyOverride {
    /// The operation's method.
    pub method: &'static str,
    /// The operation's path template.
    pub path: &'static str,
    /// The schema accepted, as JSON (it may `$ref` the document's schemas).
    pub schema: &'static str,
    /// The client line that sends what the document does not describe.
    pub client: ClientLine,
}

/// Bodies the mock accepts beyond the document: `POST /status-pages/{id}/private-subscribers`
/// documents one `TeamUserOption`, and ilert-go's `AddStatusPageSubscriber` sends an array of
/// them; both are accepted (nothing decides which production prefers, so either works).
pub const BODY_OVERRIDES: &[BodyOverride] = &[BodyOverride {
    method: "POST",
    path: "/status-pages/{id}/private-subscribers",
    schema: r##"{"anyOf": [{"$ref": "#/components/schemas/TeamUserOption"}, {"type": "array", "items": {"$ref": "#/components/schemas/TeamUserOption"}}]}"##,
    client: go("status_page.go", 439),
}];

/// [`BODY_OVERRIDES`]' schemas, parsed once.
static BODY_SCHEMAS: LazyLock<Vec<Value>> = LazyLock::new(|| {
    BODY_OVERRIDES
        .iter()
        // The override texts are constants checked by this module's tests.
        .map(|o| serde_json::from_str(o.schema).unwrap_or(Value::Null))
        .collect()
});

/// The request body schema the mock checks `op` against: an override's, else the
/// document's.
pub fn body_schema(op: &Operation) -> Option<&Value> {
    BODY_OVERRIDES
        .iter()
        .position(|o| o.method == op.method && o.path == op.path)
        .and_then(|i| BODY_SCHEMAS.get(i))
        .or(op.body.as_ref())
}

/// A lookup by name that ilert's clients call and the document does not describe:
/// `GET {path}/name/{name}` answers what `GET {path}/{id}` answers for the entity of that name
/// (same scope, same `include`s), or 404 in ilert's REST shape when none has it.
#[derive(Debug, Clone, Copy)]
pub struct NameLookup {
    /// The collection's path template, as the document writes it (`/services`).
    pub path: &'static str,
    /// The client line that calls `GET {path}/name/{name}`.
    pub client: ClientLine,
}

const fn by_name(path: &'static str, client: ClientLine) -> NameLookup {
    NameLookup { path, client }
}

/// Every `GET …/name/{name}` of ilert-go (its `Search*` functions, which the Terraform
/// provider's data sources call, e.g. data_source_service.go:45). ilert-go's uptime monitors
/// (uptime_monitor.go:249) are left out: the document has no uptime monitors and the mock
/// serves none. Terraform's user data source looks users up by e-mail
/// (`POST /users/search-email`, data_source_user.go:49), which the document has.
pub const NAME_LOOKUPS: &[NameLookup] = &[
    by_name("/alert-actions", go("alert_action.go", 552)),
    by_name("/alert-sources", go("alert_source.go", 849)),
    by_name("/call-flows", go("call_flow.go", 531)),
    by_name("/connectors", go("connector.go", 360)),
    by_name("/deployment-pipelines", go("deployment_pipeline.go", 269)),
    by_name("/escalation-policies", go("escalation_policy.go", 174)),
    by_name("/event-flows", go("event_flow.go", 306)),
    by_name("/heartbeat-monitors", go("heartbeat_monitor.go", 189)),
    by_name("/incident-templates", go("incident_template.go", 175)),
    by_name("/metrics", go("metric.go", 239)),
    by_name("/metric-data-sources", go("metric_data_source.go", 218)),
    by_name("/schedules", go("schedule.go", 417)),
    by_name("/services", go("service.go", 296)),
    by_name("/status-pages", go("status_page.go", 352)),
    by_name("/status-pages/{id}/groups", go("status_page_group.go", 174)),
    by_name("/support-hours", go("support_hour.go", 185)),
    by_name("/teams", go("team.go", 213)),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::catalogue::catalogue;

    #[test]
    fn every_override_names_an_operation_of_the_document_that_it_changes() {
        let c = catalogue();
        for o in STATUS_OVERRIDES {
            let op = c
                .operation(o.method, o.path)
                .unwrap_or_else(|| panic!("{} {} is not in the document", o.method, o.path));
            assert_ne!(
                op.success().0,
                o.status,
                "{} {} agrees with the document",
                o.method,
                o.path
            );
            assert_eq!(success(op), o.status);
        }
        for o in BODY_OVERRIDES {
            let op = c.operation(o.method, o.path).expect("a documented operation");
            let schema: Value = serde_json::from_str(o.schema).expect("a JSON schema");
            assert_eq!(body_schema(op), Some(&schema));
        }
        let op = c.operation("POST", "/incidents").expect("op");
        assert_eq!(
            success(op),
            200,
            "ilert-go expects the document's 200 (incident.go:132)"
        );
    }
}
