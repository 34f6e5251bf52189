//! Where ilert's own clients and ilert's OpenAPI document disagree, and the mock follows the
//! clients: they run against ilert's production API every day, so what they send and expect is
//! what production does. Each override names the client line it follows (repository, file,
//! line, commit), and `mock-server/docs/reconciliation-resources.md` lists them with their
//! tests. Everything not listed here answers as the document says.
//!
//! The overrides are data, read in one place each: `Operation::answered_status` by the generic create and
//! the subscriber actions, `Operation::accepted_body` by the request check, and the OpenAPI walk test (through
//! `STATUS_OVERRIDES`), which checks every other answer against the document.

use std::sync::LazyLock;

use serde_json::Value;

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
        // The override texts are constants checked by the catalogue's tests.
        .map(|o| serde_json::from_str(o.schema).unwrap_or(Value::Null))
        .collect()
});

/// The body schema [`BODY_OVERRIDES`] names for `method path`, if any.
pub fn body_override(method: &str, path: &str) -> Option<&'static Value> {
    BODY_OVERRIDES
        .iter()
        .position(|o| o.method == method && o.path == path)
        .and_then(|i| BODY_SCHEMAS.get(i))
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

/// A change to one of the document's component schemas, where ilert's clients accept or send
/// more than the document lists.
#[derive(Debug, Clone, Copy)]
pub struct SchemaPatch {
    /// The component schema (`Role`).
    pub schema: &'static str,
    /// The JSON pointer of the part replaced inside it (`/enum`; empty: the whole schema).
    pub pointer: &'static str,
    /// The replacement, as JSON.
    pub value: &'static str,
    /// The client line (or client documentation line) that sends it.
    pub client: ClientLine,
}

/// A format of the mock's own, for [`SCHEMA_PATCHES`]: an IANA time zone of the time zone
/// database bundled with the mock (jiff's), such as `Europe/London`.
pub const FORMAT_TIME_ZONE: &str = "iana-time-zone";

/// A format of the mock's own, for [`SCHEMA_PATCHES`]: an RFC 3339 date-time, or a date-time
/// without offset (`2022-08-30T00:00`, `2022-08-30T00:00:00`) read in the time zone of the entity
/// it belongs to.
pub const FORMAT_LOCAL_DATE_TIME: &str = "local-date-time";

