"""What a new user reaches for first: approving as a named user without ``auto_approve``, the
grant filters by the records' own names, moving the app's clock with the mock's, snapshots of
the journal (a JSON file, or syrupy when installed), and verifying an access token without
``kid`` (PyJWT, when installed)."""

import json
import urllib.parse
import urllib.request
from datetime import datetime, timezone

import pytest

import ilert_mock as package
from ilert_mock import MockError

CLIENT_ID = "0501439fd7dee9af0c25"
CLIENT_SECRET = "3908acda0291d0c4c1e77171aac3b4e501cbbbfc6797f13be1c7a607241498ad"
REDIRECT_URI = "http://localhost:4597/authorize-result"


def authorize_url(base, scope="profile", state="s1"):
    return base + "/api/developers/oauth2/authorize?" + urllib.parse.urlencode({
        "client_id": CLIENT_ID, "response_type": "code", "redirect_uri": REDIRECT_URI,
        "scope": scope, "state": state})


def redeem(mock, location):
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))["code"]
    body = urllib.parse.urlencode({"grant_type": "authorization_code", "client_id": CLIENT_ID,
                                   "client_secret": CLIENT_SECRET, "code": code}).encode()
    status, _, raw = mock.open(urllib.request.Request(
        mock.url("/api/developers/oauth2/token"), data=body, method="POST"))
    assert status == 200, raw
    return json.loads(raw)


@pytest.fixture
def viewing_mock(ilert_mock_factory):
    """A mock that shows the grant view (no auto-approval)."""
    return ilert_mock_factory(auto_approve=None)


def test_approve_grants_as_the_named_user(viewing_mock):
    location = viewing_mock.approve(authorize_url(viewing_mock.base_url), user="krystianity")
    assert location.startswith(REDIRECT_URI + "?code=") and "state=s1" in location
    redeem(viewing_mock, location)
    grants = viewing_mock.grants(client_id=CLIENT_ID, username="krystianity")
    assert [(g["client_id"], g["username"]) for g in grants] == [(CLIENT_ID, "krystianity")]
    posted = viewing_mock.journal(path="/api/developers/oauth2/authorize")
    assert [(e["method"], e["status"]) for e in posted] == [("GET", 200), ("POST", 302)]
    assert ["decision", "grant"] in posted[1]["form"] and ["user", "krystianity"] in posted[1]["form"]


def test_approve_on_a_tenant_host_offers_that_accounts_users(viewing_mock):
    url = authorize_url(viewing_mock.tenant_url("acme"))
    with pytest.raises(MockError, match="offers no user 'someUser'; it offers: wile, roadrunner"):
        viewing_mock.approve(url, user="someUser")
    assert "code=" in viewing_mock.approve(url, user="wile")


def test_deny_and_refusals(viewing_mock, ilert_mock):
    denied = viewing_mock.deny(authorize_url(viewing_mock.base_url))
    assert "error=access_denied" in denied and "state=s1" in denied
    with pytest.raises(MockError, match="invalid_scope"):
        viewing_mock.approve(authorize_url(viewing_mock.base_url, scope="nonsense"), user="someUser")
    with pytest.raises(MockError, match="HTTP 400: No app is registered with client_id 'nope'. Check"):
        viewing_mock.approve(viewing_mock.base_url + "/api/developers/oauth2/authorize?client_id=nope"
                             "&response_type=code&redirect_uri=x", user="someUser")
    with pytest.raises(MockError, match="not an authorize URL"):
        viewing_mock.approve(viewing_mock.url("/api/users/current"), user="someUser")
    # The default fixture approves at once: there is no view to choose in.
    with pytest.raises(MockError, match="auto_approve=None"):
        ilert_mock.approve(authorize_url(ilert_mock.base_url), user="someUser")


def test_grant_filters_take_the_records_names_and_the_old_ones(ilert_mock):
    status, headers, _ = ilert_mock.open(authorize_url(ilert_mock.base_url))
    redeem(ilert_mock, headers["Location"])
    record = ilert_mock.grants()[0]
    assert ilert_mock.grants(client_id=record["client_id"], username=record["username"]) == [record]
    assert ilert_mock.grants(app=record["client_id"], user=record["username"]) == [record]
    assert ilert_mock.grants(record["client_id"]) == [record]
    assert ilert_mock.grants(username="krystianity") == []
    with pytest.raises(ValueError):
        ilert_mock.grants(client_id="a", app="b")


