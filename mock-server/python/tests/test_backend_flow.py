"""ilert's backend-app flow ("Developing a Backend App with OAuth2") through the fixtures, with
urllib only: authorize, code exchange, the API, refresh, token info and revoke, then the
snapshot journal of it all."""

import json
import ssl
import urllib.parse
import urllib.request

import pytest

import ilert_mock as package
from ilert_mock import IlertMock, MockError, localhost_names

CLIENT_ID = "0501439fd7dee9af0c25"
CLIENT_SECRET = "3908acda0291d0c4c1e77171aac3b4e501cbbbfc6797f13be1c7a607241498ad"
REDIRECT_URI = "http://localhost:4597/authorize-result"
AUTHORIZE = "/api/developers/oauth2/authorize"
TOKEN = "/api/developers/oauth2/token"


def authorize_query(state="optional-state", scope="profile source:w"):
    return urllib.parse.urlencode(
        {
            "client_id": CLIENT_ID,
            "response_type": "code",
            "redirect_uri": REDIRECT_URI,
            "scope": scope,
            "state": state,
        }
    )


def post_form(mock, path, fields, headers=None):
    request = urllib.request.Request(
        mock.url(path), data=urllib.parse.urlencode(fields).encode(), method="POST", headers=headers or {}
    )
    status, _, body = mock.open(request)
    return status, (json.loads(body) if body else None)


def get_json(mock, path, token):
    request = urllib.request.Request(mock.url(path), headers={"Authorization": f"Bearer {token}"})
    status, _, body = mock.open(request)
    return status, json.loads(body)


def sign_in(mock, state="optional-state"):
    """The browser leg (approved at once) and the code exchange; returns the token response."""
    status, headers, _ = mock.open(mock.url(f"{AUTHORIZE}?{authorize_query(state)}"))
    assert status == 302
    location = urllib.parse.urlsplit(headers["Location"])
    params = dict(urllib.parse.parse_qsl(location.query))
    assert location.netloc == "localhost:4597" and params["state"] == state
    status, tokens = post_form(
        mock,
        TOKEN,
        {
            "grant_type": "authorization_code",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "code": params["code"],
        },
    )
    assert status == 200, tokens
    return tokens


def test_the_backend_flow_and_its_snapshot_journal(ilert_mock):
    tokens = sign_in(ilert_mock)
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 3600
    status, me = get_json(ilert_mock, "/api/users/current", tokens["access_token"])
    assert status == 200 and me["username"] == "someUser"
    status, sources = get_json(ilert_mock, "/api/alert-sources", tokens["access_token"])
    assert status == 200 and isinstance(sources, list)
    refresh = {
        "grant_type": "refresh_token",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "refresh_token": tokens["refresh_token"],
    }
    status, refreshed = post_form(ilert_mock, TOKEN, refresh)
    assert status == 200 and refreshed["refresh_token"] == tokens["refresh_token"]
    status, info = post_form(ilert_mock, "/api/developers/oauth2/token_info", {"token": refreshed["access_token"]})
    assert status == 200 and info["active"] is True and info["tenant_id"] == "someTenant"
    status, _ = post_form(ilert_mock, "/api/developers/oauth2/revoke", {"token": tokens["refresh_token"]})
    assert status == 200
    status, refused = post_form(ilert_mock, TOKEN, refresh)
    assert status == 401 and refused["code"] == "invalid_grant"

    journal = ilert_mock.journal(snapshot=True)
    form = "application/x-www-form-urlencoded"
    assert [(e["method"], e["path"], e["status"]) for e in journal] == [
        ("GET", AUTHORIZE, 302),
        ("POST", TOKEN, 200),
        ("GET", "/api/users/current", 200),
        ("GET", "/api/alert-sources", 200),
        ("POST", TOKEN, 200),
        ("POST", "/api/developers/oauth2/token_info", 200),
        ("POST", "/api/developers/oauth2/revoke", 200),
        ("POST", TOKEN, 401),
    ]
    assert journal[0]["location"] == "http://localhost:<port#1>/authorize-result?code=<code#1>&state=<state#1>"
    assert journal[1]["headers"] == [["content-type", form]]
    assert journal[1]["form"] == [
        ["grant_type", "authorization_code"],
        ["client_id", CLIENT_ID],
        ["client_secret", "<client_secret#1>"],
        ["code", "<code#1>"],
    ]
    assert journal[2]["headers"] == [["authorization", "Bearer <access_token#1>"]]
    assert ["refresh_token", "<refresh_token#1>"] in journal[4]["form"]
    assert journal[6]["form"] == [["token", "<refresh_token#1>"]]
    text = json.dumps(journal)
    assert CLIENT_SECRET not in text and tokens["refresh_token"] not in text
    # The full journal keeps times and every header, secrets redacted.
    full = ilert_mock.journal()
    assert full[1]["form"][2] == ["client_secret", "[redacted]"]


