"""A FastAPI app that lists no server: Pylon's built-in ASGI worker serves it."""

from fastapi import FastAPI, WebSocket

app = FastAPI()
started = []


@app.on_event("startup")
async def startup():
    started.append("yes")


@app.get("/")
async def root():
    return {"hello": "fastapi without uvicorn", "startup ran": bool(started)}


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    text = await websocket.receive_text()
    await websocket.send_text("echo: " + text)
    await websocket.close()
