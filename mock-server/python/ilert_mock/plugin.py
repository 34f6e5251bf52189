"""pytest fixtures for the ilert OAuth2 mock (registered through the ``pytest11`` entry point).

- ``ilert_mock``: a fresh :class:`~ilert_mock.IlertMock` per test, started with
  :data:`~ilert_mock.DEFAULT_OPTIONS` (auto-approving ``someUser``, clock fixed and frozen).
- ``ilert_mock_factory(**options)``: starts more, each with :data:`~ilert_mock.DEFAULT_OPTIONS`
  overridden by ``options`` (``auto_approve=None`` shows the grant view, ``freeze_clock=False``
  lets the clock run, ``tls=True`` serves HTTPS, ``fixtures={...}``, ``seed=7``, …).

Every mock is stopped after the test; a failing test's report shows the mock's log.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, List

import pytest

from .server import DEFAULT_OPTIONS, IlertMock


def _report_logs(request: pytest.FixtureRequest, mocks: List[IlertMock]) -> None:
    for i, mock in enumerate(mocks):
        text = mock.logs()
        if text:
            name = "ilert-mock log" if len(mocks) == 1 else f"ilert-mock log ({i + 1})"
            request.node.add_report_section("teardown", name, text)


@pytest.fixture
def ilert_mock_factory(request: pytest.FixtureRequest) -> Iterator[Callable[..., IlertMock]]:
    """Starts mocks with :data:`~ilert_mock.DEFAULT_OPTIONS` overridden by keyword options;
    each returns once it answers and is stopped after the test."""
    started: List[IlertMock] = []

    def start(**options: Any) -> IlertMock:
        mock = IlertMock(**{**DEFAULT_OPTIONS, **options})
        started.append(mock)
        return mock.start()

    try:
        yield start
    finally:
        _report_logs(request, started)
        for mock in reversed(started):
            mock.stop()


@pytest.fixture
def ilert_mock(ilert_mock_factory: Callable[..., IlertMock]) -> IlertMock:
    """A fresh mock for this test: embedded fixtures, auto-approving ``someUser``, clock fixed
    and frozen."""
    return ilert_mock_factory()
