//! Tokens of users who are gone, or who moved to another tenant.

use super::*;

async fn active(server: &MockServer, token: &str) -> Value {
    post_form(server, TOKEN_INFO, &[("token", token)]).await.2["active"].clone()
}

async fn add_user(server: &MockServer, tenant: &str) {
    let r = http()
        .post(format!("{}/_mock/users", server.base_url()))
        .json(&json!({"id": 4242, "tenant": tenant, "username": "visitor", "first_name": "V", "last_name": "V", "email": "v@example.com"}))
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::CREATED);
}

async fn visitor_token(server: &MockServer) -> String {
    let code = grant_code_at(&http(), &server.base_url(), "visitor", "profile", "v").await;
    let (status, _, body) = exchange(server, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    s(&body, "access_token")
}

#[tokio::test]
async fn token_info_and_the_api_agree_on_a_removed_user() {
    let server = MockServer::start().await;
    add_user(&server, "someTenant").await;
    let token = visitor_token(&server).await;
    assert_eq!(active(&server, &token).await, json!(true));
    server.reset();
    let (status, _, body) = api_get(&server, "/api/users/current", &token).await;
    assert_rest_error(status, &body, 401);
    assert_eq!(active(&server, &token).await, json!(false));
}

#[tokio::test]
async fn token_info_and_the_api_agree_on_a_user_now_in_another_tenant() {
    let server = MockServer::start().await;
    add_user(&server, "someTenant").await;
    let token = visitor_token(&server).await;
    server.reset();
    add_user(&server, "acme").await;
    let (status, _, body) = api_get(&server, "/api/users/current", &token).await;
    assert_rest_error(status, &body, 401);
    assert_eq!(active(&server, &token).await, json!(false));
}
