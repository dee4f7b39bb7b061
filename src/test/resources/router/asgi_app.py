"""The ASGI twin of wsgi_app.py, for uvicorn."""

HELLO = b"Hello, World!\n"
BIG = b"x" * 65536


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    body = BIG if scope["path"] == "/64k" else HELLO
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
