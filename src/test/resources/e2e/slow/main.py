"""Answers after the number of seconds in the query string: a request still in flight at Ctrl-C."""

import time
from urllib.parse import parse_qs


def app(environ, start_response):
    seconds = float(parse_qs(environ.get("QUERY_STRING", "")).get("seconds", ["0"])[0])
    print(f"sleeping {seconds:g} s", flush=True)  # the test waits for this line
    time.sleep(seconds)
    body = f"slept {seconds:g} s\n".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
