"""The WSGI app every proxy in the benchmark fronts: a hello world and a 64 KiB body."""

HELLO = b"Hello, World!\n"
BIG = b"x" * 65536


def app(environ, start_response):
    body = BIG if environ.get("PATH_INFO") == "/64k" else HELLO
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