def test_a_frozen_clock_gives_the_same_tokens_on_every_run(ilert_mock_factory):
    first = sign_in(ilert_mock_factory())
    second = sign_in(ilert_mock_factory())
    assert first == second


def test_faults_and_the_clock(ilert_mock):
    tokens = sign_in(ilert_mock)
    queued = ilert_mock.add_fault("users_current", status=503, times=1)
    assert queued["remaining"] == 1
    status, body = get_json(ilert_mock, "/api/users/current", tokens["access_token"])
    assert status == 503 and body["code"] == "INJECTED_FAULT"
    before = ilert_mock.clock()
    assert before["frozen"] is True and before["now"] == 1_800_000_000
    assert ilert_mock.advance_clock(3601)["now"] == before["now"] + 3601
    status, body = get_json(ilert_mock, "/api/users/current", tokens["access_token"])
    assert status == 401
    with pytest.raises(MockError, match="times"):
        ilert_mock.add_fault("token", status=503, times="two")


def test_grants_reset_and_run_time_users(ilert_mock):
    sign_in(ilert_mock)
    grants = ilert_mock.grants(app=CLIENT_ID, user="someUser")
    assert len(grants) == 1 and grants[0]["revoked"] is None
    ilert_mock.add_user(id=1999, tenant="someTenant", username="newbie", first_name="New", last_name="Bie", email="n@example.com")
    assert any(u["username"] == "newbie" for u in ilert_mock.users())
    assert ilert_mock.remove_user("newbie") == 0
    ilert_mock.reset()
    assert ilert_mock.grants() == [] and ilert_mock.journal() == []


def test_the_grant_view_and_extended_fixtures(ilert_mock_factory):
    mock = ilert_mock_factory(
        auto_approve=None,
        fixtures={
            "extends": "default",
            "apps": [
                {
                    "id": 900,
                    "name": "My Python app",
                    "client_id": "my-python-app",
                    "client_secret": "dev-secret",
                    "redirect_uris": ["http://localhost:8000/callback"],
                    "scopes": ["profile"],
                }
            ],
        },
    )
    status, _, page = mock.open(mock.url(f"{AUTHORIZE}?{authorize_query()}"))
    assert status == 200 and b"Grant" in page
    assert {"my-python-app", CLIENT_ID} <= {a["client_id"] for a in mock.apps()}


def test_tls_and_tenant_hosts_with_pythons_openssl(ilert_mock_factory):
    mock = ilert_mock_factory(tls=True)
    assert mock.base_url.startswith("https://127.0.0.1:") and "BEGIN CERTIFICATE" in mock.ca_pem
    context = ssl.create_default_context(cadata=mock.ca_pem)
    mock.add_tenant(id="pyco", short_id="p1", name="Py Co")
    with localhost_names():
        for tenant in ("someTenant", "pyco"):
            url = f"{mock.tenant_url(tenant)}/_mock/health"
            with urllib.request.urlopen(url, context=context, timeout=10) as response:
                assert json.load(response)["status"] == "ok"
    # Plain HTTP on the HTTPS port is told so.
    status, _, body = IlertMock.open(mock, mock.base_url.replace("https://", "http://") + "/_mock/health")
    assert status == 400 and b"speaks HTTPS" in body


