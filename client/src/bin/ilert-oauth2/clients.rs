//! The clients a command works with, built from the shared flags: the OAuth2 client (with an
//! extra trusted CA when asked), the token file, and the API client over both.

use std::path::PathBuf;
use std::sync::Arc;

use ilert_oauth2_client::{ApiClient, ClientSecret, Config, Error, FileStore, OAuthClient};

use crate::args::AppArgs;
use crate::error::CliError;

/// The scopes `login` asks for: without a secret ilert issues a refresh token only when
/// `offline_access` is requested (ilert's PKCE guide), so it is added.
pub(crate) fn login_scope(app: &AppArgs) -> String {
    let has_offline = app.scope.split_whitespace().any(|s| s == "offline_access");
    if app.client_secret.is_some() || has_offline {
        app.scope.clone()
    } else {
        format!("{} offline_access", app.scope.trim())
    }
}

/// The OAuth2 client for the app the flags name, trusting `--ca-cert` too when given.
pub(crate) fn oauth_client(app: &AppArgs) -> Result<OAuthClient, CliError> {
    let client_id = app.client_id.clone().ok_or(CliError::Missing {
        what: "the client id",
        flag: "--client-id",
        env: "ILERT_CLIENT_ID",
    })?;
    let config = Config::builder(client_id, app.redirect_uri.clone())
        .client_secret_opt(app.client_secret.clone().map(ClientSecret::new))
        .scopes(&app.scope)
        .app_url(app.app_url.clone())
        .api_url(app.api_url.clone())
        .tenant_opt(app.tenant.clone())
        .build()
        .map_err(Error::from)?;
    let Some(path) = &app.ca_cert else {
        return Ok(OAuthClient::new(config)?);
    };
    let unusable = |e: &dyn std::fmt::Display| CliError::Usage(format!("--ca-cert {}: {e}", path.display()));
    let pem = std::fs::read(path).map_err(|e| unusable(&e))?;
    let ca = reqwest::Certificate::from_pem(&pem).map_err(|e| unusable(&e))?;
    let http = ilert_oauth2_client::http_client_builder()
        .tls_certs_merge([ca])
        .build()
        .map_err(|e| unusable(&e))?;
    Ok(OAuthClient::with_http_client(config, http))
}

/// The token file: `--store`, or `ilert-oauth2/tokens.json` in the user's config directory.
pub(crate) fn store_path(app: &AppArgs) -> Result<PathBuf, CliError> {
    if let Some(path) = &app.store {
        return Ok(path.clone());
    }
    let non_empty = |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    non_empty("XDG_CONFIG_HOME")
        .or_else(|| non_empty("HOME").map(|h| h.join(".config")))
        .or_else(|| non_empty("APPDATA"))
        .map(|dir| dir.join("ilert-oauth2").join("tokens.json"))
        .ok_or(CliError::Missing {
            what: "the token file",
            flag: "--store",
            env: "ILERT_STORE",
        })
}

/// The API client over the stored tokens.
pub(crate) fn api_client(app: &AppArgs) -> Result<ApiClient, CliError> {
    let store = FileStore::new(store_path(app)?);
    Ok(ApiClient::new(oauth_client(app)?, Arc::new(store)))
}
