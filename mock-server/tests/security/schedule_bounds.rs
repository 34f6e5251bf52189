//! A request's work is bounded: a schedule takes at most `--max-schedule-layers` layers, and an
//! answer lists at most `--max-shifts` shifts; past either, a clear 400 naming the flag.

use super::*;

fn layer(n: usize) -> Value {
    json!({"name": format!("layer {n}"), "startsOn": "2026-11-02T09:00:00+01:00", "users": [{"id": 1001}, {"id": 1002}], "rotation": "PT1H"})
}

#[tokio::test]
async fn too_many_layers_or_shifts_are_refused_with_the_flag() {
    let server = MockServer::builder()
        .auto_approve("someUser")
        .clock_start(1_800_000_000)
        .freeze_clock(true)
        .bounds(ilert_mock::Bounds {
            schedule_layers: 5,
            shifts: 1_000,
            ..ilert_mock::Bounds::default()
        })
        .start()
        .await
        .expect("starts");
    let token = access_token(&server, "schedule:w").await;
    let body = |layers: usize| json!({"name": "many", "timezone": "Europe/Berlin", "type": "RECURRING", "scheduleLayers": (0..layers).map(layer).collect::<Vec<_>>()});
    let (status, _, answer) = api_post(&server, "/api/schedules", &token, body(6)).await;
    assert_rest_error(status, &answer, 400);
    assert!(
        answer["message"]
            .as_str()
            .expect("message")
            .contains("--max-schedule-layers 5"),
        "{answer}"
    );

    let (status, _, created) = api_post(&server, "/api/schedules", &token, body(1)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().expect("id");
    // A year of hourly shifts is 8,760: more than the bound.
    let path = format!("/api/schedules/{id}/shifts?from=2027-01-01T00:00:00Z&until=2027-12-31T00:00:00Z");
    let (status, _, answer) = api_get(&server, &path, &token).await;
    assert_rest_error(status, &answer, 400);
    assert!(
        answer["message"]
            .as_str()
            .expect("message")
            .contains("--max-shifts 1000"),
        "{answer}"
    );
    // A week is 168: answered.
    let path = format!("/api/schedules/{id}/shifts?from=2027-01-01T00:00:00Z&until=2027-01-08T00:00:00Z");
    let (status, _, answer) = api_get(&server, &path, &token).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let listed = answer.as_array().expect("list").len();
    assert!((1..=1_000).contains(&listed), "{listed} shifts");
}
