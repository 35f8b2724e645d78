"""Connects to KloudHub's /mcp with the official MCP Python SDK and reports what it saw.

Usage: mcp_sdk_client.py URL API_KEY MODE   (MODE: legacy or auto)
Prints one JSON object: the negotiated protocol version, the tool names (every page), and
the structured content of a few tool calls.
"""

import asyncio
import json
import sys

import httpx2
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client


async def main(url: str, key: str, mode: str) -> None:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=60)
    async with http:
        async with Client(streamable_http_client(url, http_client=http), mode=mode) as client:
            names = []
            cursor = None
            while True:
                listed = await client.list_tools(cursor=cursor) if cursor else await client.list_tools()
                names += [tool.name for tool in listed.tools]
                cursor = listed.next_cursor
                if not cursor:
                    break
            calls = {}
            for name, arguments in [
                ("list_cloud_accounts", {}),
                ("get_cost_summary", {"group_by": "service"}),
                ("list_waste_findings", {"limit": 2}),
            ]:
                result = await client.call_tool(name, arguments)
                calls[name] = {"is_error": bool(result.is_error), "structured": result.structured_content}
            bad = await client.call_tool("list_resources", {"limit": "ten"})
            calls["bad_arguments"] = {
                "is_error": bool(bad.is_error),
                "text": " ".join(getattr(block, "text", "") for block in bad.content),
            }
            print(json.dumps({"protocol_version": client.protocol_version, "tools": names, "calls": calls}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
