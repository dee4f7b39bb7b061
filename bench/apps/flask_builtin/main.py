"""examples/flask without gunicorn in its requirements: Pylon serves it with its built-in worker."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello from Flask on Pylon's worker!\n"
