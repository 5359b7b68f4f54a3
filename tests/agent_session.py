"""What the scripted agent sessions share: an agent's calls as it makes them, and every
property of every node of the edited scene, comparable between two editors."""

from __future__ import annotations

import re

from conftest import call_ok, structured


class Agent:
    """An agent's calls, as it makes them (no retry, each must succeed), counting the ones
    that changed the scene as one undoable step."""

    def __init__(self, client):
        self.client = client
        self.undoable_steps = 0

    async def call(self, tool: str, arguments: dict) -> dict:
        result = await call_ok(self.client, tool, arguments)
        if result.get("undoable") is True:
            self.undoable_steps += 1
        return result

    async def op(self, tool: str, op: str, params: dict) -> dict:
        return await self.call(tool, {"op": op, "params": params})


async def scene_nodes(client) -> list[str]:
    tree = structured(await client.call_tool("scene_get_hierarchy", {}))
    return [node["path"] for node in tree["nodes"]]


INSTANCE = re.compile(r"<(\w+)#-?\d+>")
BUILT_IN = re.compile(r"res://[^:]+\.tscn::(\w+?)_\w+")


def comparable(value):
    """A property value with what differs between two editors on the same file left out: a
    resource inside the scene is named by its class (an editor shows it by instance id
    before it is saved, by its id in the file after)."""
    if isinstance(value, str):
        for pattern in (INSTANCE, BUILT_IN):
            match = pattern.fullmatch(value)
            if match:
                return f"<{match[1]}>"
        return value
    if isinstance(value, list):
        return [comparable(item) for item in value]
    if isinstance(value, dict):
        return {key: comparable(item) for key, item in value.items()}
    return value


async def every_property(client) -> dict[str, dict]:
    """Every node of the edited scene with each of its inspector properties."""
    seen = {}
    for path in await scene_nodes(client):
        listing = await call_ok(client, "node_get_properties", {"path": path})
        seen[path] = {p["name"]: comparable(p["value"]) for p in listing["properties"]}
    return seen
