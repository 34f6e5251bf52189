//! The credentials of ilert's guide app, as the embedded fixtures register it: the one place
//! tests, examples, the bench and the conformance suite take them from.
//!
//! They are the values printed in ilert's "Developing a Backend App with OAuth2" guide (behaviour.md
//! §10): dev-only, public, and useless anywhere but against this mock.

/// The guide app's `client_id`.
pub const CLIENT_ID: &str = "0501439fd7dee9af0c25";
/// The guide app's `client_secret` (published in the guide; dev-only).
pub const CLIENT_SECRET: &str = "3908acda0291d0c4c1e77171aac3b4e501cbbbfc6797f13be1c7a607241498ad";
/// The backend guide's `redirect_uri`.
pub const REDIRECT_URI: &str = "http://localhost:4597/authorize-result";
/// The PKCE guide's web app `redirect_uri`, registered for the same app.
pub const WEBAPP_REDIRECT_URI: &str = "http://localhost:4597/webapp";
/// The fixture user the guide signs in as.
pub const USER: &str = "someUser";

/// The scope of the ready authorize URL: the user's profile and writing alert sources, the
/// guide's example.
pub const SCOPE: &str = "profile source:w";

/// A ready authorize URL on `base` for the app `client_id` with `redirect_uri`: the guide's
/// scope and a fixed `state` (`optional-state`), as the banner and the `/` page print it.
pub fn authorize_url(base: &str, client_id: &str, redirect_uri: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", client_id)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", SCOPE)
        .append_pair("state", "optional-state")
        .finish();
    format!(
        "{}{}?{query}",
        base.trim_end_matches('/'),
        crate::paths::AUTHORIZE
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Fixtures;

    #[test]
    fn the_ready_authorize_url_names_the_app_and_its_redirect() {
        let url = authorize_url("http://localhost:4598/", CLIENT_ID, REDIRECT_URI);
        assert_eq!(
            url,
            "http://localhost:4598/api/developers/oauth2/authorize?client_id=0501439fd7dee9af0c25\
             &response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A4597%2Fauthorize-result\
             &scope=profile+source%3Aw&state=optional-state"
        );
    }

    #[test]
    fn the_embedded_fixtures_register_the_guide_app_with_these_values() {
        let fixtures = Fixtures::embedded().expect("embedded fixtures");
        let app = fixtures
            .apps
            .iter()
            .find(|a| a.client_id == CLIENT_ID)
            .expect("guide app");
        assert_eq!(
            app.client_secret.as_ref().map(|s| s.expose()),
            Some(CLIENT_SECRET)
        );
        assert!(app.redirect_uris.iter().any(|u| u == REDIRECT_URI));
        assert!(app.redirect_uris.iter().any(|u| u == WEBAPP_REDIRECT_URI));
        assert!(fixtures.users.iter().any(|u| u.username == USER));
    }
}
