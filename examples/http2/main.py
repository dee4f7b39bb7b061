"""A plain ASGI app that says which HTTP version reached it, and streams.

Behind Pylon with service.yaml's port named h2c, the router speaks HTTP/2 to hypercorn, so "/"
answers "HTTP/2" whatever protocol the client used.

- /        which HTTP version reached the app, and how many body bytes came with the request
- /stream  three lines, 50 ms apart
- /events  Server-Sent Events: "first" at once, "second" only after a request to /release, so a
           client can see that the first event is not held back until the response ends
"""

import asyncio

released = asyncio.Event()


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    if scope["path"] == "/release":
        released.set()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    if scope["path"] == "/events":
        released.clear()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")],
            }
        )
        await send({"type": "http.response.body", "body": b"data: first\n\n", "more_body": True})
        await released.wait()
        await send({"type": "http.response.body", "body": b"data: second\n\n"})
        return
    if scope["path"] == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for i in range(3):
            await send({"type": "http.response.body", "body": b"tick %d\n" % i, "more_body": True})
            await asyncio.sleep(0.05)
        await send({"type": "http.response.body", "body": b""})
        return
    text = "Hello over HTTP/%s from hypercorn on Pylon! (%d body bytes)\n" % (
        scope["http_version"],
        len(body),
    )
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": text.encode()})
