//! `login`: the authorization code flow from a terminal. The authorize URL is printed (and
//! opened on request); a loopback listener on the redirect URI receives the code, or with
//! `--headless` the URL is followed without a browser. The tokens are stored and the user shown.

use std::path::Path;
use std::sync::Arc;

use ilert_oauth2_client::{
    ApiClient, AuthorizeUrl, CsrfToken, Error, FileStore, OAuthClient, Pkce, TokenSet, parse_callback,
};
use url::Url;

use crate::args::{AppArgs, LoginArgs};
use crate::clients::{login_scope, oauth_client, store_path};
use crate::error::CliError;
use crate::loopback::Loopback;
use crate::output::{print_json, print_line, rfc3339, summary};

/// Signs in and stores the tokens (see the module documentation).
pub(crate) async fn login(app: &AppArgs, args: LoginArgs) -> Result<(), CliError> {
    let oauth = oauth_client(&AppArgs {
        scope: login_scope(app),
        ..app.clone()
    })?;
    let pkce = if args.no_pkce {
        if oauth.config().client_secret().is_none() {
            return Err(CliError::Usage(
                "without a client secret the sign-in must use PKCE: drop --no-pkce or pass --client-secret"
                    .to_owned(),
            ));
        }
        Pkce::Disabled
    } else {
        Pkce::S256
    };
    let store_path = store_path(app)?;
    let state = CsrfToken::new_random();
    if args.headless {
        let authorize = oauth.authorize_url(&state, pkce);
        eprintln!(
            "Signing in without a browser (--headless): following {}",
            authorize.url
        );
        let query = oauth.follow_authorize(&authorize.url).await?;
        let (api, tokens) = exchange_and_store(oauth, &authorize, &query, &store_path).await?;
        return report_login(&api, &tokens, &store_path).await;
    }
    let redirect = Url::parse(oauth.config().redirect_uri()).map_err(|e| CliError::Usage(e.to_string()))?;
    // Listen before printing the URL, so a fast browser (or test) cannot arrive too early.
    let mut loopback = Loopback::start(&redirect, state.clone()).await?;
    let authorize = oauth.authorize_url(&state, pkce);
    eprintln!(
        "Open this URL in a browser to sign in to ilert; waiting up to {} s for the redirect to {}:",
        args.timeout.as_secs(),
        oauth.config().redirect_uri()
    );
    print_line(authorize.url.as_str());
    if args.open && !args.no_browser {
        open_browser(authorize.url.as_str());
    }
    let query = tokio::time::timeout(args.timeout, loopback.callback())
        .await
        .map_err(|_| CliError::Timeout(args.timeout))?;
    let result = exchange_and_store(oauth, &authorize, &query, &store_path).await;
    loopback.stop().await;
    let (api, tokens) = result?;
    report_login(&api, &tokens, &store_path).await
}

/// Checks the callback, trades the code and stores the tokens.
async fn exchange_and_store(
    oauth: OAuthClient,
    authorize: &AuthorizeUrl,
    query: &str,
    store_path: &Path,
) -> Result<(ApiClient, TokenSet), Error> {
    let code = parse_callback(query, Some(&authorize.state))?;
    let tokens = oauth
        .exchange_code(&code, authorize.pkce_verifier.as_ref())
        .await?;
    let api = ApiClient::new(oauth, Arc::new(FileStore::new(store_path)));
    api.set_tokens(tokens.clone()).await?;
    Ok((api, tokens))
}

/// Says where the tokens are and shows the signed-in user.
async fn report_login(api: &ApiClient, tokens: &TokenSet, store_path: &Path) -> Result<(), CliError> {
    eprintln!(
        "Signed in; tokens stored in {} (access token valid until {}, scope '{}').",
        store_path.display(),
        rfc3339(tokens.expires_at),
        tokens.scope
    );
    if tokens.refresh_token.is_none() {
        eprintln!(
            "note: ilert issued no refresh token, so you must sign in again when the access token \
             expires; without the client secret ilert issues one only with the offline_access scope"
        );
    }
    if !tokens.has_scope("profile") {
        eprintln!("note: the token has no 'profile' scope, so the user cannot be shown");
        print_json(&summary(tokens));
        return Ok(());
    }
    let user = api.current_user().await?;
    print_json(&user);
    Ok(())
}

/// Opens `url` in the default browser; a failure is only a note.
fn open_browser(url: &str) {
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("rundll32", vec!["url.dll,FileProtocolHandler", url])
    } else {
        ("xdg-open", vec![url])
    };
    let spawned = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        eprintln!("note: could not open a browser ({program}: {e}); open the URL yourself");
    }
}
