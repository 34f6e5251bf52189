"""Start an ``ilert-mock`` process and drive it through its ``/_mock`` controls.

Only the standard library is used (``subprocess``, ``urllib``, ``ssl``), so the package adds
nothing to a project's dependencies. A mock listens on a free loopback port (``--bind
127.0.0.1:0``) and writes its base URL to a ready file once it answers (``--ready-file``);
:meth:`IlertMock.start` returns when ``/_mock/health`` has answered.

A mock cannot outlive its test process: it runs with ``--exit-with-parent`` and a stdin pipe
this process holds, so it stops when that process dies, however (pytest-timeout, a SIGKILLed
runner). Nothing it needs stays on disk once it answers: its temp folder (ready file, CA,
fixtures, logs) is removed at once, the logs read through descriptors kept open. Secrets (the
control token) travel by environment, never on the command line, where any local user could
read them in ``/proc/PID/cmdline``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple

#: What the ``ilert_mock`` fixture starts with: the embedded fixtures, every authorization
#: approved at once as ``someUser``, and a clock fixed at 2027-01-15T08:00:00Z and frozen, so
#: codes and tokens are the same bytes on every run.
DEFAULT_OPTIONS: Dict[str, Any] = {
    "auto_approve": "someUser",
    "clock_start": 1_800_000_000,
    "freeze_clock": True,
}

#: How long :meth:`IlertMock.start` waits for the mock to answer.
START_TIMEOUT = 30.0

#: Options the harness sets itself.
_OWNED = {"ready_file", "tls_ca_out", "exit_with_parent"}

#: Options that are secrets: passed as these environment variables, never as flags.
_SECRET_ENV = {"control_token": "ILERT_MOCK_CONTROL_TOKEN"}


class MockError(RuntimeError):
    """The mock could not start, or a control request was refused (the message says why)."""


def binary() -> str:
    """The ``ilert-mock`` executable: ``$ILERT_MOCK_BIN``, else the one this package installed
    next to the running interpreter, else the first on ``PATH``."""
    given = os.environ.get("ILERT_MOCK_BIN")
    if given:
        return given
    name = "ilert-mock.exe" if sys.platform == "win32" else "ilert-mock"
    for scheme_dir in (sysconfig.get_path("scripts"), sysconfig.get_path("scripts", f"{os.name}_user")):
        if scheme_dir and (Path(scheme_dir) / name).is_file():
            return str(Path(scheme_dir) / name)
    found = shutil.which(name)
    if found:
        return found
    raise MockError(
        "the ilert-mock executable was not found: install this package from the repository "
        "(pip install -v ./mock-server/python; it is not published on any package index) or set "
        "ILERT_MOCK_BIN to the path of an ilert-mock binary"
    )


def cli_args(options: Mapping[str, Any], workdir: Path) -> List[str]:
    """The command-line flags for ``options``: ``freeze_clock=True`` is ``--freeze-clock``,
    ``seed=7`` is ``--seed 7``; ``None`` and ``False`` leave a flag out. ``fixtures`` may be a
    path or a dict (written as JSON, e.g. ``{"extends": "default", "apps": [...]}``)."""
    args: List[str] = []
    for name, value in options.items():
        if name in _OWNED:
            raise ValueError(f"{name} is set by the harness; read the result from the IlertMock object")
        if value is None or value is False or name in _SECRET_ENV:
            continue
        flag = "--" + name.replace("_", "-")
        if value is True:
            args.append(flag)
        elif name == "fixtures" and isinstance(value, Mapping):
            path = workdir / "fixtures.json"
            path.write_text(json.dumps(value), encoding="utf-8")
            args += [flag, str(path)]
        else:
            args += [flag, str(value)]
    return args


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D401, N802
        return None


class IlertMock:
    """One ``ilert-mock`` process. Use it as a context manager, or call :meth:`start` and
    :meth:`stop`. Options map to the command line's flags (see :func:`cli_args`)."""

    def __init__(self, **options: Any) -> None:
        self.options: Dict[str, Any] = dict(options)
        self.base_url: str = ""
        #: The development CA (PEM) to trust, when started with ``tls=True``.
        self.ca_pem: Optional[str] = None
        self._process: Optional[subprocess.Popen] = None
        self._workdir: Optional[tempfile.TemporaryDirectory] = None
        #: The mock's log (stderr), open for reading; it outlives the removed temp folder.
        self._log: Optional[Any] = None
        self._ssl: Optional[ssl.SSLContext] = None

    # -- life cycle ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port the mock listens on."""
        return urllib.parse.urlsplit(self.base_url).port or 0

    @property
    def log_path(self) -> Optional[Path]:
        """The mock's log (its stderr) while it starts; ``None`` once it answers, as its temp
        folder is then removed (read the log with :meth:`logs`)."""
        return Path(self._workdir.name) / "mock.log" if self._workdir else None

    def logs(self, last: int = 200) -> str:
        """The last ``last`` lines the mock logged."""
        if self._log is None:
            return ""
        self._log.seek(0)
        lines = self._log.read().decode("utf-8", errors="replace").splitlines()
        return "\n".join(lines[-last:])

    def start(self) -> "IlertMock":
        """Starts the process and returns once ``/_mock/health`` answers."""
        if self._process is not None:
            raise MockError("this mock is already running")
        self._workdir = tempfile.TemporaryDirectory(prefix="ilert-mock-")
        work = Path(self._workdir.name)
        ready, ca = work / "ready", work / "ca.pem"
        options = {"bind": "127.0.0.1:0", **self.options}
        args = [binary(), *cli_args(options, work), "--ready-file", str(ready)]
        if options.get("tls"):
            args += ["--tls-ca-out", str(ca)]
        args.append("--exit-with-parent")
        env = {k: v for k, v in os.environ.items() if not k.startswith("ILERT_MOCK_")}
        env["NO_COLOR"] = "1"
        for name, variable in _SECRET_ENV.items():
            if options.get(name):
                env[variable] = str(options[name])
        # The mock appends; this process reads through its own descriptor (a shared offset
        # would let a read move where the mock writes).
        with open(work / "mock.log", "ab") as log:
            self._log = open(work / "mock.log", "rb")
            try:
                # stdin: a pipe only this process holds; when it dies the pipe closes and the
                # mock (--exit-with-parent) stops.
                self._process = subprocess.Popen(
                    args,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                    env=env,
                    close_fds=True,
                )
            except OSError as err:
                self._cleanup()
                raise MockError(f"cannot run {args[0]}: {err}") from err
        try:
            self._wait_ready(ready, ca)
        except BaseException:
            self.stop()
            raise
        # Everything the mock reads at start has been read: nothing needs the folder any more.
        self._remove_workdir()
        return self

    def _wait_ready(self, ready: Path, ca: Path) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        assert self._process is not None
        while not ready.exists():
            if self._process.poll() is not None:
                raise MockError(
                    f"ilert-mock exited with status {self._process.returncode} before it was "
                    f"ready:\n{self.logs()}"
                )
            if time.monotonic() > deadline:
                raise MockError(f"ilert-mock was not ready within {START_TIMEOUT:.0f} s:\n{self.logs()}")
            time.sleep(0.01)
        self.base_url = ready.read_text(encoding="utf-8").strip()
        if ca.exists():
            self.ca_pem = ca.read_text(encoding="utf-8")
            self._ssl = ssl.create_default_context(cadata=self.ca_pem)
        probe = "/.well-known/jwks.json" if self.options.get("no_control") else "/_mock/health"
        while True:
            try:
                status, _ = self._call("GET", probe)
                if status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise MockError(f"{self.base_url}{probe} did not answer 200 in time:\n{self.logs()}")
            time.sleep(0.02)

    def stop(self) -> None:
        """Stops the process (SIGTERM: in-flight requests finish) and removes its files."""
        process, self._process = self._process, None
        if process is not None and process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._cleanup()

    def _remove_workdir(self) -> None:
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def _cleanup(self) -> None:
        self._remove_workdir()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> "IlertMock":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"IlertMock({self.base_url or 'not started'})"

    # -- HTTP ---------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        """``base_url`` + ``path``."""
        return self.base_url + path

    def tenant_url(self, tenant: str) -> str:
        """The base URL of a tenant's own host, e.g. ``http://sometenant.localhost:41234``
        (resolve it with :func:`localhost_names`, or send a ``Host`` header)."""
        scheme = urllib.parse.urlsplit(self.base_url).scheme
        return f"{scheme}://{tenant.lower()}.localhost:{self.port}"

    def ssl_context(self) -> Optional[ssl.SSLContext]:
        """An SSL context trusting only the development CA (``None`` without TLS)."""
        return self._ssl

    def open(self, request: "urllib.request.Request | str", timeout: float = 30.0) -> Tuple[int, Message, bytes]:
        """Sends a request without following redirects (an authorize answer's ``Location`` is
        what a test wants) and trusting the mock's CA; returns the status, the headers (looked up
        case-insensitively: ``headers["Location"]``) and the body. Error statuses are returned,
        not raised."""
        handlers: List[urllib.request.BaseHandler] = [_NoRedirect()]
        if self._ssl is not None:
            handlers.append(urllib.request.HTTPSHandler(context=self._ssl))
        opener = urllib.request.build_opener(*handlers)
        try:
            with opener.open(request, timeout=timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as err:
            with err:
                return err.code, err.headers, err.read()

    def _call(self, method: str, path: str, body: Any = None) -> Tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url(path), data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        token = self.options.get("control_token")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        status, _, raw = self.open(request)
        return status, (json.loads(raw) if raw else None)

    def control(self, method: str, path: str, body: Any = None) -> Any:
        """A request to ``/_mock{path}``; the JSON answer, or :class:`MockError` with the
        mock's ``error`` for a status of 400 or more."""
        if self._process is None:
            raise MockError("the mock is not running")
        status, answer = self._call(method, "/_mock" + path, body)
        if status >= 400:
            reason = answer.get("error") if isinstance(answer, dict) else answer
            raise MockError(f"{method} /_mock{path}: HTTP {status}: {reason}")
        return answer

    # -- controls -----------------------------------------------------------------------------

    def health(self) -> Dict[str, Any]:
        """``GET /_mock/health``."""
        return self.control("GET", "/health")

    def clock(self) -> Dict[str, Any]:
        """The mock's clock: ``{"now": unix seconds, "frozen": bool, "offset_secs": int}``.

        :meth:`advance_clock` moves only the mock's clock: tokens expire for the mock, but an app
        that reads its own clock (to refresh ahead of ``expires_in``) does not see the time pass.
        Move the app's clock to the mock's ``now`` with freezegun or time-machine::

            from freezegun import freeze_time
            with freeze_time(datetime.fromtimestamp(ilert_mock.clock()["now"], timezone.utc)) as frozen:
                ilert_mock.advance_clock(3601)
                frozen.move_to(datetime.fromtimestamp(ilert_mock.clock()["now"], timezone.utc))
        """
        return self.control("GET", "/clock")

    def advance_clock(self, seconds: int) -> Dict[str, Any]:
        """Moves the clock (e.g. 3601 to expire an access token); returns the new reading."""
        return self.control("POST", "/clock", {"advance_secs": int(seconds)})

    def set_clock(self, unix_seconds: int) -> Dict[str, Any]:
        """Sets the clock to a Unix time."""
        return self.control("POST", "/clock", {"set": int(unix_seconds)})

    def freeze_clock(self, frozen: bool = True) -> Dict[str, Any]:
        """Freezes (or releases) the clock."""
        return self.control("POST", "/clock", {"freeze": bool(frozen)})

    def add_fault(
        self,
        endpoint: str,
        status: Optional[int] = None,
        times: int = 1,
        body: Any = None,
        delay_ms: Optional[int] = None,
    ) -> Dict[str, Any]:
        """Answers the next ``times`` requests to ``endpoint`` (``token``, ``authorize``,
        ``users_current``, … or a path such as ``/api/*``) with ``status`` and ``body``
        (default: the endpoint's own error shape), after ``delay_ms`` if given."""
        fault: Dict[str, Any] = {"endpoint": endpoint, "times": times}
        if status is not None:
            fault["status"] = status
        if body is not None:
            fault["body"] = body
        if delay_ms is not None:
            fault["delay_ms"] = delay_ms
        return self.control("POST", "/faults", fault)

    def clear_faults(self) -> None:
        """Drops every queued fault."""
        self.control("DELETE", "/faults")

    def journal(self, snapshot: bool = False, path: Optional[str] = None, limit: Optional[int] = None) -> List[Dict[str, Any]]:
        """The requests the mock received, oldest first. ``snapshot=True`` gives the form made
        for snapshot tests: no times, stable headers, and secrets, codes and ports replaced by
        placeholders that keep identity (``<refresh_token#1>``)."""
        query = {}
        if snapshot:
            query["format"] = "snapshot"
        if path is not None:
            query["path"] = path
        if limit is not None:
            query["limit"] = str(limit)
        suffix = "?" + urllib.parse.urlencode(query) if query else ""
        return self.control("GET", "/requests" + suffix)

    def snapshot(self, path: Optional[str] = None) -> List[Dict[str, Any]]:
        """The journal in snapshot form (``journal(snapshot=True)``), the Python twin of Rust's
        ``server.journal().snapshot(..)`` with insta: arrival order, no times, stable headers,
        and secrets, codes, ``state`` values and loopback ports replaced by placeholders that
        keep identity. With syrupy::

            def test_sign_in(ilert_mock, snapshot):
                ...  # the app's sign-in
                assert ilert_mock.snapshot() == snapshot

        Without syrupy, :meth:`assert_snapshot` keeps it in a JSON file."""
        return self.journal(snapshot=True, path=path)

    def assert_snapshot(self, file: "os.PathLike[str] | str", path: Optional[str] = None) -> None:
        """Compares :meth:`snapshot` with the JSON file ``file``
        (:func:`ilert_mock.assert_json_snapshot`): a missing file is written (commit it), a
        different one fails the test with both texts; ``ILERT_MOCK_UPDATE_SNAPSHOTS=1`` rewrites
        it. A method, because in a test the fixture named ``ilert_mock`` hides the module::

            def test_sign_in(ilert_mock):
                ...  # the app's sign-in
                ilert_mock.assert_snapshot("tests/snapshots/sign_in.json")
        """
        assert_json_snapshot(self.snapshot(path=path), file)

    def clear_journal(self) -> None:
        """Forgets every recorded request."""
        self.control("DELETE", "/requests")

    def audit(self, app: Optional[str] = None, severity: Optional[str] = None) -> Dict[str, Any]:
        """The audit of the app under test (``GET /_mock/audit``): its OAuth mistakes since the
        mock started or the audit was cleared, each with ``id``, ``severity``, ``app``, ``user``,
        ``title``, ``advice``, ``source`` and the journal numbers in ``requests``. ``app`` keeps
        one client id's findings, ``severity`` (``error``, ``warning``, ``info``) those at or
        above it. After a test's flows::

            report = ilert_mock.audit(severity="warning")
            assert report["findings"] == [], report["findings"]
        """
        query = {k: v for k, v in (("app", app), ("severity", severity)) if v is not None}
        suffix = "?" + urllib.parse.urlencode(query) if query else ""
        return self.control("GET", "/audit" + suffix)

    def clear_audit(self) -> None:
        """Starts the audit afresh (``DELETE /_mock/audit``); the journal is kept."""
        self.control("DELETE", "/audit")

    def grants(
        self,
        client_id: Optional[str] = None,
        username: Optional[str] = None,
        *,
        app: Optional[str] = None,
        user: Optional[str] = None,
    ) -> List[Dict[str, Any]]:
        """Refresh grants in order of issue, optionally of one app and one user, filtered by the
        names the records carry: ``grants(client_id="0501439fd7dee9af0c25",
        username="someUser")``. Each record has ``id``, ``family``, ``app_id``, ``client_id``,
        ``username``, ``tenant``, ``scope``, ``issued_at``, ``expires_at`` and ``revoked``.
        ``app=`` and ``user=`` are the older names of the two filters."""
        for new, old, name in ((client_id, app, "client_id/app"), (username, user, "username/user")):
            if new is not None and old is not None and new != old:
                raise ValueError(f"grants(): {name} given twice with different values")
        client_id = client_id if client_id is not None else app
        username = username if username is not None else user
        query = {k: v for k, v in (("app", client_id), ("user", username)) if v is not None}
        suffix = "?" + urllib.parse.urlencode(query) if query else ""
        return self.control("GET", "/grants" + suffix)

    def approve(self, authorize_url: str, user: str) -> str:
        """Approves the pending authorization at ``authorize_url`` as ``user``, as a person at
        the grant view would: loads the view, checks that it offers ``user``, and posts its form
        (the authorize parameters as hidden fields, ``user``, ``decision=grant``). Returns the
        redirect to the app (with ``code`` and ``state``). For a mock started with
        ``auto_approve=None``; raises :class:`MockError` with the mock's words when it refuses.
        """
        return self._decide(authorize_url, "grant", user)

    def deny(self, authorize_url: str) -> str:
        """Presses Deny on the grant view of ``authorize_url``; returns the redirect to the app
        (``error=access_denied``)."""
        return self._decide(authorize_url, "deny", None)

    def _decide(self, authorize_url: str, decision: str, user: Optional[str]) -> str:
        parts = urllib.parse.urlsplit(authorize_url)
        if parts.scheme not in ("http", "https") or parts.path != "/api/developers/oauth2/authorize":
            raise MockError(f"{authorize_url} is not an authorize URL of the mock")
        status, headers, page = self.open(self._local(authorize_url))
        if status != 200:
            raise MockError(_refusal(authorize_url, status, headers, page, decision))
        form = _GrantForm.read(page.decode("utf-8", "replace"))
        if form is None:
            raise MockError(f"{authorize_url} answered 200 without a grant form")
        fields = list(form.hidden)
        if decision == "grant":
            if user not in form.users:
                raise MockError(f"the grant view offers no user {user!r}; it offers: {', '.join(form.users)}")
            fields.append(("user", user))
        fields.append(("decision", decision))
        post = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        request = self._local(
            post,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            method="POST",
        )
        status, headers, page = self.open(request)
        location = headers.get("Location") if status == 302 else None
        if location is None:
            raise MockError(_refusal(post, status, headers, page, decision))
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
        if decision == "grant" and "error" in query:
            raise MockError(f"the mock refused: {query['error']}: {query.get('error_description', '')}")
        return location

    def _local(self, url: str, **kwargs: Any) -> urllib.request.Request:
        """A request for ``url``; a ``*.localhost`` tenant host (which Python does not resolve)
        is sent to 127.0.0.1 with the tenant host in ``Host``."""
        parts = urllib.parse.urlsplit(url)
        name = (parts.hostname or "").lower()
        if name.endswith(".localhost"):
            local = urllib.parse.urlunsplit(
                (parts.scheme, f"127.0.0.1:{parts.port or self.port}", parts.path, parts.query, "")
            )
            request = urllib.request.Request(local, **kwargs)
            request.add_header("Host", parts.netloc)
            return request
        return urllib.request.Request(url, **kwargs)

    def revoke_grants(self, app: str, user: str) -> int:
        """Revokes every grant of ``app`` for ``user``, as the user would in ilert; returns how
        many."""
        return self.control("POST", "/grants/revoke", {"app": app, "user": user})["revoked"]

    def apps(self) -> List[Dict[str, Any]]:
        """Every app, with its development credentials."""
        return self.control("GET", "/apps")

    def add_app(self, **fields: Any) -> Dict[str, Any]:
        """Registers an app (the fixture fields: ``id``, ``name``, ``client_id``,
        ``client_secret`` or ``public=True``, ``redirect_uris``, ``scopes``, …)."""
        return self.control("POST", "/apps", fields)

    def remove_app(self, client_id: str) -> int:
        """Removes an app; returns how many of its refresh grants were revoked."""
        return self.control("DELETE", "/apps/" + urllib.parse.quote(client_id, safe=""))["revoked_grants"]

    def users(self) -> List[Dict[str, Any]]:
        """Every user."""
        return self.control("GET", "/users")

    def add_user(self, **fields: Any) -> Dict[str, Any]:
        """Adds a user (``id``, ``tenant``, ``username``, ``first_name``, ``last_name``,
        ``email``, …)."""
        return self.control("POST", "/users", fields)

    def remove_user(self, username: str) -> int:
        """Removes a user; returns how many of their refresh grants were revoked."""
        return self.control("DELETE", "/users/" + urllib.parse.quote(username, safe=""))["revoked_grants"]

    def tenants(self) -> List[Dict[str, Any]]:
        """Every tenant."""
        return self.control("GET", "/tenants")

    def add_tenant(self, **fields: Any) -> Dict[str, Any]:
        """Adds a tenant (``id``, ``short_id``, ``name``); its host serves at once."""
        return self.control("POST", "/tenants", fields)

    def reset(self) -> None:
        """Back to the start: fixtures, clock, journal, audit and faults."""
        self.control("POST", "/reset")


#: Set to ``1`` to rewrite the files :func:`assert_json_snapshot` compares with.
UPDATE_SNAPSHOTS_ENV = "ILERT_MOCK_UPDATE_SNAPSHOTS"


def snapshot_json(value: Any) -> str:
    """``value`` as the stable text a snapshot file holds: JSON indented by two, keys in the
    order the mock wrote them, non-ASCII kept, a final newline."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def assert_json_snapshot(value: Any, file: "os.PathLike[str] | str") -> None:
    """Compares ``value`` (e.g. ``ilert_mock.snapshot()``) with the JSON file ``file``: a missing
    file is written (commit it), a different one fails the test with both texts; with
    ``ILERT_MOCK_UPDATE_SNAPSHOTS=1`` the file is rewritten instead."""
    path = Path(file)
    text = snapshot_json(value)
    if not path.exists() or os.environ.get(UPDATE_SNAPSHOTS_ENV) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    stored = path.read_text(encoding="utf-8")
    if stored != text:
        import difflib

        diff = "".join(
            difflib.unified_diff(stored.splitlines(True), text.splitlines(True), str(path), "now")
        )
        raise AssertionError(
            f"the snapshot differs from {path} ({UPDATE_SNAPSHOTS_ENV}=1 rewrites it):\n{diff}"
        )


class _GrantForm:
    """The grant view's form: its hidden fields and the usernames it offers."""

    def __init__(self) -> None:
        self.hidden: List[Tuple[str, str]] = []
        self.users: List[str] = []

    @classmethod
    def read(cls, page: str) -> "Optional[_GrantForm]":
        from html.parser import HTMLParser

        form = cls()
        seen = {"form": False}

        class Reader(HTMLParser):
            def handle_starttag(self, tag: str, attrs: List[Tuple[str, Optional[str]]]) -> None:
                a = {k: v or "" for k, v in attrs}
                if tag == "form":
                    seen["form"] = True
                elif tag == "input" and a.get("type") == "hidden":
                    form.hidden.append((a.get("name", ""), a.get("value", "")))
                elif tag == "input" and a.get("type") == "radio" and a.get("name") == "user":
                    form.users.append(a.get("value", ""))

        Reader().feed(page)
        return form if seen["form"] else None


def _refusal(url: str, status: int, headers: Message, page: bytes, decision: str) -> str:
    """The mock's words for an answer that is not the grant view or its redirect."""
    import html
    import re

    location = headers.get("Location")
    if status == 302 and location:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
        if "error" in query:
            return f"the mock refused: {query['error']}: {query.get('error_description', '')}"
        return (
            f"the mock redirected at once ({location}) instead of showing the grant view: it "
            "approves automatically; start it with auto_approve=None to choose the user"
        )
    text = page.decode("utf-8", "replace")
    title = re.search(r"<h1>(.*?)</h1>", text, re.S)
    hint = re.search(r"</h1><p>(.*?)</p>", text, re.S)
    if title:
        words = html.unescape(title.group(1)).rstrip(".") + (". " + html.unescape(hint.group(1)) if hint else "")
        return f"{url}: HTTP {status}: {words}"
    return f"{url}: HTTP {status}, not a grant view or a redirect"


@contextlib.contextmanager
def localhost_names(address: str = "127.0.0.1") -> Iterator[None]:
    """Resolves every ``*.localhost`` name to ``address`` while active, for any library that
    resolves through :mod:`socket` (urllib, requests, httpx): tenant hosts such as
    ``sometenant.localhost`` then work over HTTP and HTTPS (the TLS server name stays the tenant
    host, so certificate checks pass)."""
    original: Callable[..., Any] = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if isinstance(name, str) and (name == "localhost" or name.lower().endswith(".localhost")):
            host = address
        return original(host, *args, **kwargs)

    socket.getaddrinfo = resolve
    try:
        yield
    finally:
        socket.getaddrinfo = original
