"""The app bench/chaos.sh serves: a small answer, a slow one, and one that eats memory."""

import time


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/hog":
        hoard = []
        while True:  # past any memory limit: the instance is killed, never the others
            hoard.append(bytearray(16 << 20))
            time.sleep(0.01)
    if path == "/slow":
        time.sleep(0.2)
    body = b"chaos ok\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
