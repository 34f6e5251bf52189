"""The plugin as pytest loads it: the entry point registers both fixtures, each test gets its
own mock, mocks stop after the test, a failing test's report shows the mock's log, and the
README's pytest section runs as written."""

import pathlib
import urllib.request

pytest_plugins = ["pytester"]


def test_the_entry_point_registers_the_fixtures(pytester):
    pytester.makepyfile(
        """
        import json, urllib.request

        def test_one(ilert_mock):
            with urllib.request.urlopen(ilert_mock.base_url + "/_mock/health") as r:
                assert json.load(r)["clock"]["frozen"] is True
            status, _, _ = ilert_mock.open(ilert_mock.url("/api/users/current"))
            assert status == 401 and len(ilert_mock.journal()) == 1

        def test_two(ilert_mock, ilert_mock_factory):
            assert ilert_mock.journal() == [], "each test gets a fresh mock"
            other = ilert_mock_factory(freeze_clock=False)
            assert other.base_url != ilert_mock.base_url
            assert other.clock()["frozen"] is False
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_mocks_stop_after_the_test_and_failures_show_the_log(pytester):
    pytester.makepyfile(
        """
        import pathlib

        def test_fails(ilert_mock):
            pathlib.Path("url.txt").write_text(ilert_mock.base_url)
            assert False, "on purpose"
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ilert-mock log*"])
    url = (pytester.path / "url.txt").read_text()
    try:
        urllib.request.urlopen(url + "/_mock/health", timeout=5)
    except OSError:
        pass
    else:
        raise AssertionError(f"the mock at {url} still answers after its test")


def test_the_readmes_pytest_section_runs_as_written(pytester):
    readme = pathlib.Path(__file__).resolve().parents[3] / "README.md"
    section = readme.read_text(encoding="utf-8").split("## In a Python test (pytest)", 1)[1]
    snippet = section.split("```python", 1)[1].split("```", 1)[0]
    pytester.makepyfile(test_readme=snippet)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=snippet.count("\ndef test_"))
