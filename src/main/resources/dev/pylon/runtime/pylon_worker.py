"""Pylon's built-in WSGI worker: hosts one WSGI app and speaks HTTP/1.1 to Pylon's router.

Standard library only, Python 3.8+. Usage:

    python pylon_worker.py --app MODULE:ATTR --host 127.0.0.1 --port N --threads 8 [--chdir DIR]

Shape (after gunicorn's gthread worker): the main thread owns the listening socket and every
idle keep-alive connection in one selector; a connection that becomes readable is handed to a
fixed pool of threads, which serve the requests it holds and hand it back. An idle connection
therefore never pins a thread.

Exit status: 0 after SIGTERM/SIGINT and a graceful drain, 2 on bad arguments, 3 when the app
cannot be imported (nothing is bound in that case), 4 when the port cannot be bound.
"""

import argparse
import collections
import importlib
import os
import selectors
import signal
import socket
import sys
import threading
import time
import traceback
from email.utils import formatdate
from urllib.parse import unquote_to_bytes

EXIT_APP_IMPORT_FAILED = 3
EXIT_BIND_FAILED = 4

MAX_REQUEST_LINE = 8190
MAX_HEADER_BYTES = 65536
MAX_HEADERS = 100
# Left-over request body a connection may skip to stay alive; past this it is closed instead.
MAX_BODY_DRAIN = 1 << 20
SOCKET_TIMEOUT = 60.0
KEEPALIVE_IDLE_TIMEOUT = 75.0
READ_BLOCK = 65536
LOOPBACK_PEERS = ("127.0.0.1", "::1", "::ffff:127.0.0.1")

STATUS_REASONS = {
    400: "Bad Request",
    413: "Payload Too Large",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
    505: "HTTP Version Not Supported",
}


_date_cache = [0, ""]


def http_date():
    """The Date header value, formatted once per second."""
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache[1] = formatdate(now, usegmt=True)
        _date_cache[0] = now
    return _date_cache[1]


def log(message):
    sys.stderr.write("pylon-worker: %s\n" % message)
    sys.stderr.flush()


class BadRequest(Exception):
    def __init__(self, status, message):
        Exception.__init__(self, message)
        self.status = status


class ClientGone(Exception):
    """The peer closed the connection or a socket operation failed: nothing left to answer."""


class Connection(object):
    """A client socket with a read buffer that the worker controls (so pipelining is visible)."""

    def __init__(self, sock, addr):
        self.sock = sock
        self.addr = addr
        self.buf = bytearray()
        self.idle_since = time.monotonic()

    def fill(self):
        try:
            data = self.sock.recv(READ_BLOCK)
        except (OSError, socket.timeout) as e:
            raise ClientGone(str(e))
        if not data:
            return False
        self.buf += data
        return True

    def read_line(self, limit):
        """One line including its CRLF, or b'' when the peer closed before sending anything."""
        start = 0
        while True:
            i = self.buf.find(b"\n", start)
            if i >= 0:
                line = bytes(self.buf[: i + 1])
                del self.buf[: i + 1]
                return line
            if len(self.buf) > limit:
                raise BadRequest(431, "line too long")
            start = len(self.buf)
            if not self.fill():
                if self.buf:
                    raise ClientGone("connection closed mid-line")
                return b""

    def read_some(self, n):
        """Up to n bytes (at least one unless the peer closed)."""
        if not self.buf and not self.fill():
            return b""
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data

    def send(self, data):
        try:
            self.sock.sendall(data)
        except (OSError, socket.timeout) as e:
            raise ClientGone(str(e))

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Body(object):
    """wsgi.input: the request body, read lazily from the socket, never past its end."""

    def __init__(self, conn, on_first_read):
        self._conn = conn
        self._pending = bytearray()
        self._done = False
        self._on_first_read = on_first_read

    def _raw(self, n):
        """Up to n body bytes straight from the connection; b'' at the end of the body."""
        raise NotImplementedError

    def _more(self, n):
        if self._on_first_read is not None:
            callback, self._on_first_read = self._on_first_read, None
            callback()
        if self._done:
            return b""
        data = self._raw(n)
        if not data:
            self._done = True
        return data

    def read(self, size=-1):
        if size is None or size < 0:
            chunks = [bytes(self._pending)]
            self._pending.clear()
            while True:
                data = self._more(READ_BLOCK)
                if not data:
                    return b"".join(chunks)
                chunks.append(data)
        while len(self._pending) < size:
            data = self._more(max(size - len(self._pending), 1))
            if not data:
                break
            self._pending += data
        out = bytes(self._pending[:size])
        del self._pending[:size]
        return out

    def readline(self, size=-1):
        if size is None:
            size = -1
        start = 0
        while True:
            i = self._pending.find(b"\n", start)
            if i >= 0 and (size < 0 or i < size):
                end = i + 1
                break
            if 0 <= size <= len(self._pending):
                end = size
                break
            start = len(self._pending)
            data = self._more(READ_BLOCK)
            if not data:
                end = len(self._pending)
                break
            self._pending += data
        out = bytes(self._pending[:end])
        del self._pending[:end]
        return out

    def readlines(self, hint=-1):
        lines = []
        total = 0
        while True:
            line = self.readline()
            if not line:
                return lines
            lines.append(line)
            total += len(line)
            if hint is not None and 0 < hint <= total:
                return lines

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def awaiting_continue(self):
        return self._on_first_read is not None and not self._done

    def drain(self, limit):
        """Skips what the app left unread; False when more than limit remained."""
        skipped = len(self._pending)
        self._pending.clear()
        self._on_first_read = None  # no 100 Continue for a body nobody wants
        while skipped <= limit:
            data = self._more(READ_BLOCK)
            if not data:
                return True
            skipped += len(data)
        return False