/// The component schemas the mock widens:
/// - `Role`: Terraform's `ilert_user` accepts `VIEWER` besides the document's five roles.
/// - `TeamRole`: Terraform's documentation names `VIEWER` for team members as well.
/// - `TimeZone`: the document's enum is four sample zones; ilert-go and Terraform send any
///   zone name (Terraform's `ilert_user` defaults to `Europe/Berlin` and validates nothing),
///   so any zone of the bundled IANA database is accepted and any other is a 400 naming the
///   field.
/// - `ScheduleLayerConfig.startsOn`/`endsOn`, `ShiftRel.start`/`end`: Terraform's documentation
///   and examples send date-times without offset (`2022-08-30T00:00`,
///   `formatdate("YYYY-MM-DD'T'hh:mm:ss", …)`); they are read in the schedule's time zone.
/// - Stricter where ilert is (`resources::formats`): users' and e-mail contacts' addresses
///   (ilert mails them; ilert-go sends `email`, user.go:17, and `target`, user_email_contact.go:12),
///   phone contacts' `target` and `regionCode` (ilert calls and texts them; ilert-go sends both,
///   user_phone_number_contact.go:12-13, Terraform's example an E.164 number), and status page
///   subdomains, host names (Terraform's examples send `example-public.ilert.io`).
/// - `ServiceUptimePercentage`: ilert-go reads `uptime.uptimePercentage.p90` (service.go:30,
///   :35); the document nests the percentages once more (`uptimePercentage.uptimePercentage`).
pub const SCHEMA_PATCHES: &[SchemaPatch] = &[
    // ilert-go's restriction types (schedule.go:72-73): the document names only TIMES_OF_WEEK.
    SchemaPatch {
        schema: "ScheduleLayerConfig",
        pointer: "/properties/restrictionType/enum",
        value: r#"["TIMES_OF_WEEK", "TIME_OF_WEEK", "TIME_OF_DAY"]"#,
        client: go("schedule.go", 72),
    },
    // ilert-go's alert creation values include the deprecated ONE_*_INCIDENT_* names, which it
    // still offers (alert_source.go:177-180); accepted and kept as sent.
    SchemaPatch {
        schema: "AlertSource",
        pointer: "/properties/alertCreation/enum",
        value: r#"["ONE_INCIDENT_PER_EMAIL", "ONE_INCIDENT_PER_EMAIL_SUBJECT", "ONE_PENDING_INCIDENT_ALLOWED", "ONE_OPEN_INCIDENT_ALLOWED", "ONE_ALERT_PER_EMAIL", "ONE_ALERT_PER_EMAIL_SUBJECT", "ONE_PENDING_ALERT_ALLOWED", "ONE_OPEN_ALERT_ALLOWED", "OPEN_RESOLVE_ON_EXTRACTION", "ONE_ALERT_GROUPED_PER_WINDOW", "INTELLIGENT_GROUPING"]"#,
        client: go("alert_source.go", 177),
    },
    SchemaPatch {
        schema: "AlertSourceNoIncludes",
        pointer: "/properties/alertCreation/enum",
        value: r#"["ONE_INCIDENT_PER_EMAIL", "ONE_INCIDENT_PER_EMAIL_SUBJECT", "ONE_PENDING_INCIDENT_ALLOWED", "ONE_OPEN_INCIDENT_ALLOWED", "ONE_ALERT_PER_EMAIL", "ONE_ALERT_PER_EMAIL_SUBJECT", "ONE_PENDING_ALERT_ALLOWED", "ONE_OPEN_ALERT_ALLOWED", "OPEN_RESOLVE_ON_EXTRACTION", "ONE_ALERT_GROUPED_PER_WINDOW", "INTELLIGENT_GROUPING"]"#,
        client: go("alert_source.go", 177),
    },
    SchemaPatch {
        schema: "AlertSourceRel",
        pointer: "/properties/alertCreation/enum",
        value: r#"["ONE_INCIDENT_PER_EMAIL", "ONE_INCIDENT_PER_EMAIL_SUBJECT", "ONE_PENDING_INCIDENT_ALLOWED", "ONE_OPEN_INCIDENT_ALLOWED", "ONE_ALERT_PER_EMAIL", "ONE_ALERT_PER_EMAIL_SUBJECT", "ONE_PENDING_ALERT_ALLOWED", "ONE_OPEN_ALERT_ALLOWED", "OPEN_RESOLVE_ON_EXTRACTION", "ONE_ALERT_GROUPED_PER_WINDOW", "INTELLIGENT_GROUPING"]"#,
        client: go("alert_source.go", 177),
    },
    // ilert-go's integration types include CRN, EMAIL and HEARTBEAT (alert_source.go:393-402),
    // which the document lists as EMAIL2 and HEARTBEAT2 or not at all.
    SchemaPatch {
        schema: "IntegrationType",
        pointer: "/enum",
        value: r#"["NAGIOS", "ICINGA", "EMAIL2", "SMS", "API", "HEARTBEAT2", "PRTG", "PINGDOM", "CLOUDWATCH", "AWSPHD", "STACKDRIVER", "INSTANA", "ZABBIX", "SOLARWINDS", "PROMETHEUS", "NEWRELIC", "GRAFANA", "GITHUB", "DATADOG", "UPTIMEROBOT", "APPDYNAMICS", "DYNATRACE", "TOPDESK", "STATUSCAKE", "MONITOR", "TOOL", "CHECKMK", "AUTOTASK", "AWSBUDGET", "SYSDIG", "SERVERDENSITY", "ZAPIER", "KENTIXAM", "JIRA", "CONSUL", "ZAMMAD", "SPLUNK", "SERVICENOW", "SEARCHGUARD", "KUBERNETES", "SIGNALFX", "AZUREALERTS", "TERRAFORMCLOUD", "SENTRY", "SEMATEXT", "SUMOLOGIC", "RAYGUN", "MXTOOLBOX", "ESWATCHER", "AMAZONSNS", "KAPACITOR", "CORTEXXSOAR", "ZENDESK", "AUVIK", "SENSU", "NCENTRAL", "JUMPCLOUD", "SALESFORCE", "GUARDDUTY", "STATUSHUB", "IXON", "APIFORTRESS", "FRESHSERVICE", "APPSIGNAL", "LIGHTSTEP", "IBMCLOUDFUNCTIONS", "CROWDSTRIKE", "HUMIO", "OHDEAR", "MONGODBATLAS", "GITLAB", "HYPERPING", "PAPRISMACLOUD", "SAMSARA", "PANDORAFMS", "MSSCOM", "TWILIO", "CISCOMERAKI", "CHECKLY", "POSTHOG", "GOOGLESCC", "SLACK", "MSTEAMS", "UPTIMEKUMA", "TWILIOERRORS", "PARTICLE", "CLOUDFLARE", "TULIP", "GRAYLOG", "CATCHPOINT", "LOKI", "CORTEX", "MIMIR", "HALOPSA", "INFLUXDB", "CALLFLOW", "HALOITSM", "KIBANA", "VICTORIAMETRICS", "HONEYCOMB", "FOURME", "KEEP", "UBIDOTS", "HETRIXTOOLS", "POSTMAN", "CLUSTERCONTROL", "NETDATA", "AWX", "KAFKA", "MQTT", "RAPIDSPIKE", "HONEYBADGER", "HEALTHCHECKSIO", "MEZMO", "SERVERGUARD24", "CISCOTHOUSANDEYES", "SITE24X7", "ITCONDUCTOR", "SAPFRUN", "APICA", "DASH0", "ROLLBAR", "GATUS", "LIBRENMS", "PANTHER", "TEAMCITY", "ALIBABACLOUD", "FLEETDM", "CONNECTWISEPSA", "DEADMANSSNITCH", "FORTISOAR", "OPMANAGER", "CRONITOR", "DOMOTZ", "LIVEWATCH", "AZUREDEVOPS", "LEVELIO", "EKARA", "SYSAID", "PHAREIO", "OPSGENIE", "WHATAP", "SIGNOZ", "GOOGLECHAT", "DOTCOMMONITOR", "UPTIME", "HELPSCOUT", "SCIENCELOGIC", "PULSETIC", "WAZUH", "SEKOIA", "CRN", "EMAIL", "HEARTBEAT"]"#,
        client: go("alert_source.go", 393),
    },
    SchemaPatch {
        schema: "Role",
        pointer: "/enum",
        value: r#"["STAKEHOLDER", "GUEST", "RESPONDER", "USER", "ADMIN", "VIEWER"]"#,
        client: terraform("ilert/resource_user.go", 72),
    },
    SchemaPatch {
        schema: "TeamRole",
        pointer: "/enum",
        value: r#"["STAKEHOLDER", "RESPONDER", "USER", "ADMIN", "VIEWER"]"#,
        client: terraform("website/docs/r/team.html.markdown", 44),
    },
    SchemaPatch {
        schema: "TimeZone",
        pointer: "",
        value: r#"{"type": "string", "format": "iana-time-zone"}"#,
        client: terraform("ilert/resource_user.go", 39),
    },
    SchemaPatch {
        schema: "ScheduleLayerConfig",
        pointer: "/properties/startsOn/format",
        value: r#""local-date-time""#,
        client: terraform("website/docs/r/schedule.html.markdown", 79),
    },
    SchemaPatch {
        schema: "ScheduleLayerConfig",
        pointer: "/properties/endsOn/format",
        value: r#""local-date-time""#,
        client: terraform("website/docs/r/schedule.html.markdown", 79),
    },
    SchemaPatch {
        schema: "ShiftRel",
        pointer: "/properties/start/format",
        value: r#""local-date-time""#,
        client: terraform("examples/schedule/main.tf", 40),
    },
    SchemaPatch {
        schema: "ShiftRel",
        pointer: "/properties/end/format",
        value: r#""local-date-time""#,
        client: terraform("examples/schedule/main.tf", 41),
    },
    SchemaPatch {
        schema: "ServiceUptimePercentage",
        pointer: "",
        value: r#"{"type": "object", "properties": {"p90": {"maximum": 100, "minimum": 0, "type": "number", "format": "float", "readOnly": true}, "p60": {"maximum": 100, "minimum": 0, "type": "number", "format": "float", "readOnly": true}, "p30": {"maximum": 100, "minimum": 0, "type": "number", "format": "float", "readOnly": true}}}"#,
        client: go("service.go", 30),
    },
    SchemaPatch {
        schema: "User",
        pointer: "/properties/email/format",
        value: r#""email""#,
        client: go("user.go", 17),
    },
    SchemaPatch {
        schema: "UserPost",
        pointer: "/properties/email/format",
        value: r#""email""#,
        client: go("user.go", 17),
    },
    SchemaPatch {
        schema: "ContactEmail",
        pointer: "/properties/target/format",
        value: r#""email""#,
        client: go("user_email_contact.go", 12),
    },
    SchemaPatch {
        schema: "ContactEmailPost",
        pointer: "/properties/target/format",
        value: r#""email""#,
        client: go("user_email_contact.go", 12),
    },
    SchemaPatch {
        schema: "ContactPhoneNumberPost",
        pointer: "/properties/target/format",
        value: r#""phone-number""#,
        client: terraform("examples/user_phone_number_contact/main.tf", 9),
    },
    SchemaPatch {
        schema: "ContactPhoneNumberPost",
        pointer: "/properties/regionCode/format",
        value: r#""region-code""#,
        client: go("user_phone_number_contact.go", 12),
    },
    SchemaPatch {
        schema: "ContactPhoneNumber",
        pointer: "/properties/target/format",
        value: r#""phone-number""#,
        client: terraform("examples/user_phone_number_contact/main.tf", 9),
    },
    SchemaPatch {
        schema: "ContactPhoneNumber",
        pointer: "/properties/regionCode/format",
        value: r#""region-code""#,
        client: go("user_phone_number_contact.go", 12),
    },
    SchemaPatch {
        schema: "StatusPageNoIncludes",
        pointer: "/properties/subdomain/format",
        value: r#""hostname""#,
        client: terraform("examples/status_page/main.tf", 7),
    },
    SchemaPatch {
        schema: "StatusPage",
        pointer: "/properties/subdomain/format",
        value: r#""hostname""#,
        client: terraform("examples/status_page/main.tf", 7),
    },
    SchemaPatch {
        schema: "StatusPageList",
        pointer: "/properties/subdomain/format",
        value: r#""hostname""#,
        client: terraform("examples/status_page/main.tf", 7),
    },
];

