"""A bare ASGI callable that knows only HTTP, as many hand-written ones do."""


async def app(scope, receive, send):
    assert scope["type"] == "http", "only http"
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"bare asgi"})
