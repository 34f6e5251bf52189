//! The typed resource helpers and the file token store, against the mock's state.

use std::sync::Arc;

use ilert_oauth2_client::{
    ALERT_SOURCES_PATH, ApiClient, Error, FileStore, Grant, NewAlertSource, Page, Pkce, TokenStore,
};

use crate::common::*;

#[tokio::test]
async fn alert_source_crud_through_the_typed_helpers() {
    let server = auto_server().await;
    let oauth = client(guide(&server, "profile source:d policy"));
    let api = ApiClient::with_tokens(oauth.clone(), sign_in(&oauth, Pkce::S256).await);

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
        location.ends_with(&format!("{ALERT_SOURCES_PATH}/{}", source.id)),
        "{location}"
    );
    let posts: Vec<u16> = server
        .journal()
        .all()
        .into_iter()
        .filter(|e| e.method == "POST" && e.path == ALERT_SOURCES_PATH)
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
    let path = format!("{ALERT_SOURCES_PATH}/{}", source.id);
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
