"""Takes 3 s to import (as an app that loads a model or warms a cache does), then answers "hello"."""

import os
import time

time.sleep(3)


def app(environ, start_response):
    body = f"hello from {os.getpid()}\n".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