/// Applies [`SCHEMA_PATCHES`] to the component schema `name` as parsed from the catalogue.
pub fn patch(name: &str, schema: &mut Value) {
    for p in SCHEMA_PATCHES.iter().filter(|p| p.schema == name) {
        // The patch texts are constants checked by this module's tests.
        let Ok(value) = serde_json::from_str::<Value>(p.value) else {
            continue;
        };
        // The last key is added when the document lacks it (`format` on a plain string).
        let (parent, key) = p.pointer.rsplit_once('/').unwrap_or(("", ""));
        match schema.pointer_mut(parent) {
            _ if p.pointer.is_empty() => *schema = value,
            Some(Value::Object(map)) => {
                map.insert(key.to_owned(), value);
            }
            _ => {}
        }
    }
}

/// Query parameters whose values may also come as one comma-separated list (`include=a,b`)
/// besides repeated (`include=a&include=b`, the document's `style: form, explode: true`, which
/// ilert-go sends, e.g. service.go:166). No client decides against the list form, so both work.
pub const LIST_PARAMS: &[&str] = &["include"];

/// The query with the values of [`LIST_PARAMS`] split at commas, in order; empty items are
/// dropped.
pub fn split_lists(query: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(query.len());
    for (name, value) in query {
        if LIST_PARAMS.contains(&name.as_str()) && value.contains(',') {
            out.extend(
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(|v| (name.clone(), v.to_owned())),
            );
        } else {
            out.push((name, value));
        }
    }
    out
}

