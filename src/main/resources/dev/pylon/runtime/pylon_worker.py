"""Pylon's built-in WSGI worker: hosts one WSGI app and speaks HTTP/1.1 to Pylon's router.

Standard library only, Python 3.8+. Usage:

    python pylon_worker.py --app MODULE:ATTR --host 127.0.0.1 --port N --threads 8 [--chdir DIR]

Shape (leader/followers): of the --threads pool threads, one at a time is the leader. It owns
the poller that watches the listening socket and every keep-alive connection, and serves a
readable connection's requests itself, on the spot: no hand-off to another thread, no
re-registering the connection, no GIL ping-pong. A watchdog notices a request that has kept
the leader for longer than one tick (slow or blocking app code, a slow client): it takes that
connection out of the poller and makes an idle thread the leader, so the others keep being
served while it runs. Up to --threads requests therefore run in the app at once, as in
gunicorn's gthread worker; a fast app pays for none of it. An idle connection never pins a
thread.

Exit status: 0 after SIGTERM/SIGINT and a graceful drain, 2 on bad arguments, 3 when the app
cannot be imported (nothing is bound in that case), 4 when the port cannot be bound.
"""

import argparse
import importlib
import os
import select
import signal
import socket
import struct
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
SOCKET_TIMEOUT = 60
KEEPALIVE_IDLE_TIMEOUT = 75.0
READ_BLOCK = 65536
# Below this a response is joined into one buffer for one send(); above it, sendmsg() gathers
# the pieces without copying the body.
JOIN_LIMIT = 16384
# How long a request may hold the leader before another thread takes over the poller. A hello
# request takes ~50 us, a typical Flask one under 1 ms; waiting on a database or a slow client
# is what this is for.
LEADER_TICK = 0.005
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


def blocking_with_timeout(sock, seconds):
    """A blocking socket whose reads and writes give up after seconds.

    The kernel's SO_RCVTIMEO/SO_SNDTIMEO rather than socket.settimeout(): with the latter
    CPython polls before every recv() and send(), one more system call each.
    """
    sock.setblocking(True)
    interval = struct.pack("ll", seconds, 0)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, interval)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, interval)


class Connection(object):
    """A client socket with a read buffer that the worker controls (so pipelining is visible)."""

    __slots__ = ("sock", "fd", "addr", "buf", "idle_since")

    def __init__(self, sock, addr):
        self.sock = sock
        self.fd = sock.fileno()
        self.addr = addr
        self.buf = bytearray()
        self.idle_since = time.monotonic()

    def fill(self):
        try:
            data = self.sock.recv(READ_BLOCK)
        except OSError as e:  # socket.timeout and BlockingIOError (SO_RCVTIMEO) included
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
        except OSError as e:
            raise ClientGone(str(e))

    def send_pieces(self, pieces):
        """Sends the byte strings in order: one system call for a small response."""
        total = 0
        for piece in pieces:
            total += len(piece)
        if total <= JOIN_LIMIT or len(pieces) == 1:
            self.send(pieces[0] if len(pieces) == 1 else b"".join(pieces))
            return
        try:
            sent = self.sock.sendmsg(pieces)
            if sent < total:
                rest = memoryview(b"".join(pieces))[sent:]
                self.sock.sendall(rest)
        except OSError as e:
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
    __slots__ = ("method", "target", "version", "lines")

    def __init__(self, method, target, version, lines):
        self.method = method
        self.target = target
        self.version = version
        self.lines = lines  # the header lines, continuations folded in; parsed by make_environ


# What make_environ does with a header besides HTTP_*: the ones that frame the request.
ORDINARY, HOST, CONTENT_TYPE, CONTENT_LENGTH, CONNECTION, EXPECT, TRANSFER_ENCODING = range(7)
HEADER_ROLES = {
    "host": HOST,
    "content-type": CONTENT_TYPE,
    "content-length": CONTENT_LENGTH,
    "connection": CONNECTION,
    "expect": EXPECT,
    "transfer-encoding": TRANSFER_ENCODING,
}
# A header name as it arrives -> (its role, its environ key or None). The router sends the same
# dozen names in every request; caching spares lower(), upper() and replace() per header.
_header_names = {}
MAX_CACHED_HEADER_NAMES = 1024


