"""A WSGI app that needs nothing but the standard library."""

import json
import os


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/headers":
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        return _json(start_response, headers)
    if path == "/env":
        names = ("PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION", "PYTHONUNBUFFERED")
        return _json(start_response, {name: os.environ.get(name) for name in names})
    if path == "/pid":
        return _json(start_response, {"pid": os.getpid()})
    body = b"Hello from Pylon!\n"
    start_response(
        "200 OK",
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]


def _json(start_response, value):
    body = json.dumps(value, sort_keys=True).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
