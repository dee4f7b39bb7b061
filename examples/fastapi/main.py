"""A FastAPI app served by uvicorn."""

import os

from fastapi import FastAPI, Request

app = FastAPI()


@app.get("/")
async def hello():
    return {"message": "Hello from FastAPI on Pylon!"}


@app.get("/headers")
async def headers(request: Request):
    return dict(request.headers)


@app.get("/pid")
async def pid():
    return {"pid": os.getpid()}
