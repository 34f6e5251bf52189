//! The typed resource helpers and the file token store, against the mock's state.

use std::sync::Arc;

use ilert_mock::paths;
use ilert_oauth2_client::{
    AlertQuery, ApiClient, Error, FileStore, Grant, IdRef, NewAlertSource, NewTeam, NewTeamMember, OnCall,
    OnCallQuery, Page, Pkce, TokenStore,
};

use crate::common::*;

/// ilert's teams collection.
const TEAMS: &str = "/api/teams";

#[tokio::test]
async fn alert_source_crud_through_the_typed_helpers() {
    let server = auto_server().await;
    let (_, api) = guide_api(&server, "profile source:d policy").await;

    // The tenant's escalation policies and alert sources (the other tenant's stay hidden).
    let policies = api.escalation_policies(Page::default()).await.expect("policies");
    let policy = policies.first().expect("a policy").id;
    let listed = api.alert_sources(Page::new(0, 50)).await.expect("sources");
    let ids: Vec<i64> = listed.iter().map(|s| s.id).collect();
    assert!(
        ids.contains(&3001) && ids.contains(&3002) && !ids.contains(&4001),
        "{ids:?}"
    );
    let first_page = api.alert_sources(Page::new(0, 1)).await.expect("one source");
    assert_eq!(first_page.len(), 1);

    // Create: 201 with Location.
    let created = api
        .create_alert_source(&NewAlertSource::new("Client test source", "API", policy))
        .await
        .expect("created");
    let source = created.entity;
    assert_eq!(source.name, "Client test source");
    assert_eq!(source.integration_type, "API");
    assert_eq!(source.escalation_policy.as_ref().map(|p| p.id), Some(policy));
    let location = created.location.expect("a Location");
    assert!(
        location.ends_with(&format!("{}/{}", paths::ALERT_SOURCES, source.id)),
        "{location}"
    );
    let posts: Vec<u16> = server
        .journal()
        .all()
        .into_iter()
        .filter(|e| e.method == "POST" && e.path == paths::ALERT_SOURCES)
        .map(|e| e.status)
        .collect();
    assert_eq!(posts, [201]);

    // Read, by id and by integration key.
    let read = api.alert_source(&source.id.to_string()).await.expect("by id");
    assert_eq!(read, source);
    let key = source.integration_key.clone().expect("an integration key");
    assert_eq!(api.alert_source(&key).await.expect("by key").id, source.id);

    // Update (read-modify-write).
    let mut update = read.to_update();
    update.name = "Renamed source".into();
    update.alert_priority_rule = Some("LOW".into());
    let updated = api
        .update_alert_source(source.id, &update)
        .await
        .expect("updated");
    assert_eq!(updated.name, "Renamed source");
    assert_eq!(updated.alert_priority_rule.as_deref(), Some("LOW"));
    assert_eq!(
        api.alert_source(&source.id.to_string())
            .await
            .expect("read back")
            .name,
        "Renamed source"
    );

    // Delete: 204, then 404.
    api.delete_alert_source(source.id).await.expect("deleted");
    let path = format!("{}/{}", paths::ALERT_SOURCES, source.id);
    let deletes: Vec<u16> = server
        .journal()
        .all()
        .into_iter()
        .filter(|e| e.method == "DELETE" && e.path == path)
        .map(|e| e.status)
        .collect();
    assert_eq!(deletes, [204]);
    let err = api.alert_source(&source.id.to_string()).await.expect_err("gone");
    assert!(matches!(&err, Error::Api(e) if e.status == 404), "{err:?}");
    assert_passes_audit(&server);
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}