class LengthBody(Body):
    def __init__(self, conn, length, on_first_read):
        Body.__init__(self, conn, on_first_read)
        self._left = length

    def _raw(self, n):
        if self._left <= 0:
            return b""
        data = self._conn.read_some(min(n, self._left))
        if not data:
            raise ClientGone("connection closed inside the request body")
        self._left -= len(data)
        return data


class ChunkedBody(Body):
    def __init__(self, conn, on_first_read):
        Body.__init__(self, conn, on_first_read)
        self._chunk_left = 0
        self._finished = False

    def _raw(self, n):
        if self._finished:
            return b""
        if self._chunk_left == 0:
            line = self._conn.read_line(MAX_REQUEST_LINE)
            if not line:
                raise ClientGone("connection closed inside a chunked body")
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise BadRequest(400, "bad chunk size %r" % size_text)
            if size < 0:
                raise BadRequest(400, "bad chunk size")
            if size == 0:
                while True:  # trailers, then the empty line
                    trailer = self._conn.read_line(MAX_REQUEST_LINE)
                    if trailer in (b"\r\n", b"\n", b""):
                        break
                self._finished = True
                return b""
            self._chunk_left = size
        data = self._conn.read_some(min(n, self._chunk_left))
        if not data:
            raise ClientGone("connection closed inside a chunk")
        self._chunk_left -= len(data)
        if self._chunk_left == 0:
            crlf = self._conn.read_line(MAX_REQUEST_LINE)
            if crlf.strip():
                raise BadRequest(400, "chunk not followed by CRLF")
        return data


class FileWrapper(object):
    """wsgi.file_wrapper: iterates a file-like object in blocks and closes it."""

    def __init__(self, filelike, blksize=8192):
        self.filelike = filelike
        self.blksize = blksize
        if hasattr(filelike, "close"):
            self.close = filelike.close

    def __iter__(self):
        return self

    def __next__(self):
        data = self.filelike.read(self.blksize)
        if data:
            return data
        raise StopIteration


class Request(object):
    def __init__(self, method, target, version, headers):
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers  # list of (lower-case name, value)

    def header(self, name):
        values = [v for k, v in self.headers if k == name]
        return ",".join(values) if values else None