/// A query parameter ilert's clients send under another name than the document's: renamed to
/// the documented one before the operation's checks, so it validates and filters as documented
/// (it was silently ignored before, which left a client's list unfiltered).
#[derive(Debug, Clone, Copy)]
pub struct ParamAlias {
    /// The operation's method.
    pub method: &'static str,
    /// The operation's path template (the document's).
    pub path: &'static str,
    /// The name the client sends.
    pub sent: &'static str,
    /// The document's name.
    pub documented: &'static str,
    /// The client line that sends it.
    pub client: ClientLine,
}

/// ilert-go's names for the alert list, count and assign parameters, and for the incident list
/// filter. The document's own description of `PUT /alerts/{id}/assign` asks for "a user-id,
/// policy-id … or schedule-id" while its parameters are named `user`, `policy`, `schedule`:
/// both are taken.
pub const PARAM_ALIASES: &[ParamAlias] = &[
    alias("GET", "/alerts", "state", "states", go("alert.go", 271)),
    alias("GET", "/alerts", "alert-source", "sources", go("alert.go", 275)),
    alias("GET", "/alerts", "assigned-to", "responders", go("alert.go", 279)),
    alias("GET", "/alerts/count", "state", "states", go("alert.go", 347)),
    alias(
        "GET",
        "/alerts/count",
        "alert-source",
        "sources",
        go("alert.go", 351),
    ),
    alias(
        "GET",
        "/alerts/count",
        "assigned-to",
        "responders",
        go("alert.go", 355),
    ),
    alias(
        "PUT",
        "/alerts/{id}/assign",
        "user-id",
        "user",
        go("alert.go", 458),
    ),
    alias(
        "PUT",
        "/alerts/{id}/assign",
        "policy-id",
        "policy",
        go("alert.go", 464),
    ),
    alias(
        "PUT",
        "/alerts/{id}/assign",
        "schedule-id",
        "schedule",
        go("alert.go", 467),
    ),
    alias("GET", "/incidents", "state", "states", go("incident.go", 201)),
];

