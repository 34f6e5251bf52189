//! Typed access to teams (scope `team`: list, read, create, update, delete, add and remove
//! members) and to who is on call (`GET /api/on-calls`, scope `schedule`), after ilert's OpenAPI
//! schemas `Team`, `TeamMember` and `OnCall`. The types name the common fields and keep every
//! other one in `extra`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::api::{ApiClient, ApiRequest};
use crate::error::Error;
use crate::resources::{Created, EscalationPolicy, IdRef, Page, User};

/// Path of the team collection.
pub(crate) const TEAMS_PATH: &str = "/api/teams";
/// Path of the on-call list.
pub(crate) const ON_CALLS_PATH: &str = "/api/on-calls";

/// A member of a team (OpenAPI `TeamMember`), its user in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamMember {
    /// The user.
    pub user: User,
    /// `ADMIN`, `USER`, `RESPONDER` or `STAKEHOLDER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// A team (OpenAPI `Team`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Team {
    /// Numeric id.
    pub id: i64,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// `PUBLIC` or `PRIVATE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
    /// The members.
    #[serde(default)]
    pub members: Vec<TeamMember>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Team {
    /// The body that writes this team back unchanged (members by user id).
    pub fn to_update(&self) -> NewTeam {
        NewTeam {
            name: self.name.clone(),
            visibility: self.visibility.clone(),
            members: self
                .members
                .iter()
                .filter_map(|m| {
                    Some(NewTeamMember {
                        user: IdRef { id: m.user.id? },
                        role: m.role.clone(),
                    })
                })
                .collect(),
        }
    }
}

/// A member to write: the user by id and a role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTeamMember {
    /// The user.
    pub user: IdRef,
    /// The role (the server's default when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// The body of `POST /api/teams` and `PUT /api/teams/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTeam {
    /// Name.
    pub name: String,
    /// `PUBLIC` or `PRIVATE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
    /// The members.
    #[serde(default)]
    pub members: Vec<NewTeamMember>,
}

impl NewTeam {
    /// A team of that name without members.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            visibility: None,
            members: Vec::new(),
        }
    }
}

/// A schedule as on-calls name it (OpenAPI `ScheduleRel`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleRef {
    /// Schedule id.
    pub id: i64,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `STATIC` or `RECURRING`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// Who is on duty in a level of an escalation policy, and when (OpenAPI `OnCall`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnCall {
    /// The user on call.
    pub user: User,
    /// The policy.
    pub escalation_policy: EscalationPolicy,
    /// The level, counted from 1.
    pub escalation_level: u32,
    /// The schedule the duty comes from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<ScheduleRef>,
    /// ISO-8601 start.
    pub start: String,
    /// ISO-8601 end.
    pub end: String,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The documented filters of `GET /api/on-calls`; an empty list does not filter. Without
/// `from` and `until`, the server answers who is on call now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnCallQuery {
    /// Escalation policy ids.
    pub policies: Vec<i64>,
    /// Levels of policies: `(policy id, level from 1)`.
    pub policy_levels: Vec<(i64, u32)>,
    /// Schedule ids.
    pub schedules: Vec<i64>,
    /// User ids.
    pub users: Vec<i64>,
    /// ISO-8601 start of the range.
    pub from: Option<String>,
    /// ISO-8601 end of the range.
    pub until: Option<String>,
    /// IANA time zone the times are written in.
    pub timezone: Option<String>,
    /// Paging.
    pub page: Page,
}

impl OnCallQuery {
    fn apply(&self, request: ApiRequest) -> ApiRequest {
        let levels = (self.policy_levels.iter()).map(|(policy, level)| json!({"id": policy, "level": level}));
        let request = request
            .query_each("policies", &self.policies)
            .query_each("schedules", &self.schedules)
            .query_each("users", &self.users)
            .query_each("policy-levels", levels)
            .query_each("from", &self.from)
            .query_each("until", &self.until)
            .query_each("timezone", &self.timezone);
        self.page.apply(request)
    }
}