def test_a_tenant_host_over_plain_http_with_a_host_header(ilert_mock_factory):
    mock = ilert_mock_factory(auto_approve=None)
    request = urllib.request.Request(
        mock.url(f"{AUTHORIZE}?{authorize_query()}"), headers={"Host": f"acme.localhost:{mock.port}"}
    )
    status, _, page = mock.open(request)
    assert status == 200 and b"wile" in page and b"someUser" not in page


def test_bad_options_fail_with_the_mocks_words(ilert_mock_factory):
    with pytest.raises(MockError, match="--no-such-option"):
        ilert_mock_factory(no_such_option=1)
    with pytest.raises(MockError, match="nobody"):
        ilert_mock_factory(auto_approve="nobody")
    with pytest.raises(ValueError):
        ilert_mock_factory(ready_file="x")


def test_the_executable_is_the_installed_one():
    if "ILERT_MOCK_BIN" in __import__("os").environ:
        pytest.skip("ILERT_MOCK_BIN points elsewhere")
    import sys

    assert package.binary().startswith(sys.prefix), package.binary()


def sign_in_right(mock, state, scope="profile"):
    """The backend flow as ilert's guide asks: a fresh ``state`` and PKCE (S256) besides the
    secret; returns the token response."""
    import base64
    import hashlib

    verifier = base64.urlsafe_b64encode(hashlib.sha256(state.encode()).digest()).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = authorize_query(state, scope) + "&" + urllib.parse.urlencode(
        {"code_challenge": challenge, "code_challenge_method": "S256"}
    )
    status, headers, _ = mock.open(mock.url(f"{AUTHORIZE}?{query}"))
    assert status == 302
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(headers["Location"]).query))
    assert params["state"] == state
    status, tokens = post_form(
        mock,
        TOKEN,
        {
            "grant_type": "authorization_code",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "code": params["code"],
            "code_verifier": verifier,
        },
    )
    assert status == 200, tokens
    return tokens


def test_the_backend_flow_done_right_passes_the_audit(ilert_mock):
    tokens = sign_in_right(ilert_mock, "a-fresh-state-7f3a")
    assert get_json(ilert_mock, "/api/users/current", tokens["access_token"])[0] == 200
    ilert_mock.advance_clock(3601)
    assert get_json(ilert_mock, "/api/users/current", tokens["access_token"])[0] == 401
    status, refreshed = post_form(
        ilert_mock,
        TOKEN,
        {
            "grant_type": "refresh_token",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "refresh_token": tokens["refresh_token"],
        },
    )
    assert status == 200, refreshed
    assert get_json(ilert_mock, "/api/users/current", refreshed["access_token"])[0] == 200
    status, _ = post_form(ilert_mock, "/api/developers/oauth2/revoke", {"token": tokens["refresh_token"]})
    assert status == 200
    report = ilert_mock.audit(severity="warning")
    assert report["findings"] == [], report["findings"]
    assert report["apps"] == [CLIENT_ID] and report["requests"] == 7


def test_the_audit_names_the_apps_mistakes(ilert_mock):
    # The same fixed state twice, no PKCE, and a second sign-in while the first grant still works.
    sign_in(ilert_mock)
    sign_in(ilert_mock)
    report = ilert_mock.audit()
    serious = {(f["id"], f["severity"]) for f in report["findings"] if f["severity"] != "info"}
    assert serious == {
        ("STATE_REUSED", "error"),
        ("NO_PKCE", "warning"),
        ("REAUTHORIZED_INSTEAD_OF_REFRESH", "warning"),
    }, report["findings"]
    reused = next(f for f in report["findings"] if f["id"] == "STATE_REUSED")
    assert reused["app"] == CLIENT_ID and reused["source"].startswith("RFC 9700")
    assert [e["status"] for e in ilert_mock.journal() if e["seq"] in reused["requests"]] == [302, 302]
    assert [f["id"] for f in ilert_mock.audit(severity="error")["findings"]] == ["STATE_REUSED"]
    assert ilert_mock.audit(app="no-such-app")["findings"] == []
    with pytest.raises(MockError, match="severity"):
        ilert_mock.audit(severity="fatal")
    ilert_mock.clear_audit()
    assert ilert_mock.audit()["findings"] == [] and len(ilert_mock.journal()) == 4
