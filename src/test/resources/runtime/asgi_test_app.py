"""A FastAPI app with the shapes the ASGI worker must serve: JSON, bodies, streams, WebSockets."""

import asyncio
import os

from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import PlainTextResponse, StreamingResponse

EVENTS = os.environ.get("ASGI_TEST_EVENTS", "events.txt")
app = FastAPI()
release = asyncio.Event()


def record(what):
    with open(EVENTS, "a") as f:
        f.write(what + "\n")


@app.on_event("startup")
async def startup():
    record("startup")


@app.on_event("shutdown")
async def shutdown():
    record("shutdown")


@app.get("/")
async def root(request: Request):
    record("request")
    return {"hello": "asgi", "scheme": request.url.scheme, "client": request.client.host}


@app.post("/length")
async def length(request: Request):
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
    return {"length": total}


@app.get("/stream")
async def stream():
    async def pieces():
        yield "first\n"
        await release.wait()
        yield "second\n"

    return StreamingResponse(pieces(), media_type="text/plain")


@app.get("/release")
async def do_release():
    release.set()
    return PlainTextResponse("released")


@app.get("/slow")
async def slow():
    record("slow-start")
    await asyncio.sleep(1.5)
    return PlainTextResponse("slow done")


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    while True:
        text = await websocket.receive_text()
        if text == "bye":
            await websocket.close(code=1000)
            return
        await websocket.send_text("echo: " + text)


@app.get("/headers")
async def headers(request: Request):
    return {"headers": [[name.decode("latin-1"), value.decode("latin-1")] for name, value in request.scope["headers"]]}