def header_name(name):
    known = _header_names.get(name)
    if known is None:
        if not name or name != name.strip():
            raise BadRequest(400, "malformed header line")
        lower = name.lower()
        # X_Foo would be indistinguishable from X-Foo (header smuggling): no environ key for it
        key = None if "_" in lower else "HTTP_" + lower.upper().replace("-", "_")
        known = (HEADER_ROLES.get(lower, ORDINARY), key)
        if len(_header_names) < MAX_CACHED_HEADER_NAMES:
            _header_names[name] = known
    return known


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
        out = []
        self._body(data, out)
        if out:
            self.conn.send_pieces(out)

    def write_last(self, data):
        """The whole rest of the body at once (the app returned a list): one send with the head."""
        if self.status is None:
            raise AssertionError("the app returned without calling start_response()")
        out = []
        self._body(data, out)
        self._end(out)
        if out:
            self.conn.send_pieces(out)

    def finish(self):
        out = []
        self._end(out)
        if out:
            self.conn.send_pieces(out)

    def _body(self, data, out):
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError("the app must give bytes, got %s" % type(data).__name__)
        if not data:
            return
        if not self.headers_sent:
            out.append(self._head(False))
        if not self.body_allowed:
            return
        if self.chunked:
            out.append(b"%x\r\n" % len(data))
            out.append(data)
            out.append(b"\r\n")
        elif self.length_left is not None:
            if len(data) > self.length_left:
                data = bytes(data)[: self.length_left]  # never past the declared length
            self.length_left -= len(data)
            out.append(data)
        else:
            out.append(data)

    def _end(self, out):
        if not self.headers_sent:
            out.append(self._head(True))
        if self.chunked and self.body_allowed:
            out.append(b"0\r\n\r\n")
        if self.length_left and self.body_allowed:
            self.keep_alive = False  # the app gave less than it promised; the peer must see EOF

    def _head(self, empty):
        code = int(self.status[:3])
        has_date = False
        lines = ["HTTP/1.1 ", self.status, "\r\n"]
        for name, value in self.headers:
            lower = name.lower()
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
            elif lower == "date":
                has_date = True
            lines.append(name)
            lines.append(": ")
            lines.append(value)
            lines.append("\r\n")
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
        if not has_date:
            lines.append("Date: ")
            lines.append(http_date())
            lines.append("\r\n")
        if not self.keep_alive:
            lines.append("Connection: close\r\n")
        elif self.request.version == "HTTP/1.0":
            lines.append("Connection: keep-alive\r\n")
        lines.append("\r\n")
        head = "".join(lines).encode("latin-1")  # may fail: then nothing was sent, a 500 still can be
        self.headers_sent = True
        return head