class Response(object):
    """start_response and write() for one request, and the framing of what the app returns."""

    def __init__(self, conn, request, keep_alive):
        self.conn = conn
        self.request = request
        self.keep_alive = keep_alive
        self.status = None
        self.headers = None
        self.headers_sent = False
        self.chunked = False
        self.length_left = None
        self.body_allowed = request.method != "HEAD"
        self.body = None  # wsgi.input, once made

    def start_response(self, status, headers, exc_info=None):
        if exc_info:
            try:
                if self.headers_sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None  # no reference cycle through the traceback
        elif self.status is not None:
            raise AssertionError("start_response called a second time without exc_info")
        if not isinstance(status, str) or len(status) < 4 or not status[:3].isdigit():
            raise AssertionError("status must be a str like '200 OK', got %r" % (status,))
        for name, value in headers:
            if not isinstance(name, str) or not isinstance(value, str):
                raise AssertionError("header names and values must be str: %r" % ((name, value),))
            if "\n" in value or "\r" in value or "\n" in name or ":" in name:
                raise AssertionError("invalid header %r" % ((name, value),))
        self.status = status
        self.headers = list(headers)
        return self.write

    def write(self, data):
        if self.status is None:
            raise AssertionError("write() before start_response()")
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError("the app must give bytes, got %s" % type(data).__name__)
        if not data:
            return
        if not self.headers_sent:
            self._send_headers()
        if not self.body_allowed:
            return
        if self.chunked:
            self.conn.send(b"%x\r\n" % len(data) + bytes(data) + b"\r\n")
        elif self.length_left is not None:
            if len(data) > self.length_left:
                data = bytes(data)[: self.length_left]  # never past the declared length
            self.length_left -= len(data)
            self.conn.send(data)
        else:
            self.conn.send(data)

    def finish(self):
        if not self.headers_sent:
            self._send_headers(empty=True)
        if self.chunked and self.body_allowed:
            self.conn.send(b"0\r\n\r\n")
        if self.length_left and self.body_allowed:
            self.keep_alive = False  # the app gave less than it promised; the peer must see EOF

    def _send_headers(self, empty=False):
        code = int(self.status[:3])
        names = set()
        lines = ["HTTP/1.1 %s\r\n" % self.status]
        for name, value in self.headers:
            lower = name.lower()
            names.add(lower)
            if lower == "connection":
                if "close" in value.lower():
                    self.keep_alive = False
                continue
            if lower == "transfer-encoding":
                continue  # framing is the server's job (PEP 3333: no hop-by-hop headers)
            if lower == "content-length":
                try:
                    self.length_left = int(value.strip())
                except ValueError:
                    raise AssertionError("bad Content-Length %r" % value)
            lines.append("%s: %s\r\n" % (name, value))
        no_body_status = code < 200 or code in (204, 304)
        if self.length_left is None and not no_body_status:
            if empty:
                if self.request.method != "HEAD":
                    lines.append("Content-Length: 0\r\n")
                    self.length_left = 0
            elif self.request.version == "HTTP/1.1":
                lines.append("Transfer-Encoding: chunked\r\n")
                self.chunked = True
            else:
                self.keep_alive = False  # HTTP/1.0 with no length: the end is the close
        if no_body_status:
            self.body_allowed = False
        if self.body is not None and self.body.awaiting_continue():
            # The client waits for "100 Continue" and may or may not send the body after this
            # answer: only closing tells where a next request would start.
            self.keep_alive = False
        if "date" not in names:
            lines.append("Date: %s\r\n" % http_date())
        if not self.keep_alive:
            lines.append("Connection: close\r\n")
        elif self.request.version == "HTTP/1.0":
            lines.append("Connection: keep-alive\r\n")
        lines.append("\r\n")
        head = "".join(lines).encode("latin-1")  # may fail: then nothing was sent, a 500 still can be
        self.headers_sent = True
        self.conn.send(head)


