"""A WSGI app whose every request burns 0.3 s of CPU: load that only the CPU metric sees."""

import time


def app(environ, start_response):
    # thread_time counts this request's own CPU, so a busy machine does not cut the burn short.
    end = time.thread_time() + 0.3
    while time.thread_time() < end:
        pass
    body = b"busy\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
