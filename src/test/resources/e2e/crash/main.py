"""Answers with its process id; /crash ends the process at once, as a fatal bug would (the query of death)."""

import os


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/crash":
        os._exit(3)
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