class Worker(object):
    def __init__(self, app, app_spec, host, port, threads, graceful_timeout):
        self.app = app
        self.app_spec = app_spec
        self.host = host
        self.port = port
        self.threads = threads
        self.graceful_timeout = graceful_timeout
        self.stopping = threading.Event()
        # The selector and the idle connections in it: pool threads give connections back by
        # registering them directly (epoll allows it while select() runs), under this lock.
        self.sel = selectors.DefaultSelector()
        self.idle = {}
        self.sel_lock = threading.Lock()
        self.work = collections.deque()
        self.work_ready = threading.Condition()
        self.busy = 0
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_r.setblocking(False)
        self.wake_w.setblocking(False)

    # ---- main thread: accept, watch idle connections, dispatch readable ones

    def serve(self, listener):
        for i in range(self.threads):
            t = threading.Thread(target=self._thread_main, name="pylon-worker-%d" % (i + 1))
            t.daemon = True
            t.start()
        sel, idle = self.sel, self.idle
        sel.register(listener, selectors.EVENT_READ, "listen")
        sel.register(self.wake_r, selectors.EVENT_READ, "wake")
        last_sweep = time.monotonic()
        while not self.stopping.is_set():
            for key, _ in sel.select(timeout=1.0):
                if key.data == "listen":
                    self._accept(listener)
                elif key.data == "wake":
                    self._drain_wake()
                else:
                    conn = key.data
                    with self.sel_lock:
                        if idle.pop(conn.sock, None) is None:
                            continue
                        sel.unregister(conn.sock)
                    self._dispatch(conn)
            now = time.monotonic()
            if now - last_sweep >= 1.0:
                last_sweep = now
                with self.sel_lock:
                    for sock, conn in list(idle.items()):
                        if now - conn.idle_since > KEEPALIVE_IDLE_TIMEOUT:
                            sel.unregister(sock)
                            del idle[sock]
                            conn.close()
        return self._drain(listener)

    def _keep(self, conn):
        """Gives a connection back to the selector to wait for its next request."""
        conn.idle_since = time.monotonic()
        with self.sel_lock:
            if self.stopping.is_set():
                conn.close()
                return
            self.idle[conn.sock] = conn
            self.sel.register(conn.sock, selectors.EVENT_READ, conn)

    def _accept(self, listener):
        while True:
            try:
                sock, addr = listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                log("accept failed: %s" % e)
                return
            sock.setblocking(True)
            sock.settimeout(SOCKET_TIMEOUT)
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
            conn = Connection(sock, addr)
            with self.sel_lock:
                self.idle[sock] = conn
                self.sel.register(sock, selectors.EVENT_READ, conn)

    def _drain_wake(self):
        try:
            while self.wake_r.recv(4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass

    def wake(self):
        try:
            self.wake_w.send(b"x")
        except (BlockingIOError, InterruptedError, OSError):
            pass  # a wake-up is already pending

    def _dispatch(self, conn):
        with self.work_ready:
            self.work.append(conn)
            self.work_ready.notify()

    def _drain(self, listener):
        """Graceful stop: no new connections; serve what has arrived; close idle ones."""
        sel = self.sel
        sel.unregister(listener)
        listener.close()
        with self.sel_lock:
            for key, _ in sel.select(timeout=0):
                if key.data not in ("listen", "wake"):
                    conn = key.data
                    sel.unregister(conn.sock)
                    del self.idle[conn.sock]
                    self._dispatch(conn)
            for conn in self.idle.values():
                sel.unregister(conn.sock)
                conn.close()
            self.idle.clear()
        deadline = time.monotonic() + self.graceful_timeout
        with self.work_ready:
            while (self.work or self.busy) and time.monotonic() < deadline:
                self.work_ready.wait(timeout=0.1)
            unfinished = len(self.work) + self.busy
        if unfinished:
            log("graceful timeout: %d request(s) still running, exiting anyway" % unfinished)
            return False
        return True

    # ---- pool threads: serve the requests a readable connection holds

    def _thread_main(self):
        while True:
            with self.work_ready:
                while not self.work:
                    self.work_ready.wait()
                conn = self.work.popleft()
                self.busy += 1
            try:
                keep = self._serve_connection(conn)
            except BaseException:  # never lose a pool thread
                traceback.print_exc()
                keep = False
            if keep and not self.stopping.is_set():
                self._keep(conn)
            else:
                conn.close()
            with self.work_ready:
                self.busy -= 1
                self.work_ready.notify_all()

    def _serve_connection(self, conn):
        """Serves requests while bytes are buffered; True to keep the connection alive."""
        while True:
            try:
                keep = self._serve_one(conn)
            except ClientGone:
                return False
            if not keep or self.stopping.is_set():
                return False
            if not conn.buf:
                return True

    def _serve_one(self, conn):
        try:
            request = read_request_head(conn)
        except BadRequest as e:
            send_error(conn, e.status, str(e))
            return False
        if request is None:
            return False
        version = request.version
        connection = (request.header("connection") or "").lower()
        if version == "HTTP/1.1":
            keep_alive = "close" not in connection
        else:
            keep_alive = "keep-alive" in connection
        if self.stopping.is_set():
            keep_alive = False
        response = Response(conn, request, keep_alive)
        try:
            body = make_body(conn, request, response)
        except BadRequest as e:
            send_error(conn, e.status, str(e))
            return False
        response.body = body
        environ = self.make_environ(conn, request, body)
        self.run_app(environ, response)
        if not response.keep_alive:
            return False
        try:
            return body.drain(MAX_BODY_DRAIN)
        except BadRequest:
            return False

    def make_environ(self, conn, request, body):
        target = request.target
        if target.startswith(("http://", "https://")):
            rest = target.split("://", 1)[1]
            target = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
        path, _, query = target.partition("?")
        path = path.partition("#")[0]
        peer = conn.addr[0] if isinstance(conn.addr, tuple) else ""
        host = request.header("host")
        server_name, server_port = self.host, str(self.port)
        if host:
            if host.startswith("["):  # an IPv6 literal: [::1]:8080
                end = host.find("]") + 1
                name, port = host[:end], host[end + 1 :] if host[end : end + 1] == ":" else ""
            else:
                name, _, port = host.partition(":")
            server_name = name
            server_port = port if port.isdigit() else "80"
        environ = {
            "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": os.environ.get("SCRIPT_NAME", ""),
            "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
            "QUERY_STRING": query,
            "RAW_URI": request.target,
            "SERVER_NAME": server_name,
            "SERVER_PORT": server_port,
            "SERVER_PROTOCOL": request.version,
            "REMOTE_ADDR": peer,
            "REMOTE_PORT": str(conn.addr[1]) if isinstance(conn.addr, tuple) else "",
            "SERVER_SOFTWARE": "pylon-worker",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": body,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "wsgi.file_wrapper": FileWrapper,
            "wsgi.input_terminated": True,
        }
        script_name = environ["SCRIPT_NAME"]
        if script_name and environ["PATH_INFO"].startswith(script_name):
            environ["PATH_INFO"] = environ["PATH_INFO"][len(script_name) :]
        for name, value in request.headers:
            if "_" in name:
                continue  # X_Foo would be indistinguishable from X-Foo (header smuggling)
            if name == "content-type":
                environ["CONTENT_TYPE"] = value
                continue
            if name == "content-length":
                environ["CONTENT_LENGTH"] = value
                continue
            key = "HTTP_" + name.upper().replace("-", "_")
            if key in environ:
                environ[key] += "," + value
            else:
                environ[key] = value
        environ.setdefault("CONTENT_TYPE", "")
        environ.setdefault("CONTENT_LENGTH", "")
        if "HTTP_TRANSFER_ENCODING" in environ:
            environ["CONTENT_LENGTH"] = ""
        proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
        if proto == "https" and peer in LOOPBACK_PEERS:
            environ["wsgi.url_scheme"] = "https"
        return environ

    def run_app(self, environ, response):
        result = None
        try:
            result = self.app(environ, response.start_response)
            try:
                for data in result:
                    if data:
                        response.write(data)
            finally:
                if hasattr(result, "close"):
                    result.close()
            if response.status is None:
                raise AssertionError("the app returned without calling start_response()")
            response.finish()
        except ClientGone:
            response.keep_alive = False
            raise
        except Exception:
            sys.stderr.write(
                "pylon-worker: error handling %s %s\n" % (environ["REQUEST_METHOD"], environ["RAW_URI"])
            )
            traceback.print_exc()
            sys.stderr.flush()
            response.keep_alive = False
            if not response.headers_sent:
                body = b"Internal Server Error\n"
                response.status = None
                response.start_response(
                    "500 Internal Server Error",
                    [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
                )
                response.write(body)
                response.finish()
            # else: the headers are out; only closing the connection can tell the peer.


def read_request_head(conn):
    """The request line and headers, or None when the peer closed an idle connection."""
    line = conn.read_line(MAX_REQUEST_LINE)
    while line in (b"\r\n", b"\n"):  # RFC 9112: ignore at least one empty line before a request
        line = conn.read_line(MAX_REQUEST_LINE)
    if not line:
        return None
    parts = line.decode("latin-1").rstrip("\r\n").split(" ")
    if len(parts) != 3:
        raise BadRequest(400, "malformed request line")
    method, target, version = parts
    if not version.startswith("HTTP/1."):
        raise BadRequest(505, "unsupported protocol %s" % version)
    if version not in ("HTTP/1.0", "HTTP/1.1"):
        version = "HTTP/1.1"
    headers = []
    total = 0
    while True:
        line = conn.read_line(MAX_REQUEST_LINE)
        if not line:
            raise ClientGone("connection closed inside the request head")
        if line in (b"\r\n", b"\n"):
            break
        total += len(line)
        if total > MAX_HEADER_BYTES or len(headers) >= MAX_HEADERS:
            raise BadRequest(431, "too many or too large headers")
        text = line.decode("latin-1").rstrip("\r\n")
        if text[:1] in (" ", "\t"):
            if not headers:
                raise BadRequest(400, "continuation line before any header")
            name, value = headers[-1]
            headers[-1] = (name, value + " " + text.strip())
            continue
        name, sep, value = text.partition(":")
        if not sep or not name or name != name.strip():
            raise BadRequest(400, "malformed header line")
        headers.append((name.lower(), value.strip()))
    return Request(method, target, version, headers)


def make_body(conn, request, response):
    expect = (request.header("expect") or "").lower()

    def send_continue():
        if not response.headers_sent:
            conn.send(b"HTTP/1.1 100 Continue\r\n\r\n")

    on_first_read = send_continue if expect == "100-continue" and request.version == "HTTP/1.1" else None
    encoding = request.header("transfer-encoding")
    if encoding is not None:
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        if codings != ["chunked"]:
            raise BadRequest(501, "unsupported Transfer-Encoding %r" % encoding)
        if request.header("content-length") is not None:
            response.keep_alive = False  # RFC 9112 6.3: chunked wins, and the connection ends
        return ChunkedBody(conn, on_first_read)
    length_text = request.header("content-length")
    if length_text is None:
        return LengthBody(conn, 0, None)
    values = set(v.strip() for v in length_text.split(","))
    if len(values) != 1 or not next(iter(values)).isdigit():
        raise BadRequest(400, "bad Content-Length %r" % length_text)
    length = int(values.pop())
    return LengthBody(conn, length, on_first_read if length else None)


def send_error(conn, status, message):
    body = ("%d %s: %s\n" % (status, STATUS_REASONS.get(status, "Error"), message)).encode("latin-1", "replace")
    head = "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (
        status,
        STATUS_REASONS.get(status, "Error"),
        len(body),
    )
    try:
        conn.send(head.encode("latin-1") + body)
    except ClientGone:
        pass


def load_app(spec, directory):
    module_name, sep, attr = spec.partition(":")
    if not sep:
        attr = "application"
    if not module_name or not attr:
        raise ValueError("--app must look like MODULE:ATTR, got %r" % spec)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    module = importlib.import_module(module_name)
    call = attr.endswith("()")
    obj = module
    for part in (attr[:-2] if call else attr).split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise AttributeError("module %r has no attribute %r (from --app %s)" % (module_name, attr, spec))
    if call:
        obj = obj()
    if not callable(obj):
        raise TypeError("%s is not callable, so it is not a WSGI app" % spec)
    return obj


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="pylon_worker.py", description="Pylon's built-in WSGI worker")
    parser.add_argument("--app", required=True, help="MODULE:ATTR of the WSGI callable")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--chdir", default=None, help="directory to change to and import from")
    parser.add_argument(
        "--graceful-timeout", type=float, default=30.0, help="seconds to finish requests after SIGTERM"
    )
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error("--threads must be at least 1")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.chdir:
        os.chdir(args.chdir)
    directory = os.getcwd()
    try:
        app = load_app(args.app, directory)
    except BaseException:
        traceback.print_exc()
        log("failed to load the app %s from %s" % (args.app, directory))
        sys.stderr.flush()
        return EXIT_APP_IMPORT_FAILED

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((args.host, args.port))
        listener.listen(1024)
    except OSError as e:
        log("cannot listen on %s:%d: %s" % (args.host, args.port, e))
        return EXIT_BIND_FAILED
    listener.setblocking(False)

    worker = Worker(app, args.app, args.host, args.port, args.threads, args.graceful_timeout)

    def stop(signum, frame):
        if not worker.stopping.is_set():
            log("%s: finishing in-flight requests, then exiting" % signal.Signals(signum).name)
        worker.stopping.set()
        worker.wake()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log("serving %s on %s:%d with %d threads" % (args.app, args.host, args.port, args.threads))
    clean = worker.serve(listener)
    # A repeated SIGTERM during interpreter shutdown must not turn a clean exit into a kill.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.stdout.flush()
    sys.stderr.flush()
    if not clean:
        os._exit(0)  # pool threads stuck in the app must not hold the exit
    return 0


if __name__ == "__main__":
    sys.exit(main())
