"""The Atom feed names itself by the gateway address its reader used, language included.

The launcher starts the gateway on a free port and sets no NOTIFICATIONS_PUBLIC_URL: the
self link must still be that port, through the gateway, with the reader's query.
"""

from __future__ import annotations

import feedparser
import httpx
from launch import Stack


async def test_the_feed_self_link_is_the_gateway_address_with_the_query(stack: Stack) -> None:
    query = "country=UY&mechanism=CERD&lang=es"
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as client:
        response = await client.get(f"/api/v1/feeds/alerts.atom?{query}")
    assert response.status_code == 200, response.text
    feed = feedparser.parse(response.content).feed
    expected = f"{stack.gateway_url}/api/v1/feeds/alerts.atom?{query}"
    assert [link.href for link in feed.links if link.rel == "self"] == [expected]
    assert feed.id == expected
