"""Connects to KloudHub's /mcp with the official MCP Python SDK and reports what it saw.

Usage: mcp_sdk_client.py URL API_KEY MODE   (MODE: legacy or auto)
Prints one JSON object: the negotiated protocol version, the tool names (every page), the
structured content of a call of every tool (each get_* with the id its list returned first),
and the pages of list_resources with limit 2, followed by next_cursor to the end.
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

            async def call(name: str, arguments: dict, key: str | None = None) -> dict:
                result = await client.call_tool(name, arguments)
                calls[key or name] = {"is_error": bool(result.is_error), "structured": result.structured_content}
                return result.structured_content or {}

            for name, arguments in [
                ("list_cloud_accounts", {}),
                ("get_cost_summary", {"group_by": "service"}),
                ("list_waste_findings", {"limit": 2}),
                ("list_shells", {}),
            ]:
                await call(name, arguments)
            for listing, key, getter, argument in [
                ("list_scans", "scans", "get_scan", "scan_id"),
                ("list_klouds", "klouds", "get_kloud", "kloud_id"),
                ("list_deployments", "deployments", "get_deployment", "deployment_id"),
                ("list_analyses", "analyses", "get_analysis", "analysis_id"),
            ]:
                listed = await call(listing, {})
                for item in listed.get(key, [])[:1]:
                    await call(getter, {argument: item["id"]})
            resource_pages = []
            cursor = None
            while len(resource_pages) < 20:
                arguments = {"limit": 2, **({"cursor": cursor} if cursor else {})}
                page = await call("list_resources", arguments, key=f"list_resources#{len(resource_pages)}")
                resource_pages.append(
                    [{"id": item["id"], "monthly_cost": item["monthly_cost"]} for item in page.get("resources", [])]
                )
                cursor = page.get("next_cursor")
                if not cursor:
                    break
            bad = await client.call_tool("list_resources", {"limit": "ten"})
            calls["bad_arguments"] = {
                "is_error": bool(bad.is_error),
                "text": " ".join(getattr(block, "text", "") for block in bad.content),
            }
            report = {"protocol_version": client.protocol_version, "tools": names, "calls": calls}
            print(json.dumps({**report, "resource_pages": resource_pages}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
