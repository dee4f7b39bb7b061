"""A Flask app served by gunicorn, as Cloud Run's Python guide recommends."""

import os

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello from Flask on Pylon!\n"


@app.get("/headers")
def headers():
    return jsonify(dict(request.headers))


@app.get("/pid")
def pid():
    return jsonify(pid=os.getpid())


@app.post("/echo")
def echo():
    return request.get_data(), 200, {"Content-Type": request.content_type or "application/octet-stream"}
