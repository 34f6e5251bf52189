"""The ilert OAuth2 mock for Python: the ``ilert-mock`` executable and a pytest plugin.

Installing the package gives pytest two fixtures (see :mod:`ilert_mock.plugin`):

- ``ilert_mock``: a fresh mock per test on a free loopback port, with the embedded fixtures,
  every authorization approved at once as ``someUser``, and a fixed, frozen clock;
- ``ilert_mock_factory(**options)``: more mocks, with other options.

Outside pytest, :class:`IlertMock` starts one::

    with IlertMock(auto_approve="someUser") as mock:
        print(mock.base_url)
"""

from .server import (
    DEFAULT_OPTIONS,
    IlertMock,
    MockError,
    assert_json_snapshot,
    binary,
    cli_args,
    localhost_names,
    snapshot_json,
)

__all__ = [
    "DEFAULT_OPTIONS",
    "IlertMock",
    "MockError",
    "assert_json_snapshot",
    "binary",
    "cli_args",
    "localhost_names",
    "snapshot_json",
]