#[tokio::test]
async fn file_store_round_trip_with_mode_0600() {
    let server = auto_server().await;
    let oauth = client(guide(&server, "profile"));
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ilert").join("tokens.json");

    let tokens = sign_in(&oauth, Pkce::S256).await;
    let api = ApiClient::new(oauth.clone(), Arc::new(FileStore::new(&path)));
    api.set_tokens(tokens.clone()).await.expect("stored");
    #[cfg(unix)]
    {
        assert_eq!(mode(&path), 0o600, "only the owner may read the tokens");
        assert_eq!(mode(path.parent().expect("dir")), 0o700);
    }
    assert_eq!(FileStore::new(&path).load().expect("loads"), Some(tokens.clone()));

    // Another process (a new client on the same file) uses the tokens without signing in.
    let later = ApiClient::new(oauth.clone(), Arc::new(FileStore::new(&path)));
    assert_eq!(
        later.current_user().await.expect("user").username.as_deref(),
        Some("someUser")
    );
    assert_eq!(refreshes(&server), 0);

    // A refresh is written back, atomically and still private.
    server.clock().advance(3601);
    later.current_user().await.expect("user after a refresh");
    let stored = FileStore::new(&path).load().expect("loads").expect("tokens");
    assert_eq!(stored.obtained_by, Grant::RefreshToken);
    assert_ne!(stored.access_token, tokens.access_token);
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().expect("dir"))
        .expect("lists")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .filter(|n| n != "tokens.json")
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left: {leftovers:?}");

    // Signing out removes the file.
    assert!(later.revoke().await.expect("revoked"));
    assert!(!path.exists());
    assert_passes_audit(&server);
}

#[tokio::test]
async fn alerts_on_calls_and_teams_through_the_typed_helpers() {
    // 11:50 UTC on 2027-01-15: someUser's platform shift ends at 12:00, when Chris's override
    // in the fixtures begins.
    let server = auto_server_with(|b| b.clock_start(1_800_000_000 + 4 * 3600 - 600).freeze_clock(true)).await;
    let (_, api) = guide_api(&server, "profile alert:w team:d schedule").await;

    // Alerts: the pending ones, accepted, then resolved; the count follows.
    let pending = AlertQuery::states(["PENDING"]);
    let open = api.alerts(&pending).await.expect("alerts");
    assert!(
        !open.is_empty() && open.iter().all(|a| a.status == "PENDING"),
        "{open:?}"
    );
    let before = api.alert_count(&pending).await.expect("count");
    assert_eq!(before, open.len() as u64);
    let id = open[0].id;
    assert_eq!(api.accept_alert(id).await.expect("accepted").status, "ACCEPTED");
    assert_eq!(api.alert_count(&pending).await.expect("count"), before - 1);
    assert_eq!(api.resolve_alert(id).await.expect("resolved").status, "RESOLVED");
    assert_eq!(api.alert(id).await.expect("read").status, "RESOLVED");

    // Who is on call through the platform schedule: someUser, and Chris once the clock passes
    // 12:00.
    let platform = OnCallQuery {
        schedules: vec![8101],
        ..OnCallQuery::default()
    };
    let users = |list: &[OnCall]| list.iter().filter_map(|o| o.user.id).collect::<Vec<_>>();
    let now = api.on_calls(&platform).await.expect("on-calls");
    assert!(
        !now.is_empty() && users(&now).iter().all(|u| *u == 1001),
        "{now:?}"
    );
    assert_eq!(now[0].schedule.as_ref().map(|s| s.id), Some(8101));
    server.clock().advance(20 * 60);
    let later = api.on_calls(&platform).await.expect("on-calls");
    assert!(
        !later.is_empty() && users(&later).iter().all(|u| *u == 1002),
        "{later:?}"
    );

    // Teams: create, add a member, read back, remove it, delete; a team in use is refused.
    let created = api
        .create_team(&NewTeam::new("Client team"))
        .await
        .expect("created");
    let team = created.entity.id;
    assert!(
        created
            .location
            .is_some_and(|l| l.ends_with(&format!("{TEAMS}/{team}")))
    );
    let member = NewTeamMember {
        user: IdRef { id: 1002 },
        role: Some("RESPONDER".into()),
    };
    let added = api.add_team_member(team, &member).await.expect("member added");
    assert_eq!(added.user.username.as_deref(), Some("krystianity"));
    let read = api.team(team).await.expect("team");
    assert_eq!(read.members.len(), 1);
    let mut update = read.to_update();
    update.name = "Renamed client team".into();
    assert_eq!(
        api.update_team(team, &update)
            .await
            .expect("updated")
            .members
            .len(),
        1
    );
    api.remove_team_member(team, 1002).await.expect("member removed");
    assert!(api.team(team).await.expect("team").members.is_empty());
    assert!(
        api.teams(Page::default())
            .await
            .expect("teams")
            .iter()
            .any(|t| t.id == team)
    );
    api.delete_team(team).await.expect("deleted");
    let err = api.delete_team(8001).await.expect_err("a policy names team 8001");
    assert!(matches!(&err, Error::Api(e) if e.status == 409), "{err:?}");
}