def test_the_apps_clock_moves_with_the_mocks(ilert_mock):
    freezegun = pytest.importorskip("freezegun")
    import time

    def mock_now():
        return datetime.fromtimestamp(ilert_mock.clock()["now"], timezone.utc)

    assert ilert_mock.clock()["now"] == 1_800_000_000
    with freezegun.freeze_time(mock_now()) as app_clock:
        issued = time.time()
        ilert_mock.advance_clock(3601)
        app_clock.move_to(mock_now())
        # The app's own reading now says its token (expires_in 3600) is stale, as the mock does.
        assert time.time() - issued == 3601
        assert ilert_mock.clock()["now"] == int(time.time())


def signed_in(mock):
    status, headers, _ = mock.open(authorize_url(mock.base_url))
    assert status == 302
    return redeem(mock, headers["Location"])


def test_the_snapshot_helper_keeps_a_json_file(ilert_mock, tmp_path, monkeypatch):
    signed_in(ilert_mock)
    file = tmp_path / "snapshots" / "sign_in.json"
    package.assert_json_snapshot(ilert_mock.snapshot(), file)   # first run writes it
    text = file.read_text(encoding="utf-8")
    assert "<code#1>" in text and "<client_secret#1>" in text and CLIENT_SECRET not in text
    package.assert_json_snapshot(ilert_mock.snapshot(), file)   # same bytes again
    ilert_mock.open(ilert_mock.url("/api/users/current"))
    with pytest.raises(AssertionError, match="/api/users/current"):
        package.assert_json_snapshot(ilert_mock.snapshot(), file)
    monkeypatch.setenv("ILERT_MOCK_UPDATE_SNAPSHOTS", "1")
    package.assert_json_snapshot(ilert_mock.snapshot(), file)
    assert "/api/users/current" in file.read_text(encoding="utf-8")


def test_the_snapshot_method_works_where_the_fixture_hides_the_module(ilert_mock, tmp_path):
    # Inside a test, `ilert_mock` is the fixture, so the README shows the method.
    signed_in(ilert_mock)
    file = tmp_path / "sign_in.json"
    ilert_mock.assert_snapshot(file)
    assert "<code#1>" in file.read_text(encoding="utf-8")
    ilert_mock.assert_snapshot(file)
    ilert_mock.open(ilert_mock.url("/api/users/current"))
    with pytest.raises(AssertionError, match="/api/users/current"):
        ilert_mock.assert_snapshot(file)


def test_two_runs_give_the_same_snapshot(ilert_mock_factory):
    first, second = ilert_mock_factory(), ilert_mock_factory()
    signed_in(first)
    signed_in(second)
    assert package.snapshot_json(first.snapshot()) == package.snapshot_json(second.snapshot())


def test_the_snapshot_works_with_syrupy(pytester):
    pytest.importorskip("syrupy")
    pytester.makepyfile(
        """
        import json, urllib.parse, urllib.request

        def test_sign_in(ilert_mock, snapshot):
            url = ilert_mock.base_url + "/api/developers/oauth2/authorize?" + urllib.parse.urlencode({
                "client_id": "0501439fd7dee9af0c25", "response_type": "code", "scope": "profile",
                "redirect_uri": "http://localhost:4597/authorize-result", "state": "s"})
            status, headers, _ = ilert_mock.open(url)
            assert status == 302
            assert ilert_mock.snapshot() == snapshot
        """
    )
    pytester.runpytest("-p", "no:cacheprovider", "--snapshot-update").assert_outcomes(passed=1)
    written = list(pytester.path.glob("__snapshots__/*.ambr"))
    assert written and "<code#1>" in written[0].read_text(encoding="utf-8")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_an_access_token_verifies_with_the_jwks_only_key(ilert_mock):
    jwt = pytest.importorskip("jwt")
    tokens = signed_in(ilert_mock)
    access = tokens["access_token"]
    assert "kid" not in jwt.get_unverified_header(access)   # as ilert's: no kid to look up
    _, _, raw = ilert_mock.open(ilert_mock.url("/.well-known/jwks.json"))
    (only,) = json.loads(raw)["keys"]
    key = jwt.PyJWK.from_dict(only).key
    claims = jwt.decode(access, key, algorithms=["RS256"],
                        # exp follows the mock's fixed clock, not the wall clock
                        options={"verify_exp": False})
    assert claims["il_u"] == "someUser" and claims["il_t"] == "ACCESS"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(access[:-4] + ("AAAA" if not access.endswith("AAAA") else "BBBB"), key,
                   algorithms=["RS256"], options={"verify_exp": False})
