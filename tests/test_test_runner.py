"""The project's GDScript test suites through the MCP endpoint (test_run, test_manage
results_get, godot://test/results), the way godot-ai defines them: res://tests/test_*.gd scripts
that extend McpTestSuite. A passing, a failing (with its file and line), a skipped, an empty and
a crashing test are each reported for what they are; files that are not suites are named with
the reason; a suite whose setup fails reports that instead of its tests."""

from __future__ import annotations

import json

import pytest

from conftest import call_error, call_ok, editor_with_main_scene
from editor_harness import Client, make_project

pytestmark = pytest.mark.anyio

MATH_SUITE = """@tool
extends McpTestSuite


func suite_name() -> String:
	return "math"


func test_adds() -> void:
	assert_eq(1 + 1, 2)
	assert_true([1, 2].has(2))
	assert_contains("godot engine", "engine")
	assert_has_key({"a": 1}, "a")


func test_fails() -> void:
	assert_eq(2 * 2, 5, "two twos make five")
	assert_true(false, "only the first failure is reported")


func test_skipped() -> void:
	skip("needs a gamepad")


func test_without_assertions() -> void:
	pass


func test_script_error() -> void:
	assert_true(true)
	var missing = null
	missing.call("nothing")


func test_scaffolding_is_cleared() -> void:
	var scratch := Node.new()
	scratch.name = "_McpTestScratch"
	EditorInterface.get_edited_scene_root().add_child(scratch)
	assert_true(scratch.is_inside_tree())
"""

SETUP_FAILS_SUITE = """@tool
extends McpTestSuite


func suite_name() -> String:
	return "needs_network"


func suite_setup(_ctx: Dictionary) -> void:
	fail_setup("no network here")


func test_never_runs() -> void:
	assert_true(false)
"""

NOT_A_SUITE = """@tool
extends RefCounted


func test_looks_like_one() -> void:
	pass
"""

BROKEN = """@tool
extends McpTestSuite

func test_broken() -> void
	assert_true(true)
"""


def line_of(source: str, text: str) -> int:
    """The 1-based line of `source` holding `text`."""
    return next(number for number, line in enumerate(source.splitlines(), 1) if text in line)


async def test_a_suite_reports_passes_failures_with_their_line_skips_and_crashes():
    project = make_project("test_runner")
    tests = project / "tests"
    tests.mkdir()
    (tests / "test_math.gd").write_text(MATH_SUITE)
    (tests / "test_network.gd").write_text(SETUP_FAILS_SUITE)
    (tests / "test_plain.gd").write_text(NOT_A_SUITE)
    (tests / "test_broken.gd").write_text(BROKEN)
    (tests / "helpers.gd").write_text(NOT_A_SUITE)  # not test_*.gd: not looked at
    editor = await editor_with_main_scene(project, "test_runner")
    try:
        async with Client(editor.url) as client:
            run = await call_ok(client, "test_run", {"verbose": True})
            assert run["suites_run"] == ["math", "needs_network"], run
            assert (run["passed"], run["failed"], run["skipped"], run["total"]) == (2, 4, 1, 7)
            assert run["edited_scene"] == "res://main.tscn"
            errors = run["load_errors"]
            assert len(errors) == 2, errors
            broken = next(e for e in errors if e.startswith("res://tests/test_broken.gd"))
            assert broken.startswith("res://tests/test_broken.gd (load failed — "), broken
            # Godot reports the parse error where it notices it: the body after the bad line.
            assert f"(line {line_of(BROKEN, 'assert_true(true)')})" in broken, broken
            assert "res://tests/test_plain.gd (not a McpTestSuite subclass)" in errors

            results = {(r["suite"], r["test"]): r for r in run["results"]}
            assert [r["test"] for r in run["results"]] == [
                "test_adds", "test_fails", "test_scaffolding_is_cleared", "test_script_error",
                "test_skipped", "test_without_assertions", "<suite_setup>"]
            passed = results[("math", "test_adds")]
            assert passed["passed"] is True and passed["assertion_count"] == 4
            assert passed["message"] == "" and "file" not in passed

            failed = results[("math", "test_fails")]
            assert failed["passed"] is False and failed["message"] == "two twos make five"
            assert failed["assertion_count"] == 2
            assert failed["file"] == "res://tests/test_math.gd"
            assert failed["line"] == line_of(MATH_SUITE, "two twos make five")
            assert failed["function"] == "test_fails"

            skipped = results[("math", "test_skipped")]
            assert skipped["skipped"] is True and skipped["message"] == "needs a gamepad"
            empty = results[("math", "test_without_assertions")]
            assert empty["passed"] is False and "0 assertions" in empty["message"]

            crashed = results[("math", "test_script_error")]
            assert crashed["passed"] is False
            assert crashed["message"].startswith("Aborted by SCRIPT ERROR: "), crashed
            assert "Nonexistent function 'nothing" in crashed["message"]
            assert crashed["line"] == line_of(MATH_SUITE, 'missing.call("nothing")')

            setup = results[("needs_network", "<suite_setup>")]
            assert setup["passed"] is False
            assert setup["message"] == ("suite_setup() failed: no network here "
                                        "(subsequent tests not run)")
            assert len(run["failures"]) == 4

            # The node the test added is gone, and the scene has nothing new.
            children = await call_ok(client, "node_manage", {
                "op": "get_children", "params": {"path": "/Main"}})
            assert "_McpTestScratch" not in json.dumps(children)

            # The last results again, without running: summary only unless verbose.
            again = await call_ok(client, "test_manage", {"op": "results_get"})
            assert (again["passed"], again["failed"], again["total"]) == (2, 4, 7)
            assert "results" not in again and len(again["failures"]) == 4
            resource = await client.read_resource("godot://test/results")
            assert json.loads(resource.contents[0].text)["failed"] == 4

            # Filters: one suite, a name part, exclusions (reported as skipped).
            only = await call_ok(client, "test_run", {"suite": "math", "test_name": "add",
                                                      "verbose": True})
            assert [r["test"] for r in only["results"]] == ["test_adds"]
            assert only["passed"] == 1 and "failures" not in only
            excluded = await call_ok(client, "test_run", {
                "suite": "math", "exclude_test_name": "fails, script_error, without, skipped",
                "verbose": True})
            assert (excluded["passed"], excluded["skipped"], excluded["failed"]) == (2, 4, 0)
            assert {r["message"] for r in excluded["results"] if r.get("skipped")} == {
                "Excluded by exclude_test_name filter"}

            unknown = await call_error(client, "test_run", {"suite": "physics"})
            assert unknown.startswith("INVALID_PARAMS: No suite named 'physics'"), unknown
            assert "math" in unknown and "needs_network" in unknown

            in_batch = await call_error(client, "batch_execute", {"commands": [
                {"command": "run_tests", "params": {}}]})
            assert "'run_tests' is not allowed as a sub-command" in in_batch
    finally:
        editor.kill()


async def test_a_project_without_suites_says_where_they_go():
    project = make_project("test_runner_empty")
    editor = await editor_with_main_scene(project, "test_runner_empty")
    try:
        async with Client(editor.url) as client:
            run = await call_ok(client, "test_run", {})
            assert run["total"] == 0
            assert run["error"].startswith("No test suites found in res://tests/")
            results = await call_ok(client, "test_manage", {"op": "results_get"})
            assert results["total"] == 0 and results["suites_run"] == []
    finally:
        editor.kill()
