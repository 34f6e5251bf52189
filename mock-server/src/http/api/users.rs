//! `GET /api/users/current` (scope `profile`): ilert's `User` schema plus `username`.

use axum::Extension;
use axum::Json;
use serde_json::{Value, json};

use super::Caller;
use crate::model::User;

/// Renders a user as ilert's `User` JSON.
pub fn render(u: &User) -> Value {
    let mut out = json!({
        "id": u.id,
        "username": u.username,
        "firstName": u.first_name,
        "lastName": u.last_name,
        "email": u.email,
        "timezone": u.timezone,
        "language": u.language,
        "region": u.region,
        "role": u.role,
    });
    if let Some(map) = out.as_object_mut() {
        if let Some(p) = &u.position {
            map.insert("position".to_owned(), json!(p));
        }
        if let Some(d) = &u.department {
            map.insert("department".to_owned(), json!(d));
        }
    }
    out
}

/// The user the access token acts for.
pub async fn current(Extension(caller): Extension<Caller>) -> Json<Value> {
    Json(render(&caller.user))
}
