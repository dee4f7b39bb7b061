"""An ASGI app for hypercorn that tells what reached it, so tests see the instance's side.

GET/POST any path: JSON with the HTTP version the instance saw, method, path, headers, body length.
/stream: three server-sent events 0.2 s apart. /empty: 204. /slow?s=N: answers after N seconds.
A WebSocket on any path echoes text messages.
"""

import asyncio
import json


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "websocket":
        await websocket_echo(scope, receive, send)
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    path = scope["path"]
    if path == "/stream":
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream")],
            }
        )
        for i in range(3):
            event = b"data: %d\n\n" % i
            await send({"type": "http.response.body", "body": event, "more_body": True})
            await asyncio.sleep(0.2)
        await send({"type": "http.response.body", "body": b""})
        return
    if path == "/empty":
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    if path == "/slow":
        await asyncio.sleep(float(scope["query_string"].decode().split("=")[1]))
    info = {
        "http_version": scope["http_version"],
        "method": scope["method"],
        "path": path,
        "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
        "body_length": len(body),
    }
    out = json.dumps(info).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(out)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": out})


async def websocket_echo(scope, receive, send):
    while True:
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
        elif message["type"] == "websocket.receive":
            text = message.get("text") or ""
            await send({"type": "websocket.send", "text": "echo " + scope["http_version"] + " " + text})
        elif message["type"] == "websocket.disconnect":
            return
