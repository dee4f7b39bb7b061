"""WSGI app with one route per behaviour that BuiltinWorkerTest checks."""
import json
import sys
import threading
import time

closed = []
lock = threading.Lock()


def environ_route(environ, start_response):
    shown = {k: v for k, v in environ.items() if isinstance(v, (str, bool, int))}
    shown["wsgi.version"] = list(environ["wsgi.version"])
    shown["wsgi.errors.is_stderr"] = environ["wsgi.errors"] is sys.stderr
    shown["has_file_wrapper"] = "wsgi.file_wrapper" in environ
    body = json.dumps(shown).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def input_route(environ, start_response):
    """Reads the body with every wsgi.input method and reports what each returned."""
    stream = environ["wsgi.input"]
    first = stream.readline()
    sys.stderr.write("input-route got first line %r\n" % first)
    sys.stderr.flush()
    two = stream.read(2)
    sized = stream.readline(3)
    lines = stream.readlines()
    rest = stream.read()
    body = json.dumps(
        {"first": first.decode(), "two": two.decode(), "sized": sized.decode(),
         "lines": [l.decode() for l in lines], "rest": rest.decode()}
    ).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


def iterate_route(environ, start_response):
    lines = [line.decode() for line in environ["wsgi.input"]]
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(lines).encode()]


def echo_route(environ, start_response):
    body = environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [("%d:" % len(body)).encode(), body]


def write_route(environ, start_response):
    write = start_response("200 OK", [("Content-Type", "text/plain")])
    write(b"from-write;")
    return [b"", b"from-iterable"]


def exc_info_route(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    try:
        raise ValueError("replaced before any byte was sent")
    except ValueError:
        start_response("503 Service Unavailable", [("Content-Type", "text/plain")], sys.exc_info())
    return [b"replaced"]


def late_error_route(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    yield b"partial"
    try:
        raise ValueError("too late to change the status")
    except ValueError:
        start_response("500 Internal Server Error", [], sys.exc_info())  # must re-raise
    yield b"never"


def boom_route(environ, start_response):
    raise RuntimeError("boom from the app")


class Closing(object):
    def __iter__(self):
        yield b"closing-body"

    def close(self):
        with lock:
            closed.append(1)


def closing_route(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return Closing()


def closed_count_route(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(len(closed)).encode()]


def slow_route(environ, start_response):
    sys.stderr.write("slow-route started\n")
    sys.stderr.flush()
    time.sleep(1.0)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"slow done"]


barriers = {}
released = threading.Event()


def barrier_route(environ, start_response):
    """Returns once N requests (?N) are inside the app at the same time, or says it gave up."""
    parties = int(environ["QUERY_STRING"] or "2")
    with lock:
        barrier = barriers.setdefault(parties, threading.Barrier(parties))
    try:
        barrier.wait(timeout=20)
        body = b"met"
    except threading.BrokenBarrierError:
        body = b"broken"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def blocked_route(environ, start_response):
    """Blocks until another request calls /release: only another thread can serve that one."""
    sys.stderr.write("blocked-route waiting\n")
    sys.stderr.flush()
    body = b"released" if released.wait(timeout=20) else b"timed out"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def release_route(environ, start_response):
    released.set()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


ROUTES = {
    "/environ": environ_route,
    "/input": input_route,
    "/iterate": iterate_route,
    "/echo": echo_route,
    "/write": write_route,
    "/exc-info": exc_info_route,
    "/late-error": late_error_route,
    "/boom": boom_route,
    "/closing": closing_route,
    "/closed-count": closed_count_route,
    "/slow": slow_route,
    "/barrier": barrier_route,
    "/blocked": blocked_route,
    "/release": release_route,
}


def app(environ, start_response):
    route = ROUTES.get(environ["PATH_INFO"], environ_route)
    return route(environ, start_response)
