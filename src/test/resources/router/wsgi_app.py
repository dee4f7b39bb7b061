"""A tiny WSGI app for router tests under gunicorn: echoes what the router forwards."""
import hashlib
import time


def app(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path == "/stream":
        def events():
            for i in range(3):
                yield ("data: %d\n\n" % i).encode()
                time.sleep(0.2)
        start_response("200 OK", [("Content-Type", "text/event-stream")])
        return events()
    body = environ["wsgi.input"].read()
    lines = [
        "method=%s" % environ["REQUEST_METHOD"],
        "path=%s" % path,
        "xff=%s" % environ.get("HTTP_X_FORWARDED_FOR", ""),
        "xfp=%s" % environ.get("HTTP_X_FORWARDED_PROTO", ""),
        "xfh=%s" % environ.get("HTTP_X_FORWARDED_HOST", ""),
        "rid=%s" % environ.get("HTTP_X_REQUEST_ID", ""),
        "len=%d" % len(body),
        "sha=%s" % hashlib.sha256(body).hexdigest(),
    ]
    out = ("\n".join(lines) + "\n").encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(out)))])
    return [out]
