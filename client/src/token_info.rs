//! The token info endpoint (behaviour.md §5): what an access token is good for.
//!
//! ilert accepts access tokens only; anything else (an expired, malformed or refresh token)
//! answers `{"active": false}` (RFC 7662 §2.2), which is a success here, not an error.

use serde::{Deserialize, Serialize};

use crate::client::OAuthClient;
use crate::error::{Endpoint, Error, excerpt};
use crate::types::AccessToken;

/// ilert's token info answer. Unknown fields are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenInfo {
    /// Whether the token is a valid, unexpired access token.
    pub active: bool,
    /// The tenant (account) the token acts in, e.g. `someTenant`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// The user the token acts for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The granted scopes, space separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The app's numeric id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<i64>,
    /// Fields ilert may add.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl OAuthClient {
    /// Asks ilert what `token` is (`POST token_info`, form `token=…`).
    pub async fn token_info(&self, token: &AccessToken) -> Result<TokenInfo, Error> {
        let (status, body) = self
            .post_form(
                Endpoint::TokenInfo,
                self.config().token_info_endpoint(),
                &[("token", token.secret())],
            )
            .await?;
        serde_json::from_slice(&body).map_err(|e| Error::UnexpectedResponse {
            endpoint: Endpoint::TokenInfo,
            status,
            detail: format!("{e}; body starts {}", excerpt(&body)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::test_support::{Recorded, stub};
    use axum::Json;
    use serde_json::json;

    #[tokio::test]
    async fn reads_active_and_inactive_answers() {
        let recorded = Recorded::default();
        let r = recorded.clone();
        let base = stub(axum::Router::new().route(
            "/api/developers/oauth2/token_info",
            axum::routing::post(move |body: String| {
                let active = body == "token=good";
                r.push(body);
                async move {
                    if active {
                        Json(
                            json!({"active":true,"tenant_id":"someTenant","username":"someUser",
                                    "scope":"profile source:w","app_id":250,"new_field":1}),
                        )
                    } else {
                        Json(json!({"active":false}))
                    }
                }
            }),
        ))
        .await;
        let config = Config::builder("id", "http://localhost:4597/authorize-result")
            .api_url(&base)
            .build()
            .expect("config");
        let client = OAuthClient::new(config).expect("client");
        let info = client.token_info(&AccessToken::new("good")).await.expect("info");
        assert!(info.active);
        assert_eq!(info.tenant_id.as_deref(), Some("someTenant"));
        assert_eq!(info.username.as_deref(), Some("someUser"));
        assert_eq!(info.app_id, Some(250));
        assert_eq!(info.extra.get("new_field"), Some(&json!(1)));
        let info = client
            .token_info(&AccessToken::new("expired"))
            .await
            .expect("info");
        assert!(!info.active && info.username.is_none());
        assert_eq!(recorded.form(0).len(), 1, "only the token is sent");
    }
}
