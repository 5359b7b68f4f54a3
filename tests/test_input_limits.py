"""Names the editor would store are bounded: an absurdly long one is refused with a clear
error and changes nothing."""

from __future__ import annotations

import pytest
from editor_harness import Client

from conftest import structured

pytestmark = pytest.mark.anyio

LONG = "N" * 200_000


@pytest.mark.parametrize("tool, arguments, param", [
    ("node_create", {"type": "Node", "name": LONG}, "name"),
    ("node_manage", {"op": "rename", "params": {"path": "/Main/Sun", "new_name": LONG}}, "new_name"),
    ("node_manage", {"op": "add_to_group", "params": {"path": "/Main/Sun", "group": LONG}}, "group"),
    ("input_map_manage", {"op": "add_action", "params": {"action": LONG}}, "action"),
])
async def test_a_name_of_200000_characters_is_refused_and_changes_nothing(editor, tool, arguments, param):
    async with Client(editor.url) as client:
        before = structured(await client.call_tool("scene_get_hierarchy", {}))
        result = await client.call_tool(tool, arguments)
        assert result.is_error
        assert result.content[0].text.startswith(
            f"VALUE_OUT_OF_RANGE: Param '{param}' is 200000 characters long; names are limited "
            "to 255 characters."), result.content[0].text
        assert result.structured_content["error"]["data"] == {"length": 200000, "max_length": 255}
        assert structured(await client.call_tool("scene_get_hierarchy", {})) == before
        groups = structured(await client.call_tool("node_manage", {
            "op": "get_groups", "params": {"path": "/Main/Sun"}}))
        assert groups["groups"] == []
        actions = structured(await client.call_tool("input_map_manage", {"op": "list", "params": {}}))
        assert all(len(action["name"]) <= 255 for action in actions["actions"])


async def test_a_name_at_the_limit_is_accepted(editor):
    async with Client(editor.url) as client:
        name = "n" * 255
        created = structured(await client.call_tool("node_create", {"type": "Node", "name": name}))
        assert created["name"] == name
        structured(await client.call_tool("node_manage", {"op": "delete", "params": {
            "path": created["path"]}}))
