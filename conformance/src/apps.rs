//! The apps a case uses: on a mock the suite's own ([`crate::sandbox`]), elsewhere the
//! fixtures' (or, for the PKCE guide, the guide's own client id wherever it is registered).

use crate::ctx::Cx;
use crate::outcome::Stop;
use crate::target::{App, WEBAPP_REDIRECT_URI};

impl Cx {
    /// The public PKCE app: on a mock the suite's own, elsewhere the fixtures'.
    pub(crate) fn public_app(&self) -> App {
        self.sandbox().map_or_else(App::public, |s| s.public.clone())
    }

    /// The backend app used the PKCE guide's way, without its secret and with the web app's
    /// redirect URI: the guide's own client id wherever it is registered (ilert's PKCE guide
    /// uses it), else the suite's own backend app.
    pub(crate) fn guide_app_without_secret(&self) -> App {
        self.sandbox()
            .filter(|s| !s.guide_app)
            .map_or_else(App::guide_without_secret, |s| App {
                client_secret: None,
                redirect_uri: WEBAPP_REDIRECT_URI.to_owned(),
                ..s.backend.clone()
            })
    }

    /// The backend app that rotates refresh tokens and requires its secret: on a mock the
    /// suite's own, elsewhere the fixtures'.
    pub(crate) fn rotating_app(&self) -> App {
        self.sandbox().map_or_else(App::rotating, |s| s.rotating.clone())
    }

    /// Skips a case that needs the grant view when the mock approves every authorization at
    /// once (`--auto-approve`): there is no view to check.
    pub(crate) fn needs_grant_view(&self) -> Result<(), Stop> {
        match self.sandbox().and_then(|s| s.auto_approve.as_deref()) {
            Some(user) => Err(Stop::skip(format!(
                "the mock approves every authorization at once as {user} (--auto-approve), so \
                 there is no grant view to check; run against a mock without --auto-approve"
            ))),
            None => Ok(()),
        }
    }
}