class Worker(object):
    def __init__(self, app, app_spec, host, port, threads, graceful_timeout):
        self.app = app
        self.app_spec = app_spec
        self.host = host
        self.port = port
        self.threads = threads
        self.graceful_timeout = graceful_timeout
        self.stopping = threading.Event()
        self.poller = select.epoll()
        self.listeners = {}  # fd -> listening socket: TCP, and the Unix socket when --unix is given
        self.conns = {}  # fd -> Connection for every connection in the poller
        # One lock for the poller's registrations and the leadership below. Only the leader
        # polls; the others change registrations under this lock while it does (epoll allows it).
        self.lock = threading.Lock()
        self.idle_threads = threading.Condition(self.lock)
        self.leader = None  # the token of the pool thread that polls, or None while all are busy
        self.serving = None  # the connection the leader is serving, if it is
        self.serves = 0  # counts leader serves, so the watchdog can tell a new one from a long one
        self.busy = 0  # pool threads inside a request
        self.stopped = False  # the drain is over: pool threads exit
        self.sweep_at = time.monotonic() + 1.0
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_r.setblocking(False)
        self.wake_w.setblocking(False)
        self.environ_base = {
            "SCRIPT_NAME": os.environ.get("SCRIPT_NAME", ""),
            "SERVER_SOFTWARE": "pylon-worker",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "wsgi.file_wrapper": FileWrapper,
            "wsgi.input_terminated": True,
        }

    # ---- main thread: start the pool, wait for a signal, drain

    def serve(self, listeners):
        for listener in listeners:
            self.listeners[listener.fileno()] = listener
            self.poller.register(listener.fileno(), select.EPOLLIN)
        self.poller.register(self.wake_r.fileno(), select.EPOLLIN)
        for i in range(self.threads):
            t = threading.Thread(target=self._thread_main, name="pylon-worker-%d" % (i + 1))
            t.daemon = True
            t.start()
        watchdog = threading.Thread(target=self._watchdog, name="pylon-worker-watchdog")
        watchdog.daemon = True
        watchdog.start()
        while not self.stopping.wait(1.0):
            pass
        return self._drain()

    def wake(self):
        try:
            self.wake_w.send(b"x")
        except OSError:
            pass  # a wake-up is already pending

    def _drain(self):
        """Graceful stop: the leader closes the listener, serves what has arrived, closes idle
        connections; requests still in the app get graceful_timeout seconds."""
        self.wake()
        deadline = time.monotonic() + self.graceful_timeout
        with self.lock:
            while (not self.stopped or self.busy) and time.monotonic() < deadline:
                self.idle_threads.wait(timeout=0.1)
            unfinished = self.busy if self.stopped else max(self.busy, 1)
        if unfinished:
            log("graceful timeout: %d request(s) still running, exiting anyway" % unfinished)
            return False
        return True

    # ---- the watchdog: hands the poller on when a request keeps the leader

    def _watchdog(self):
        seen = -1
        while True:
            time.sleep(LEADER_TICK)
            with self.lock:
                if self.stopped:
                    return
                conn = self.serving
                if conn is not None and self.serves == seen:
                    # The same serve as one tick ago: take its connection out of the poller (the
                    # next leader must not see its unread bytes) and let an idle thread lead.
                    self._forget(conn)
                    self.serving = None
                    self.leader = None
                    self.idle_threads.notify()
                seen = self.serves

    # ---- pool threads: lead in turn

    def _thread_main(self):
        token = object()
        while True:
            with self.lock:
                while self.leader is not None and not self.stopped:
                    self.idle_threads.wait()
                if self.stopped:
                    return
                self.leader = token
            try:
                self._lead(token)
            except BaseException:  # never lose a pool thread
                traceback.print_exc()
                with self.lock:
                    if self.leader is token:
                        self.leader = None
                        self.idle_threads.notify()

    def _lead(self, token):
        """Polls and serves until another thread took over (this one was slow) or the drain ends."""
        poll = self.poller.poll
        conns = self.conns
        listeners = self.listeners
        wake_fd = self.wake_r.fileno()
        while True:
            stopping = self.stopping.is_set()
            if stopping and listeners:
                with self.lock:
                    for fd, listener in list(listeners.items()):
                        self.poller.unregister(fd)
                        listener.close()
                    listeners.clear()
            served_any = False
            for fd, _ in poll(0 if stopping else 1.0):
                listener = listeners.get(fd)
                if listener is not None:
                    self._accept(listener)
                    continue
                if fd == wake_fd:
                    self._drain_wake()
                    continue
                conn = conns.get(fd)
                if conn is None:
                    continue  # closed or taken out since the poll
                served_any = True
                with self.lock:
                    self.serving = conn
                    self.serves += 1
                    self.busy += 1
                try:
                    keep = self._serve_connection(conn)
                except BaseException:
                    traceback.print_exc()
                    keep = False
                if keep:
                    conn.idle_since = time.monotonic()
                with self.lock:
                    self.busy -= 1
                    demoted = self.leader is not token
                    if not demoted:
                        self.serving = None
                    if not keep or self.stopping.is_set():
                        self._forget(conn)
                        conn.close()
                    elif demoted:
                        self._remember(conn)  # it left the poller when this thread was passed over
                    if demoted:
                        self.idle_threads.notify_all()  # the drain may be waiting on busy
                        return
            if stopping and not served_any:
                self._finish_drain()
                return
            now = time.monotonic()
            if now >= self.sweep_at:
                self.sweep_at = now + 1.0
                self._sweep(now)

    def _finish_drain(self):
        with self.lock:
            for conn in list(self.conns.values()):
                self._forget(conn)
                conn.close()
            self.stopped = True
            self.leader = None
            self.idle_threads.notify_all()

    def _sweep(self, now):
        with self.lock:
            for conn in list(self.conns.values()):
                if now - conn.idle_since > KEEPALIVE_IDLE_TIMEOUT:
                    self._forget(conn)
                    conn.close()

    def _remember(self, conn):
        """Puts a connection in the poller to wait for its next request (lock held)."""
        if self.stopping.is_set():
            conn.close()
            return
        self.conns[conn.fd] = conn
        self.poller.register(conn.fd, select.EPOLLIN)

    def _forget(self, conn):
        """Takes a connection out of the poller (lock held); a no-op if it is not in it."""
        if self.conns.pop(conn.fd, None) is not None:
            try:
                self.poller.unregister(conn.fd)
            except (OSError, ValueError):
                pass

    def _accept(self, listener):
        while True:
            try:
                sock, addr = listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                log("accept failed: %s" % e)
                return
            blocking_with_timeout(sock, SOCKET_TIMEOUT)
            if sock.family != socket.AF_UNIX:
                try:
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                except OSError:
                    pass
            conn = Connection(sock, addr)
            with self.lock:
                self._remember(conn)

    def _drain_wake(self):
        try:
            while self.wake_r.recv(4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass

    # ---- serving: the requests one readable connection holds

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
            if request is None:
                return False
            environ, connection, expect, encoding, length_text = self.make_environ(conn, request)
        except BadRequest as e:
            send_error(conn, e.status, str(e))
            return False
        if request.version == "HTTP/1.1":
            keep_alive = connection is None or "close" not in connection.lower()
        else:
            keep_alive = connection is not None and "keep-alive" in connection.lower()
        if self.stopping.is_set():
            keep_alive = False
        response = Response(conn, request, keep_alive)
        try:
            body = make_body(conn, request, response, expect, encoding, length_text)
        except BadRequest as e:
            send_error(conn, e.status, str(e))
            return False
        response.body = body
        environ["wsgi.input"] = body
        self.run_app(environ, response)
        if not response.keep_alive:
            return False
        try:
            return body.drain(MAX_BODY_DRAIN)
        except BadRequest:
            return False

    def make_environ(self, conn, request):
        """The WSGI environ, and the raw Connection, Expect, Transfer-Encoding and
        Content-Length values (joined when repeated) that frame the request."""
        target = request.target
        if target[:1] != "/" and target.startswith(("http://", "https://")):
            rest = target.split("://", 1)[1]
            target = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
        path, _, query = target.partition("?")
        if "#" in path:
            path = path.partition("#")[0]
        if "%" in path or not path.isascii():
            path = unquote_to_bytes(path).decode("latin-1")
        addr = conn.addr
        if isinstance(addr, tuple):
            peer, peer_port = addr[0], str(addr[1])
        else:
            peer, peer_port = "", ""
        environ = self.environ_base.copy()
        environ["REQUEST_METHOD"] = request.method
        environ["QUERY_STRING"] = query
        environ["RAW_URI"] = request.target
        environ["SERVER_NAME"] = self.host
        environ["SERVER_PORT"] = str(self.port)
        environ["SERVER_PROTOCOL"] = request.version
        environ["REMOTE_ADDR"] = peer
        environ["REMOTE_PORT"] = peer_port
        environ["CONTENT_TYPE"] = ""
        environ["CONTENT_LENGTH"] = ""
        script_name = environ["SCRIPT_NAME"]
        if script_name and path.startswith(script_name):
            path = path[len(script_name) :]
        environ["PATH_INFO"] = path
        connection = expect = encoding = length_text = None
        for text in request.lines:
            name, sep, value = text.partition(":")
            if not sep:
                raise BadRequest(400, "malformed header line")
            role, key = header_name(name)
            value = value.strip()
            if role:
                if role == HOST:
                    if value.startswith("["):  # an IPv6 literal: [::1]:8080
                        end = value.find("]") + 1
                        server, port = value[:end], value[end + 1 :] if value[end : end + 1] == ":" else ""
                    else:
                        server, _, port = value.partition(":")
                    environ["SERVER_NAME"] = server
                    environ["SERVER_PORT"] = port if port.isdigit() else "80"
                elif role == CONTENT_TYPE:
                    environ["CONTENT_TYPE"] = value
                    continue
                elif role == CONTENT_LENGTH:
                    environ["CONTENT_LENGTH"] = value
                    length_text = value if length_text is None else length_text + "," + value
                    continue
                elif role == CONNECTION:
                    connection = value if connection is None else connection + "," + value
                elif role == EXPECT:
                    expect = value if expect is None else expect + "," + value
                else:
                    encoding = value if encoding is None else encoding + "," + value
            if key is None:
                continue
            if key in environ:
                environ[key] += "," + value
            else:
                environ[key] = value
        if encoding is not None:
            environ["CONTENT_LENGTH"] = ""
        proto = environ.get("HTTP_X_FORWARDED_PROTO")
        if proto and proto.split(",")[-1].strip().lower() == "https" and peer in LOOPBACK_PEERS:
            environ["wsgi.url_scheme"] = "https"
        return environ, connection, expect, encoding, length_text

    def run_app(self, environ, response):
        result = None
        try:
            result = self.app(environ, response.start_response)
            kind = type(result)
            if kind is list or kind is tuple:
                # Every block exists already: frame them as one, send them with the head.
                if len(result) == 1:
                    data = result[0]
                else:
                    data = b"".join(result)
                response.write_last(data)
            else:
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
                response.write_last(body)
            # else: the headers are out; only closing the connection can tell the peer.


def read_request_head(conn):
    """The request line and headers, or None when the peer closed an idle connection."""
    buf = conn.buf
    if not buf:
        if not conn.fill():
            return None
        buf = conn.buf
    end = buf.find(b"\r\n\r\n")
    if 0 < end <= MAX_HEADER_BYTES and buf[0] != 10 and buf[0] != 13:
        # The usual case: the whole head arrived at once with CRLF line ends; split it in one go.
        text = buf[:end].decode("latin-1")
        if text.count("\n") == text.count("\r\n"):
            del buf[: end + 4]
            lines = text.split("\r\n")
            return parse_head(lines[0], lines[1:])
    return read_request_head_by_lines(conn)


def read_request_head_by_lines(conn):
    """read_request_head for a head that is not all there yet, or has bare LF line ends."""
    line = conn.read_line(MAX_REQUEST_LINE)
    while line in (b"\r\n", b"\n"):  # RFC 9112: ignore at least one empty line before a request
        line = conn.read_line(MAX_REQUEST_LINE)
    if not line:
        return None
    request_line = line.decode("latin-1").rstrip("\r\n")
    lines = []
    total = 0
    while True:
        line = conn.read_line(MAX_REQUEST_LINE)
        if not line:
            raise ClientGone("connection closed inside the request head")
        if line in (b"\r\n", b"\n"):
            break
        total += len(line)
        if total > MAX_HEADER_BYTES or len(lines) >= MAX_HEADERS:
            raise BadRequest(431, "too many or too large headers")
        lines.append(line.decode("latin-1").rstrip("\r\n"))
    return parse_head(request_line, lines)


def parse_head(request_line, lines):
    parts = request_line.split(" ")
    if len(parts) != 3:
        raise BadRequest(400, "malformed request line")
    method, target, version = parts
    if version != "HTTP/1.1" and version != "HTTP/1.0":
        if not version.startswith("HTTP/1."):
            raise BadRequest(505, "unsupported protocol %s" % version)
        version = "HTTP/1.1"
    if len(lines) > MAX_HEADERS:
        raise BadRequest(431, "too many or too large headers")
    for text in lines:
        if text[:1] in (" ", "\t"):
            lines = fold_continuations(lines)
            break
    return Request(method, target, version, lines)


def fold_continuations(lines):
    """Obsolete line folding (RFC 9112 5.2): a line starting with SP or HT continues the last."""
    folded = []
    for text in lines:
        if text[:1] in (" ", "\t"):
            if not folded:
                raise BadRequest(400, "continuation line before any header")
            folded[-1] = folded[-1].rstrip() + " " + text.strip()
        else:
            folded.append(text)
    return folded


def make_body(conn, request, response, expect, encoding, length_text):
    def send_continue():
        if not response.headers_sent:
            conn.send(b"HTTP/1.1 100 Continue\r\n\r\n")

    continues = expect is not None and expect.lower() == "100-continue" and request.version == "HTTP/1.1"
    on_first_read = send_continue if continues else None
    if encoding is not None:
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        if codings != ["chunked"]:
            raise BadRequest(501, "unsupported Transfer-Encoding %r" % encoding)
        if length_text is not None:
            response.keep_alive = False  # RFC 9112 6.3: chunked wins, and the connection ends
        return ChunkedBody(conn, on_first_read)
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


def listen_unix(path):
    """A listening Unix socket at path (a stale one left by a killed instance is replaced)."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as e:
        log("cannot replace %s: %s" % (path, e))
        return None
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        unix.bind(path)
        unix.listen(1024)
    except OSError as e:
        log("cannot listen on %s: %s" % (path, e))
        unix.close()
        return None
    unix.setblocking(False)
    return unix


def rehearse():
    """One request through the worker's own parsing, environ and response code (never the app's:
    a stand-in answers it) over a socket pair, and one pool thread started and joined. A zygote's
    spare runs it while idle, so that the copy-on-write faults and first-run work of these paths
    are paid before a request waits on the instance, not after."""
    ours, theirs = socket.socketpair()
    try:
        blocking_with_timeout(ours, 1)
        theirs.sendall(
            b"GET /rehearsal?x=1 HTTP/1.1\r\nHost: localhost\r\nUser-Agent: pylon\r\n"
            b"Accept: */*\r\nX-Forwarded-For: 127.0.0.1\r\n\r\n"
        )

        def stand_in(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
            return [b"ok"]

        worker = Worker(stand_in, "rehearsal:app", "127.0.0.1", 0, 1, 1.0)
        try:
            worker._serve_one(Connection(ours, ("127.0.0.1", 0)))
        finally:
            worker.poller.close()
            worker.wake_r.close()
            worker.wake_w.close()
        theirs.recv(READ_BLOCK)
        thread = threading.Thread(target=lambda: None)
        thread.start()
        thread.join()
    finally:
        ours.close()
        theirs.close()


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="pylon_worker.py", description="Pylon's built-in WSGI worker")
    parser.add_argument("--app", required=True, help="MODULE:ATTR of the WSGI callable")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    parser.add_argument(
        "--unix", default=None, help="also serve on this Unix socket path (the router's way in)"
    )
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
    listeners = [listener]
    if args.unix:
        unix = listen_unix(args.unix)
        if unix is None:
            return EXIT_BIND_FAILED
        listeners.append(unix)

    worker = Worker(app, args.app, args.host, args.port, args.threads, args.graceful_timeout)

    def stop(signum, frame):
        if not worker.stopping.is_set():
            log("%s: finishing in-flight requests, then exiting" % signal.Signals(signum).name)
        worker.stopping.set()
        worker.wake()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log("serving %s on %s:%d with %d threads" % (args.app, args.host, args.port, args.threads))
    if args.unix:
        log("also serving on unix:%s" % args.unix)
    clean = worker.serve(listeners)
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
