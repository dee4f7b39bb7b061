"""A WSGI app whose every request takes half a second: load that needs more instances."""

import time


def app(environ, start_response):
    time.sleep(0.5)
    body = b"slow\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