impl ApiClient {
    /// `GET /api/teams` (scope `team`).
    pub async fn teams(&self, page: Page) -> Result<Vec<Team>, Error> {
        self.fetch(page.apply(ApiRequest::get(TEAMS_PATH))).await
    }

    /// `GET /api/teams/{id}` (scope `team`).
    pub async fn team(&self, id: i64) -> Result<Team, Error> {
        self.get(&format!("{TEAMS_PATH}/{id}")).await
    }

    /// `POST /api/teams` (scope `team:w`): the team and its `Location`.
    pub async fn create_team(&self, team: &NewTeam) -> Result<Created<Team>, Error> {
        self.create(TEAMS_PATH, team).await
    }

    /// `PUT /api/teams/{id}` (scope `team:w`).
    pub async fn update_team(&self, id: i64, team: &NewTeam) -> Result<Team, Error> {
        self.put(&format!("{TEAMS_PATH}/{id}"), team).await
    }

    /// `DELETE /api/teams/{id}` (scope `team:d`); a team still in use is refused (409).
    pub async fn delete_team(&self, id: i64) -> Result<(), Error> {
        self.delete(&format!("{TEAMS_PATH}/{id}")).await
    }

    /// `POST /api/teams/{id}/members` (scope `team:w`): adds the user, or changes its role.
    pub async fn add_team_member(&self, team: i64, member: &NewTeamMember) -> Result<TeamMember, Error> {
        self.post(&format!("{TEAMS_PATH}/{team}/members"), member).await
    }

    /// `DELETE /api/teams/{id}/members/{user-id}` (scope `team:d`).
    pub async fn remove_team_member(&self, team: i64, user: i64) -> Result<(), Error> {
        self.delete(&format!("{TEAMS_PATH}/{team}/members/{user}")).await
    }

    /// `GET /api/on-calls` with `query`'s filters (scope `schedule`, the mock's choice).
    pub async fn on_calls(&self, query: &OnCallQuery) -> Result<Vec<OnCall>, Error> {
        self.fetch(query.apply(ApiRequest::get(ON_CALLS_PATH))).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_reads_and_writes_back_by_user_id() {
        let team: Team = serde_json::from_value(json!({
            "id": 8001, "name": "Platform", "visibility": "PUBLIC",
            "members": [{"user": {"id": 1001, "username": "someUser"}, "role": "ADMIN"}],
            "createdAt": "2026-10-01T09:00:00Z"
        }))
        .expect("parses");
        assert_eq!(team.members[0].user.username.as_deref(), Some("someUser"));
        assert!(team.extra.contains_key("createdAt"));
        assert_eq!(
            serde_json::to_value(team.to_update()).expect("serialises"),
            json!({"name": "Platform", "visibility": "PUBLIC",
                   "members": [{"user": {"id": 1001}, "role": "ADMIN"}]})
        );
    }

    #[test]
    fn on_call_filters_become_parameters() {
        let q = OnCallQuery {
            policies: vec![1503],
            policy_levels: vec![(1503, 2)],
            timezone: Some("Europe/Berlin".into()),
            ..OnCallQuery::default()
        };
        let r = q.apply(ApiRequest::get(ON_CALLS_PATH));
        let pairs: Vec<(&str, &str)> = r.query_pairs().collect();
        assert_eq!(
            pairs,
            [
                ("policies", "1503"),
                ("policy-levels", r#"{"id":1503,"level":2}"#),
                ("timezone", "Europe/Berlin"),
            ]
        );
        let on_call: OnCall = serde_json::from_value(json!({
            "user": {"id": 1001}, "escalationPolicy": {"id": 1503, "name": "Platform on-call"},
            "escalationLevel": 1, "schedule": {"id": 8101, "name": "Platform on-call", "type": "RECURRING"},
            "start": "2027-01-11T08:00:00Z", "end": "2027-01-15T12:00:00Z"
        }))
        .expect("parses");
        assert_eq!(
            on_call.schedule.and_then(|s| s.kind).as_deref(),
            Some("RECURRING")
        );
    }
}
