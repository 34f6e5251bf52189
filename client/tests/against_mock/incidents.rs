//! The typed service and incident helpers against the mock's state: an incident moves its
//! service's status, filters and optional fields, the `ETag` guard, `publish-info` and private
//! subscribers.

use ilert_oauth2_client::{Error, IncidentQuery, NewIncident, NewService, Page, Subscriber};

use crate::common::*;

#[tokio::test]
async fn services_and_incidents_through_the_typed_helpers() {
    let server = auto_server().await;
    let (_, api) = guide_api(&server, "profile service:d incident:w").await;

    // The fixtures: someTenant's services, checkout degraded by its open incident.
    let services = api
        .services(Page::default(), &["subscribed"])
        .await
        .expect("services");
    let ids: Vec<i64> = services.iter().map(|s| s.id).collect();
    assert_eq!(ids, [8401, 8402, 8403]);
    assert_eq!(services[0].status.as_deref(), Some("DEGRADED"));
    assert_eq!(services[0].subscribed, Some(false));

    // A service of our own, an incident on it, the service follows the incident.
    let service = api
        .create_service(&NewService::new("Client test service"))
        .await
        .expect("created");
    assert_eq!(service.status.as_deref(), Some("OPERATIONAL"));
    let incident = api
        .create_incident(
            &NewIncident::new("Client test outage")
                .affecting(service.id, "MAJOR_OUTAGE")
                .with_message("Looking into it"),
        )
        .await
        .expect("created");
    assert_eq!(incident.status.as_deref(), Some("INVESTIGATING"));
    assert_eq!(incident.affected_services[0].service.id, service.id);
    let read = api
        .service(service.id, &["incidents", "uptime"])
        .await
        .expect("read");
    assert_eq!(read.status.as_deref(), Some("MAJOR_OUTAGE"));
    assert_eq!(read.incidents.as_ref().map(|i| i[0].id), Some(incident.id));
    assert!(read.uptime.is_some());

    // Filters.
    let open = api
        .incidents(&IncidentQuery::default().service(service.id))
        .await
        .expect("listed");
    assert_eq!(open.iter().map(|i| i.id).collect::<Vec<_>>(), [incident.id]);
    let resolved = api
        .incidents(&IncidentQuery::default().state("RESOLVED"))
        .await
        .expect("listed");
    assert_eq!(resolved.iter().map(|i| i.id).collect::<Vec<_>>(), [8412]);

    // The ETag guard: a stale version is refused with 412, the current one goes through.
    let versioned = api.incident(incident.id, &["history"]).await.expect("read");
    let etag = versioned.etag.clone().expect("an ETag");
    let identified = NewIncident::status("IDENTIFIED", "Found it");
    api.update_incident(incident.id, &identified)
        .await
        .expect("updated");
    match api
        .update_incident_if_match(
            incident.id,
            &NewIncident::status("MONITORING", "Fixed"),
            Some(&etag),
        )
        .await
    {
        Err(Error::Api(e)) => assert_eq!(e.status, 412, "{e}"),
        other => panic!("not refused: {other:?}"),
    }
    let current = api.incident(incident.id, &["history"]).await.expect("read");
    assert_eq!(current.entity.history.as_ref().map(Vec::len), Some(2));
    let resolved = api
        .update_incident_if_match(
            incident.id,
            &NewIncident::status("RESOLVED", "Fixed"),
            current.etag.as_deref(),
        )
        .await
        .expect("resolved");
    assert!(resolved.entity.resolved_on.is_some());
    assert_eq!(
        api.service(service.id, &[])
            .await
            .expect("read")
            .status
            .as_deref(),
        Some("OPERATIONAL")
    );

    // Subscribers and the forecast.
    api.add_incident_subscribers(incident.id, &[Subscriber::user(1002)])
        .await
        .expect("added");
    let subscribers = api.incident_subscribers(incident.id).await.expect("listed");
    assert_eq!(subscribers[0].name.as_deref(), Some("Chris Example"));
    api.set_service_subscribers(service.id, &[Subscriber::user(1001), Subscriber::user(1002)])
        .await
        .expect("set");
    assert_eq!(
        api.service_subscribers(service.id).await.expect("listed").len(),
        2
    );
    let info = api
        .publish_info(&NewIncident::new("Forecast").affecting(8401, "DEGRADED"))
        .await
        .expect("forecast");
    assert_eq!((info.public_status_pages, info.private_status_pages), (1, 1));

    // Read-modify-write, then delete.
    let mut update = api.service(service.id, &[]).await.expect("read").to_update();
    update.description = Some("Renamed".into());
    let updated = api.update_service(service.id, &update).await.expect("updated");
    assert_eq!(updated.description.as_deref(), Some("Renamed"));
    api.delete_service(service.id).await.expect("deleted");
    assert!(matches!(api.service(service.id, &[]).await, Err(Error::Api(e)) if e.status == 404));
}