const fn alias(
    method: &'static str,
    path: &'static str,
    sent: &'static str,
    documented: &'static str,
    client: ClientLine,
) -> ParamAlias {
    ParamAlias {
        method,
        path,
        sent,
        documented,
        client,
    }
}

/// The query with [`PARAM_ALIASES`]' client names of `method path` renamed to the document's.
pub fn rename_params(method: &str, path: &str, query: Vec<(String, String)>) -> Vec<(String, String)> {
    query
        .into_iter()
        .map(|(name, value)| {
            let documented = PARAM_ALIASES
                .iter()
                .find(|a| a.method == method && a.path == path && a.sent == name)
                .map_or(name, |a| a.documented.to_owned());
            (documented, value)
        })
        .collect()
}

/// An operation ilert's clients call under another method than the document's: served as the
/// documented one.
#[derive(Debug, Clone, Copy)]
pub struct RouteAlias {
    /// The method the client sends.
    pub method: &'static str,
    /// The path template (the document's).
    pub path: &'static str,
    /// The documented method it is served as.
    pub like: &'static str,
    /// The client line.
    pub client: ClientLine,
}

/// ilert-go's `AddScheduleShiftOverride` POSTs the override its own doc comment links to the
/// document's `PUT /schedules/{id}/overrides` (schedule.go:498, :512), and expects 200.
pub const ROUTE_ALIASES: &[RouteAlias] = &[RouteAlias {
    method: "POST",
    path: "/schedules/{id}/overrides",
    like: "PUT",
    client: go("schedule.go", 512),
}];

/// A search of a user's contacts by `target` that ilert's clients call and the document does
/// not describe: `POST {path}/search-target` with `{"target": …}` (a phone search also sends
/// `regionCode`, empty when unknown) answers 200 with the contact, or 404 in ilert's REST shape.
#[derive(Debug, Clone, Copy)]
pub struct TargetSearch {
    /// The contact collection's path template.
    pub path: &'static str,
    /// The client line.
    pub client: ClientLine,
}

/// ilert-go's `SearchUserEmailContact` and `SearchUserPhoneNumberContact`, which Terraform's
/// contact data sources call (data_source_user_email_contact.go:63,
/// data_source_user_phone_number_contact.go:67).
pub const TARGET_SEARCHES: &[TargetSearch] = &[
    TargetSearch {
        path: "/users/{user-id}/contacts/emails",
        client: go("user_email_contact.go", 184),
    },
    TargetSearch {
        path: "/users/{user-id}/contacts/phone-numbers",
        client: go("user_phone_number_contact.go", 167),
    },
];

#[cfg(test)]
mod list_tests {
    use super::*;

    #[test]
    fn include_lists_are_split_and_other_parameters_kept() {
        let q = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        assert_eq!(
            split_lists(q(&[
                ("include", "uptime,subscribed"),
                ("include", "incidents"),
                ("states", "A,B")
            ])),
            q(&[
                ("include", "uptime"),
                ("include", "subscribed"),
                ("include", "incidents"),
                ("states", "A,B")
            ])
        );
        assert_eq!(
            split_lists(q(&[("include", "a,,b")])),
            q(&[("include", "a"), ("include", "b")])
        );
    }
}
