//! The grant form posted from another site (CSRF).

use super::*;

fn grant_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("client_id", CLIENT_ID),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT_URI),
        ("scope", "profile"),
        ("state", "csrf"),
        ("user", "someUser"),
        ("decision", "grant"),
    ]
}

async fn post_grant(base: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = http().post(format!("{base}{AUTHORIZE}")).form(&grant_form());
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.send().await.expect("answers")
}

#[tokio::test]
async fn a_cross_site_page_cannot_submit_the_grant_form() {
    let server = MockServer::start().await;
    let base = server.base_url();
    for headers in [
        vec![("Sec-Fetch-Site", "cross-site")],
        vec![("Sec-Fetch-Site", "same-site")],
        vec![("Sec-Fetch-Site", "cross-site"), ("Origin", base.as_str())],
        vec![("Origin", "https://attacker.example")],
        vec![("Origin", "null")],
        vec![("Origin", "http://localhost:1")],
    ] {
        let r = post_grant(&base, &headers).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{headers:?}");
        assert!(r.headers().get("location").is_none(), "{headers:?}");
        let page = r.text().await.expect("page");
        assert!(
            page.contains("cross-site") || page.contains("another site"),
            "{page}"
        );
    }
    assert!(server.admin().grants(&GrantFilter::all()).is_empty());
    assert!(
        server
            .journal()
            .all()
            .iter()
            .all(|e| e.status == 403 && e.location.is_none())
    );

    // What a browser sends from the mock's own page, however the mock was addressed; and what a
    // script sends (no Origin, no Sec-Fetch-Site).
    let port = server.addr().port();
    let localhost = format!("http://localhost:{port}");
    for (host, headers) in [
        (
            None,
            vec![("Origin", base.as_str()), ("Sec-Fetch-Site", "same-origin")],
        ),
        (None, vec![("Origin", base.as_str())]),
        (None, vec![("Sec-Fetch-Site", "none")]),
        (None, vec![]),
        (
            Some(format!("localhost:{port}")),
            vec![("Origin", localhost.as_str()), ("Sec-Fetch-Site", "same-origin")],
        ),
        (
            Some(format!("localhost:{port}")),
            vec![("Origin", localhost.as_str())],
        ),
    ] {
        let mut req = http().post(format!("{base}{AUTHORIZE}")).form(&grant_form());
        for (name, value) in &headers {
            req = req.header(*name, *value);
        }
        if let Some(h) = &host {
            req = req.header("Host", h.as_str());
        }
        let r = req.send().await.expect("answers");
        assert_eq!(r.status(), StatusCode::FOUND, "{host:?} {headers:?}");
        let params = location_params(r.headers());
        assert!(param(&params, "code").is_some());
    }
}

#[tokio::test]
async fn the_grant_forms_own_origin_follows_the_public_url_and_trusted_forwarding() {
    let public =
        started(MockServer::builder().public_url(url::Url::parse("https://ilert.test:8443/").expect("url")))
            .await;
    let r = post_grant(&public.base_url(), &[("Origin", "https://ilert.test:8443")]).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    let proxied = started(
        MockServer::builder()
            .trust_forwarded(true)
            .allowed_host("mock.internal"),
    )
    .await;
    let r = post_grant(
        &proxied.base_url(),
        &[
            ("Origin", "https://mock.internal"),
            ("X-Forwarded-Host", "mock.internal"),
            ("X-Forwarded-Proto", "https"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FOUND);
}
