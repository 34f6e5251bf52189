//! The commands that use the stored tokens: `whoami`, `token-info`, `refresh`, `revoke` and
//! `call`. They refresh as the library's `ApiClient` does; `refresh` without `--force` also
//! keeps to ilert's "not more than once per 5 minutes" (the policy's minimum interval).

use std::io::Read as _;

use ilert_oauth2_client::{ApiRequest, Error, FileStore, TokenStore};
use reqwest::Method;

use crate::args::{AppArgs, CallArgs};
use crate::clients::{api_client, oauth_client, store_path};
use crate::error::CliError;
use crate::output::{print_json, print_line, rfc3339, summary};

/// Shows the signed-in user.
pub(crate) async fn whoami(app: &AppArgs) -> Result<(), CliError> {
    let user = api_client(app)?.current_user().await?;
    print_json(&user);
    Ok(())
}

/// Asks ilert what the stored access token is good for; an inactive token fails the command.
pub(crate) async fn token_info(app: &AppArgs) -> Result<(), CliError> {
    let store = FileStore::new(store_path(app)?);
    let tokens = store.load().map_err(Error::from)?.ok_or(Error::NotSignedIn)?;
    let info = oauth_client(app)?.token_info(&tokens.access_token).await?;
    print_json(&info);
    if info.active {
        Ok(())
    } else {
        Err(CliError::Inactive)
    }
}

/// Refreshes now, unless the tokens were refreshed within the policy's minimum interval and
/// `--force` is not given.
pub(crate) async fn refresh(app: &AppArgs, force: bool) -> Result<(), CliError> {
    let api = api_client(app)?;
    let tokens = api.tokens().await?.ok_or(Error::NotSignedIn)?;
    if let Some(at) = tokens.refreshed_at() {
        let ago = api.oauth().now().saturating_sub(at);
        let interval = api.refresh_policy().min_interval.as_secs();
        if ago < interval && !force {
            return Err(CliError::TooSoon {
                ago,
                wait: interval - ago,
            });
        }
    }
    let fresh = api.refresh_now().await?;
    eprintln!(
        "Refreshed; access token valid until {}.",
        rfc3339(fresh.expires_at)
    );
    print_json(&summary(&fresh));
    Ok(())
}

/// Revokes the refresh token at ilert and removes the token file.
pub(crate) async fn revoke(app: &AppArgs) -> Result<(), CliError> {
    let path = store_path(app)?;
    let revoked = api_client(app)?.revoke().await?;
    if revoked {
        eprintln!(
            "Revoked the refresh token at ilert and removed {}; an access token already issued \
             stays valid until it expires.",
            path.display()
        );
    } else {
        eprintln!(
            "There was no refresh token to revoke; removed {}.",
            path.display()
        );
    }
    Ok(())
}

/// One API request: method, path, `-q` query parameters and a JSON body (inline, `@FILE` or
/// `-` for stdin); prints the status and the answer.
pub(crate) async fn call(app: &AppArgs, args: CallArgs) -> Result<(), CliError> {
    let method = Method::from_bytes(args.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| CliError::Usage(format!("'{}' is not an HTTP method", args.method)))?;
    let mut request = ApiRequest::new(method, args.path);
    for pair in &args.query {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| CliError::Usage(format!("--query '{pair}' is not NAME=VALUE")))?;
        request = request.query(name, value);
    }
    for line in &args.header {
        let (name, value) = line
            .split_once(':')
            .filter(|(name, _)| !name.trim().is_empty())
            .ok_or_else(|| CliError::Usage(format!("--header '{line}' is not NAME: VALUE")))?;
        request = request.header(name.trim(), value.trim());
    }
    if let Some(data) = args.data {
        let text = match data.as_str() {
            "-" => {
                let mut text = String::new();
                std::io::stdin()
                    .read_to_string(&mut text)
                    .map_err(|e| CliError::Usage(format!("cannot read the body from stdin: {e}")))?;
                text
            }
            d => match d.strip_prefix('@') {
                Some(file) => std::fs::read_to_string(file)
                    .map_err(|e| CliError::Usage(format!("cannot read the body from {file}: {e}")))?,
                None => data,
            },
        };
        let body =
            serde_json::from_str(&text).map_err(|e| CliError::Usage(format!("--data is not JSON: {e}")))?;
        request = request.json(body);
    }
    let response = api_client(app)?.send(request).await?;
    let mut status = format!("HTTP {}", response.status());
    if let Some(location) = response.location() {
        status.push_str(&format!(", Location: {location}"));
    }
    if let Some(etag) = response.etag() {
        status.push_str(&format!(", ETag: {etag}"));
    }
    eprintln!("{status}");
    if response.body().is_empty() {
        return Ok(());
    }
    match serde_json::from_slice::<serde_json::Value>(response.body()) {
        Ok(json) => print_json(&json),
        Err(_) => print_line(&response.text()),
    }
    Ok(())
}
