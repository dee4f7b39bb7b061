"""Pylon's built-in ASGI worker: hosts one ASGI app and speaks HTTP/1.1 and WebSockets to Pylon's router.

Standard library only (asyncio), Python 3.8+; uvloop's event loop is used when it is installed.
Usage:

    python pylon_asgi_worker.py --app MODULE:ATTR --host 127.0.0.1 --port N [--chdir DIR]
        [--factory] [--uds PATH] [--graceful-timeout S] [--lifespan auto|on|off]
        [--loop auto|asyncio|uvloop]

Shape: one event loop, one asyncio.Protocol per connection, one request cycle at a time per
connection (pipelined requests wait in the read buffer). Reading pauses while the app has not
taken the body it was sent (backpressure towards the client); the app's sends wait while the
transport's write buffer is above its high-water mark (backpressure towards the app).

Lifespan (ASGI lifespan 2.0): startup runs before the port is bound, so an app whose startup
fails is never routed to; shutdown runs after the last in-flight request. With `--lifespan auto`
(the default, as in uvicorn) an app that raises on the lifespan scope before saying anything is
taken as not supporting it.

Exit status: 0 after SIGTERM/SIGINT and a graceful drain, 2 on bad arguments, 3 when the app
cannot be imported, 4 when the port cannot be bound, 5 when the app's lifespan startup failed.
"""

import argparse
import asyncio
import base64
import hashlib
import importlib
import inspect
import os
import re
import signal
import socket
import struct
import sys
import time
import traceback
from email.utils import formatdate
from urllib.parse import unquote_to_bytes

EXIT_APP_IMPORT_FAILED = 3
EXIT_BIND_FAILED = 4
EXIT_STARTUP_FAILED = 5

MAX_REQUEST_LINE = 8190
MAX_HEAD_BYTES = 65536
MAX_HEADERS = 100
# Body bytes held for the app before the connection stops reading from the client.
BODY_HIGH_WATER = 1 << 20
KEEPALIVE_IDLE_TIMEOUT = 75.0
# Idle connections are looked over this often instead of holding a timer each: a timer armed and
# cancelled per request cost more than the rest of the keep-alive bookkeeping.
IDLE_SWEEP_INTERVAL = 5.0
MAX_WEBSOCKET_MESSAGE = 16 << 20
LOOPBACK_PEERS = ("127.0.0.1", "::1", "::ffff:127.0.0.1")
WEBSOCKET_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
ASGI_VERSIONS = {"version": "3.0", "spec_version": "2.3"}

REASONS = {
    100: "Continue",
    101: "Switching Protocols",
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    206: "Partial Content",
    301: "Moved Permanently",
    302: "Found",
    303: "See Other",
    304: "Not Modified",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    414: "URI Too Long",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    505: "HTTP Version Not Supported",
}

_date_cache = [0, b""]


def http_date():
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache[1] = formatdate(now, usegmt=True).encode("ascii")
        _date_cache[0] = now
    return _date_cache[1]


def log(message):
    sys.stderr.write("pylon-asgi-worker: %s\n" % message)
    sys.stderr.flush()


class BadRequest(Exception):
    def __init__(self, status, message):
        Exception.__init__(self, message)
        self.status = status


_status_lines = {}


def status_line(status):
    line = _status_lines.get(status)
    if line is None:
        reason = REASONS.get(status, "Unknown")
        line = _status_lines[status] = b"HTTP/1.1 %d %s\r\n" % (status, reason.encode("ascii"))
    return line


def error_response(status, message):
    body = ("%d %s: %s\n" % (status, REASONS.get(status, "Error"), message)).encode("latin-1", "replace")
    return (
        status_line(status)
        + b"content-type: text/plain; charset=utf-8\r\ncontent-length: %d\r\nconnection: close\r\n\r\n" % len(body)
        + body
    )


class Request(object):
    __slots__ = (
        "method",
        "target",
        "version",
        "headers",
        "keep_alive",
        "chunked",
        "length",
        "expect_continue",
        "upgrade",
        "forwarded",
    )

    def __init__(self, method, target, version, headers):
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.keep_alive = version == "HTTP/1.1"
        self.chunked = False
        self.length = 0
        self.expect_continue = False
        self.upgrade = False
        self.forwarded = False  # an X-Forwarded-Proto or -For field is present


# One header line: an RFC 9110 token, a colon, the value without its surrounding blanks. Anchored
# at each line's start, so a malformed line matches nothing and the count of matches tells.
HEADER_LINE = re.compile(rb"^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*\r?$", re.M)
# The fields the worker itself reads; every other field only passes through to the app.
FIELDS_READ = frozenset(
    (b"connection", b"transfer-encoding", b"content-length", b"expect", b"upgrade", b"x-forwarded-proto", b"x-forwarded-for")
)
# Response fields the worker reads or replaces to frame the body.
FRAMING_FIELDS = frozenset((b"content-length", b"date", b"connection", b"transfer-encoding"))
HTTP_VERSIONS = {b"HTTP/1.1": "HTTP/1.1", b"HTTP/1.0": "HTTP/1.0"}


def parse_head(head):
    """A Request from the bytes before the blank line, or BadRequest."""
    request_line, _, block = head.partition(b"\r\n")
    if len(request_line) > MAX_REQUEST_LINE:
        raise BadRequest(414, "request line longer than %d bytes" % MAX_REQUEST_LINE)
    parts = request_line.split(b" ")
    if len(parts) != 3:
        raise BadRequest(400, "malformed request line")
    raw_method, raw_target, raw_version = parts
    version = HTTP_VERSIONS.get(raw_version)
    if version is None:
        raise BadRequest(505, "unsupported %s" % raw_version.decode("latin-1"))
    if not raw_method.isalpha() or not raw_method.isupper():
        raise BadRequest(400, "bad method")
    method = raw_method.decode("ascii")
    request = Request(method, raw_target.decode("latin-1"), version, [])
    if not block:
        return request
    fields = HEADER_LINE.findall(block)
    if len(fields) > MAX_HEADERS:
        raise BadRequest(431, "more than %d header fields" % MAX_HEADERS)
    if len(fields) != block.count(b"\r\n") + 1:
        raise BadRequest(400, "malformed header line")
    headers = request.headers = [(name.lower(), value) for name, value in fields]
    connection_tokens = ()
    transfer_encoding = None
    content_length = None
    for name, value in headers:
        if name not in FIELDS_READ:
            continue
        if name == b"connection":
            connection_tokens = connection_tokens + tuple(t.strip().lower() for t in value.split(b","))
        elif name == b"transfer-encoding":
            transfer_encoding = value.lower()
        elif name == b"content-length":
            if content_length is not None or not value.isdigit():
                raise BadRequest(400, "bad Content-Length")
            content_length = int(value)
        elif name == b"expect":
            if value.lower() == b"100-continue":
                request.expect_continue = version == "HTTP/1.1"
        elif name == b"upgrade":
            if value.lower() == b"websocket":
                request.upgrade = True
        else:
            request.forwarded = True
    if connection_tokens:
        if b"close" in connection_tokens:
            request.keep_alive = False
        elif b"keep-alive" in connection_tokens:
            request.keep_alive = True
    request.upgrade = request.upgrade and b"upgrade" in connection_tokens and method == "GET"
    if transfer_encoding is not None:
        if transfer_encoding != b"chunked":
            raise BadRequest(501, "unsupported Transfer-Encoding")
        if content_length is not None:
            raise BadRequest(400, "both Transfer-Encoding and Content-Length")
        request.chunked = True
    elif content_length is not None:
        request.length = content_length
    return request


class ChunkedDecoder(object):
    """Takes chunked framing off a body, a piece at a time; trailers are read and dropped."""

    def __init__(self):
        self.remaining = -1  # bytes left in the current chunk; -1 when a size line is next
        self.need_crlf = False
        self.in_trailers = False
        self.done = False

    def feed(self, buf):
        """Body bytes decoded from the front of buf (which it consumes), until done or short."""
        out = bytearray()
        while not self.done:
            if self.in_trailers:
                i = buf.find(b"\r\n")
                if i < 0:
                    if len(buf) > MAX_HEAD_BYTES:
                        raise BadRequest(431, "trailers too large")
                    break
                line = bytes(buf[:i])
                del buf[: i + 2]
                if not line:
                    self.done = True
                continue
            if self.need_crlf:
                if len(buf) < 2:
                    break
                if buf[:2] != b"\r\n":
                    raise BadRequest(400, "chunk not followed by CRLF")
                del buf[:2]
                self.need_crlf = False
                continue
            if self.remaining < 0:
                i = buf.find(b"\r\n")
                if i < 0:
                    if len(buf) > 1024:
                        raise BadRequest(400, "chunk size line too long")
                    break
                size_text = bytes(buf[:i]).split(b";", 1)[0].strip()
                del buf[: i + 2]
                try:
                    size = int(size_text, 16)
                except ValueError:
                    raise BadRequest(400, "bad chunk size")
                if size < 0 or not size_text or size_text.startswith((b"+", b"-", b"0x", b"0X")) and size_text != b"0":
                    raise BadRequest(400, "bad chunk size")
                if size == 0:
                    self.in_trailers = True
                else:
                    self.remaining = size
                continue
            take = min(self.remaining, len(buf))
            if take == 0:
                break
            out += buf[:take]
            del buf[:take]
            self.remaining -= take
            if self.remaining == 0:
                self.remaining = -1
                self.need_crlf = True
        return bytes(out)


class Worker(object):
    """What every connection shares: the app, its lifespan state, the live connections."""

    def __init__(self, app, loop, host, port):
        self.app = app
        self.loop = loop
        self.host = host
        self.port = port
        self.state = {}
        self.connections = set()
        self.stopping = False

    def sweep_idle_connections(self):
        """Closes keep-alive connections idle past the timeout, then looks again later."""
        deadline = self.loop.time() - KEEPALIVE_IDLE_TIMEOUT
        for connection in list(self.connections):
            if connection.idle_since is not None and connection.idle_since <= deadline:
                connection.close()
        self.loop.call_later(IDLE_SWEEP_INTERVAL, self.sweep_idle_connections)

    def drained(self):
        return all(c.idle() for c in self.connections)


class HttpProtocol(asyncio.Protocol):
    def __init__(self, worker):
        self.worker = worker
        self.loop = worker.loop
        self.transport = None
        self.buf = bytearray()
        self.client = None
        self.server = None
        self.cycle = None
        self.websocket = None
        self.closed = False
        self.reading_paused = False
        self.write_paused = False
        self.write_resumed = None
        self.idle_since = None  # loop time the connection last became idle; None while busy

    # asyncio callbacks

    def connection_made(self, transport):
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        peer = transport.get_extra_info("peername")
        local = transport.get_extra_info("sockname")
        self.client = tuple(peer[:2]) if isinstance(peer, tuple) else None
        self.server = tuple(local[:2]) if isinstance(local, tuple) else (self.worker.host, self.worker.port)
        self.worker.connections.add(self)
        self.arm_idle_timer()

    def connection_lost(self, exc):
        self.closed = True
        self.worker.connections.discard(self)
        self.cancel_idle_timer()
        if self.cycle is not None:
            self.cycle.client_gone()
        if self.websocket is not None:
            self.websocket.client_gone()
        if self.write_resumed is not None and not self.write_resumed.done():
            self.write_resumed.set_result(None)

    def pause_writing(self):
        self.write_paused = True

    def resume_writing(self):
        self.write_paused = False
        if self.write_resumed is not None and not self.write_resumed.done():
            self.write_resumed.set_result(None)

    def data_received(self, data):
        self.buf += data
        if self.websocket is not None:
            self.websocket.feed()
        elif self.cycle is not None:
            self.cycle.feed_body()
        else:
            self.next_request()

    def eof_received(self):
        if self.cycle is not None:
            self.cycle.client_half_closed()
            return True  # keep the write side open for the response
        return False

    # helpers

    def idle(self):
        return self.cycle is None and self.websocket is None

    def arm_idle_timer(self):
        self.idle_since = self.loop.time()

    def cancel_idle_timer(self):
        self.idle_since = None

    def close(self):
        if not self.closed:
            self.closed = True
            self.transport.close()

    async def drain(self):
        if self.write_paused and not self.closed:
            self.write_resumed = self.loop.create_future()
            await self.write_resumed

    def pause_reading(self):
        if not self.reading_paused and not self.closed:
            self.reading_paused = True
            self.transport.pause_reading()

    def resume_reading(self):
        if self.reading_paused and not self.closed:
            self.reading_paused = False
            self.transport.resume_reading()

    def next_request(self):
        """Starts the cycle of the next complete request head in the buffer, if there is one."""
        if self.closed or self.cycle is not None or self.websocket is not None:
            return
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buf) > MAX_HEAD_BYTES:
                self.refuse(431, "request head larger than %d bytes" % MAX_HEAD_BYTES)
            elif self.buf.startswith(b"\r\n"):
                del self.buf[:2]  # RFC 9112 2.2: a stray CRLF before a request is ignored
                self.next_request()
            return
        if self.worker.stopping:
            self.close()
            return
        head = bytes(self.buf[:end])
        del self.buf[: end + 4]
        try:
            request = parse_head(head.lstrip(b"\r\n"))
        except BadRequest as e:
            self.refuse(e.status, str(e))
            return
        self.cancel_idle_timer()
        if request.upgrade:
            self.websocket = WebSocketSession(self, request)
            self.websocket.start()
            return
        self.cycle = RequestCycle(self, request)
        self.cycle.start()

    def refuse(self, status, message):
        self.transport.write(error_response(status, message))
        self.close()

    def cycle_done(self, keep_alive):
        self.cycle = None
        if not keep_alive or self.worker.stopping:
            self.close()
            return
        self.resume_reading()
        self.arm_idle_timer()
        if self.buf:
            self.next_request()


def request_scope(protocol, request, kind):
    target = request.target
    path_part, _, query = target.partition("?")
    if path_part.startswith(("http://", "https://")):
        # absolute-form: only the path and query reach the app
        after_scheme = path_part.split("://", 1)[1]
        slash = after_scheme.find("/")
        path_part = after_scheme[slash:] if slash >= 0 else "/"
    raw_path = path_part.encode("latin-1")
    scheme = "http"
    client = protocol.client
    peer = client[0] if client else None
    if request.forwarded and peer in LOOPBACK_PEERS:
        # Pylon's router is the only peer on loopback; it sets these (and strips clients' own).
        for name, value in request.headers:
            if name == b"x-forwarded-proto":
                proto = value.split(b",")[-1].strip().lower()
                if proto in (b"http", b"https"):
                    scheme = proto.decode("ascii")
            elif name == b"x-forwarded-for":
                # The router appends the address it saw, so the last entry is the client's.
                last = value.split(b",")[-1].strip().decode("latin-1")
                if last:
                    client = (last, 0)
    if kind == "websocket":
        scheme = "wss" if scheme == "https" else "ws"
    scope = {
        "type": kind,
        "asgi": ASGI_VERSIONS,
        "http_version": request.version[5:],
        "scheme": scheme,
        "path": unquote_to_bytes(path_part).decode("utf-8", "surrogateescape") if "%" in path_part or not path_part.isascii() else path_part,
        "raw_path": raw_path,
        "query_string": query.encode("latin-1"),
        "root_path": "",
        "headers": request.headers,
        "client": client,
        "server": protocol.server,
        "state": dict(protocol.worker.state),
    }
    if kind == "http":
        scope["method"] = request.method
    else:
        protocols = []
        for name, value in request.headers:
            if name == b"sec-websocket-protocol":
                protocols.extend(p.strip().decode("latin-1") for p in value.split(b",") if p.strip())
        scope["subprotocols"] = protocols
    return scope


class RequestCycle(object):
    """One HTTP request and its response: the app's receive and send."""

    def __init__(self, protocol, request):
        self.protocol = protocol
        self.request = request
        self.body = bytearray()
        self.body_done = not request.chunked and request.length == 0
        self.remaining = request.length
        self.decoder = ChunkedDecoder() if request.chunked else None
        self.body_event = None  # made when receive() first has to wait: most requests never do
        self.disconnected = False
        self.continue_sent = False
        self.body_given = False
        self.response_started = False
        self.response_done = False
        self.status = 0
        self.head = None
        self.chunked_response = False
        self.expected_length = None
        self.sent_length = 0
        self.keep_alive = request.keep_alive
        self.head_request = request.method == "HEAD"
        self.task = None

    def start(self):
        self.feed_body()
        scope = request_scope(self.protocol, self.request, "http")
        self.task = self.protocol.loop.create_task(self.run(scope))

    async def run(self, scope):
        try:
            await self.protocol.worker.app(scope, self.receive, self.send)
        except BaseException as e:  # noqa: B902 - the app's failure is logged and answered
            if isinstance(e, asyncio.CancelledError):
                raise
            log("exception in the app for %s %s:\n%s" % (self.request.method, self.request.target, traceback.format_exc().rstrip()))
            if not self.response_started and not self.disconnected:
                self.protocol.transport.write(error_response(500, "the app raised an exception"))
                self.keep_alive = False
                self.finish()
                return
        if not self.response_done:
            if not self.response_started and not self.disconnected:
                log("the app returned without a response for %s %s" % (self.request.method, self.request.target))
                self.protocol.transport.write(error_response(500, "the app sent no response"))
            self.keep_alive = False
            self.finish()

    # the request body, from the connection's buffer

    def feed_body(self):
        buf = self.protocol.buf
        if not self.body_done and buf:
            try:
                if self.decoder is not None:
                    self.body += self.decoder.feed(buf)
                    self.body_done = self.decoder.done
                else:
                    take = min(self.remaining, len(buf))
                    self.body += buf[:take]
                    del buf[:take]
                    self.remaining -= take
                    self.body_done = self.remaining == 0
            except BadRequest as e:
                self.keep_alive = False
                self.disconnected = True
                if not self.response_started:
                    self.response_started = True
                    self.protocol.transport.write(error_response(e.status, str(e)))
                self.protocol.close()
            self.wake_receiver()
        # Reading goes on while the app holds little (so a client that leaves is seen), and
        # stops while it is behind on the body or pipelined requests pile up.
        if len(self.body) > BODY_HIGH_WATER or len(buf) > MAX_HEAD_BYTES:
            self.protocol.pause_reading()

    def wake_receiver(self):
        if self.body_event is not None:
            self.body_event.set()

    async def body_arrival(self):
        if self.body_event is None:
            self.body_event = asyncio.Event()
        self.body_event.clear()
        await self.body_event.wait()

    def client_half_closed(self):
        if not self.body_done:
            self.client_gone()

    def client_gone(self):
        self.disconnected = True
        self.keep_alive = False
        self.wake_receiver()

    async def receive(self):
        if self.disconnected or self.response_done:
            return {"type": "http.disconnect"}
        if self.body_given:
            # The whole body was given: the next event is the disconnect, whenever it comes.
            while not self.disconnected and not self.response_done:
                await self.body_arrival()
            return {"type": "http.disconnect"}
        if self.request.expect_continue and not self.continue_sent and not self.response_started and not self.body_done:
            self.continue_sent = True
            self.protocol.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        while not self.body and not self.body_done and not self.disconnected:
            self.protocol.resume_reading()
            await self.body_arrival()
        if self.disconnected:
            return {"type": "http.disconnect"}
        chunk = bytes(self.body)
        self.body.clear()
        if self.body_done:
            self.body_given = True
        else:
            self.protocol.resume_reading()
        return {"type": "http.request", "body": chunk, "more_body": not self.body_done}

    # the response

    async def send(self, message):
        kind = message.get("type")
        if self.response_done:
            if kind == "http.response.body":
                return  # after a disconnect, sends are ignored (ASGI spec)
            raise RuntimeError("%s after the response was complete" % kind)
        if kind == "http.response.start":
            if self.response_started:
                raise RuntimeError("http.response.start sent twice")
            self.response_started = True
            self.status = int(message["status"])
            self.head = list(message.get("headers", ()))
            if message.get("trailers"):
                raise RuntimeError("response trailers are not supported")
            return
        if kind == "http.response.body":
            if not self.response_started:
                raise RuntimeError("http.response.body before http.response.start")
            body = message.get("body", b"")
            more = message.get("more_body", False)
            if self.disconnected:
                self.response_done = True
                return
            out = self.head_bytes(body, more) if self.head is not None else b""
            if body and not self.head_request and not self.bodyless_status():
                self.sent_length += len(body)
                if self.chunked_response:
                    out += b"%x\r\n" % len(body) + body + b"\r\n"
                else:
                    out += body
            if not more:
                if self.chunked_response:
                    out += b"0\r\n\r\n"
                if self.expected_length is not None and self.sent_length != self.expected_length and not self.head_request:
                    log("the app sent %d body bytes, its Content-Length said %d" % (self.sent_length, self.expected_length))
                    self.keep_alive = False
            if out:
                self.protocol.transport.write(out)
            if not more:
                self.finish()
            else:
                await self.protocol.drain()
            return
        raise RuntimeError("unexpected ASGI message %r in an HTTP request" % kind)

    def bodyless_status(self):
        return self.status in (204, 304) or self.status < 200

    def head_bytes(self, first_body, more):
        """The status line and headers, framed by what the first body message tells."""
        headers = self.head
        self.head = None
        parts = [status_line(self.status)]
        has_length = False
        has_date = False
        for name, value in headers:
            lname = name.lower()
            if lname not in FRAMING_FIELDS:
                parts.append(name + b": " + value + b"\r\n")
                continue
            if lname == b"content-length":
                has_length = True
                try:
                    self.expected_length = int(value)
                except ValueError:
                    raise RuntimeError("bad content-length %r from the app" % value)
            elif lname == b"date":
                has_date = True
            elif lname == b"connection" and b"close" in value.lower():
                self.keep_alive = False
            elif lname == b"transfer-encoding":
                continue  # the worker frames the body itself
            parts.append(name + b": " + value + b"\r\n")
        if not has_date:
            parts.append(b"date: " + http_date() + b"\r\n")
        if not has_length and not self.bodyless_status():
            if not more:
                if not self.head_request:
                    parts.append(b"content-length: %d\r\n" % len(first_body))
            elif self.request.version == "HTTP/1.1":
                self.chunked_response = not self.head_request
                if self.chunked_response:
                    parts.append(b"transfer-encoding: chunked\r\n")
            else:
                self.keep_alive = False  # HTTP/1.0 without a length: the close ends the body
        if not self.keep_alive:
            parts.append(b"connection: close\r\n")
        elif self.request.version == "HTTP/1.0":
            parts.append(b"connection: keep-alive\r\n")
        parts.append(b"\r\n")
        return b"".join(parts)

    def finish(self):
        if self.response_done:
            return
        self.response_done = True
        self.wake_receiver()
        # A body the app did not read: skip it if it is all here, else the connection ends.
        if not self.body_done:
            self.feed_body()
            if not self.body_done:
                self.keep_alive = False
        self.protocol.cycle_done(self.keep_alive and not self.disconnected)


class WebSocketSession(object):
    """One WebSocket (RFC 6455) connection after an Upgrade request, as the ASGI websocket scope."""

    def __init__(self, protocol, request):
        self.protocol = protocol
        self.request = request
        self.accepted = False
        self.closed_by_app = False
        self.closed = False
        self.close_code = 1005
        self.incoming = asyncio.Queue()
        self.connect_sent = False
        self.disconnect_sent = False
        self.fragments = None
        self.fragment_opcode = 0

    def start(self):
        key = None
        version = None
        for name, value in self.request.headers:
            if name == b"sec-websocket-key":
                key = value
            elif name == b"sec-websocket-version":
                version = value
        if key is None or version != b"13":
            self.protocol.websocket = None
            self.protocol.refuse(400, "a WebSocket upgrade needs Sec-WebSocket-Key and Sec-WebSocket-Version: 13")
            return
        self.key = key
        scope = request_scope(self.protocol, self.request, "websocket")
        self.protocol.loop.create_task(self.run(scope))

    async def run(self, scope):
        try:
            await self.protocol.worker.app(scope, self.receive, self.send)
        except BaseException as e:  # noqa: B902
            if isinstance(e, asyncio.CancelledError):
                raise
            log("exception in the app for WebSocket %s:\n%s" % (self.request.target, traceback.format_exc().rstrip()))
            if not self.accepted:
                self.deny(500)
                return
            self.close_transport(1011)
            return
        if not self.accepted and not self.closed:
            self.deny(403)
        elif not self.closed:
            self.close_transport(1000)

    def deny(self, status):
        self.closed = True
        self.protocol.websocket = None
        self.protocol.refuse(status, "the app did not accept the WebSocket")

    async def receive(self):
        if not self.connect_sent:
            self.connect_sent = True
            return {"type": "websocket.connect"}
        return await self.incoming.get()

    async def send(self, message):
        kind = message.get("type")
        if self.closed:
            raise RuntimeError("%s after the WebSocket closed" % kind)
        if kind == "websocket.accept":
            if self.accepted:
                raise RuntimeError("websocket.accept sent twice")
            self.accepted = True
            accept = base64.b64encode(hashlib.sha1(self.key + WEBSOCKET_GUID).digest())
            head = [b"HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: " + accept + b"\r\n"]
            if message.get("subprotocol"):
                head.append(b"sec-websocket-protocol: " + message["subprotocol"].encode("latin-1") + b"\r\n")
            for name, value in message.get("headers", ()):
                head.append(name + b": " + value + b"\r\n")
            head.append(b"\r\n")
            self.protocol.transport.write(b"".join(head))
            if self.protocol.buf:
                self.feed()
            return
        if kind == "websocket.send":
            if not self.accepted:
                raise RuntimeError("websocket.send before websocket.accept")
            if message.get("bytes") is not None:
                self.write_frame(0x2, message["bytes"])
            else:
                self.write_frame(0x1, (message.get("text") or "").encode("utf-8"))
            await self.protocol.drain()
            return
        if kind == "websocket.close":
            if not self.accepted:
                self.deny(403)
                return
            self.closed_by_app = True
            self.close_transport(int(message.get("code", 1000)), message.get("reason") or "")
            return
        raise RuntimeError("unexpected ASGI message %r on a WebSocket" % kind)

    def write_frame(self, opcode, payload):
        n = len(payload)
        if n < 126:
            head = struct.pack("!BB", 0x80 | opcode, n)
        elif n < 65536:
            head = struct.pack("!BBH", 0x80 | opcode, 126, n)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
        self.protocol.transport.write(head + bytes(payload))

    def close_transport(self, code, reason=""):
        if self.closed:
            return
        self.closed = True
        self.write_frame(0x8, struct.pack("!H", code) + reason.encode("utf-8")[:123])
        # Give the peer a moment to answer the close, then end the TCP connection.
        self.protocol.loop.call_later(1.0, self.protocol.close)

    def client_gone(self):
        self.closed = True
        self.disconnect(self.close_code)

    def disconnect(self, code):
        if not self.disconnect_sent:
            self.disconnect_sent = True
            self.incoming.put_nowait({"type": "websocket.disconnect", "code": code})

    def feed(self):
        """Decodes whole frames from the connection's buffer."""
        if not self.accepted:
            return  # frames before the accept wait in the buffer
        buf = self.protocol.buf
        while len(buf) >= 2:
            first, second = buf[0], buf[1]
            opcode = first & 0x0F
            fin = first & 0x80
            masked = second & 0x80
            length = second & 0x7F
            offset = 2
            if length == 126:
                if len(buf) < 4:
                    return
                length = struct.unpack_from("!H", buf, 2)[0]
                offset = 4
            elif length == 127:
                if len(buf) < 10:
                    return
                length = struct.unpack_from("!Q", buf, 2)[0]
                offset = 10
            if not masked or first & 0x70:
                self.fail(1002)
                return
            if length > MAX_WEBSOCKET_MESSAGE:
                self.fail(1009)
                return
            if len(buf) < offset + 4 + length:
                return
            mask = buf[offset : offset + 4]
            payload = bytearray(buf[offset + 4 : offset + 4 + length])
            del buf[: offset + 4 + length]
            if length:
                # XOR with the mask a machine word at a time.
                repeated = (bytes(mask) * (length // 4 + 1))[:length]
                payload = (int.from_bytes(payload, "little") ^ int.from_bytes(repeated, "little")).to_bytes(length, "little")
            self.frame(opcode, fin, bytes(payload))
            if self.protocol.closed:
                return

    def frame(self, opcode, fin, payload):
        if opcode == 0x9:  # ping
            if not self.closed:
                self.write_frame(0xA, payload)
            return
        if opcode == 0xA:  # pong
            return
        if opcode == 0x8:  # close
            code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
            self.close_code = code
            if not self.closed:
                self.closed = True
                self.write_frame(0x8, payload[:2])
            self.disconnect(code)
            self.protocol.close()
            return
        if opcode == 0x0:
            if self.fragments is None:
                self.fail(1002)
                return
            self.fragments += payload
            if len(self.fragments) > MAX_WEBSOCKET_MESSAGE:
                self.fail(1009)
                return
            if not fin:
                return
            opcode, payload = self.fragment_opcode, bytes(self.fragments)
            self.fragments = None
        elif opcode in (0x1, 0x2):
            if self.fragments is not None:
                self.fail(1002)
                return
            if not fin:
                self.fragments = bytearray(payload)
                self.fragment_opcode = opcode
                return
        else:
            self.fail(1002)
            return
        if opcode == 0x1:
            try:
                text = payload.decode("utf-8")
            except UnicodeDecodeError:
                self.fail(1007)
                return
            self.incoming.put_nowait({"type": "websocket.receive", "text": text})
        else:
            self.incoming.put_nowait({"type": "websocket.receive", "bytes": payload})

    def fail(self, code):
        self.close_code = code
        self.close_transport(code)
        self.disconnect(code)


class Lifespan(object):
    """The app's lifespan scope: startup before serving, shutdown after the last request."""

    def __init__(self, app, state, mode):
        self.app = app
        self.state = state
        self.mode = mode
        self.inbox = asyncio.Queue()
        self.startup_result = None
        self.shutdown_result = None
        self.unsupported = False
        self.task = None
        self.said_something = False

    async def startup(self):
        """None when the app started (or does not do lifespan), else the failure's message."""
        if self.mode == "off":
            return None
        loop = asyncio.get_running_loop()
        self.startup_result = loop.create_future()
        self.shutdown_result = loop.create_future()
        scope = {"type": "lifespan", "asgi": ASGI_VERSIONS, "state": self.state}
        self.task = loop.create_task(self.run(scope))
        await self.inbox.put({"type": "lifespan.startup"})
        return await self.startup_result

    async def run(self, scope):
        try:
            await self.app(scope, self.receive, self.send)
        except BaseException as e:  # noqa: B902
            if isinstance(e, asyncio.CancelledError):
                raise
            if not self.startup_result.done():
                if self.mode == "auto" and not self.said_something:
                    self.unsupported = True
                    log("the app does not support ASGI lifespan (%s: %s); serving without it" % (type(e).__name__, e))
                    self.startup_result.set_result(None)
                else:
                    self.startup_result.set_result("the app raised during lifespan startup:\n" + traceback.format_exc().rstrip())
            elif not self.shutdown_result.done():
                log("exception during lifespan shutdown:\n" + traceback.format_exc().rstrip())
                self.shutdown_result.set_result(None)
            return
        # An app that returns from the lifespan scope without a word does not use lifespan.
        if not self.startup_result.done():
            self.unsupported = True
            self.startup_result.set_result(None)
        if not self.shutdown_result.done():
            self.shutdown_result.set_result(None)

    async def receive(self):
        self.said_something = True
        return await self.inbox.get()

    async def send(self, message):
        self.said_something = True
        kind = message.get("type")
        if kind == "lifespan.startup.complete":
            self.startup_result.set_result(None)
        elif kind == "lifespan.startup.failed":
            self.startup_result.set_result(message.get("message") or "lifespan.startup.failed (no message)")
        elif kind == "lifespan.shutdown.complete":
            self.shutdown_result.set_result(None)
        elif kind == "lifespan.shutdown.failed":
            log("lifespan shutdown failed: %s" % (message.get("message") or "(no message)"))
            self.shutdown_result.set_result(None)
        else:
            raise RuntimeError("unexpected ASGI message %r in lifespan" % kind)

    async def shutdown(self, timeout):
        if self.task is None or self.unsupported or self.task.done():
            return
        await self.inbox.put({"type": "lifespan.shutdown"})
        try:
            await asyncio.wait_for(asyncio.shield(self.shutdown_result), timeout)
        except asyncio.TimeoutError:
            log("lifespan shutdown did not finish within %.0f s" % timeout)


def is_asgi2(app):
    """An ASGI 2 app is a class (or callable) taking only the scope, returning a coroutine taker."""
    if inspect.isclass(app):
        return True
    call = app if inspect.isfunction(app) or inspect.ismethod(app) else getattr(app, "__call__", None)
    if call is None or asyncio.iscoroutinefunction(call):
        return False
    try:
        params = [
            p
            for p in inspect.signature(call).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
        ]
    except (TypeError, ValueError):
        return False
    return len(params) == 1


def as_asgi3(app):
    if not is_asgi2(app):
        return app

    async def asgi3(scope, receive, send):
        instance = app(scope)
        await instance(receive, send)

    return asgi3


def load_app(spec, directory, factory):
    module_name, sep, attr = spec.partition(":")
    if not sep:
        attr = "app"
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
    if call or factory:
        obj = obj()
    if not callable(obj):
        raise TypeError("%s is not callable, so it is not an ASGI app" % spec)
    return as_asgi3(obj)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="pylon_asgi_worker.py", description="Pylon's built-in ASGI worker")
    parser.add_argument("--app", required=True, help="MODULE:ATTR of the ASGI app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    parser.add_argument("--uds", default=None, help="also serve on this Unix domain socket")
    parser.add_argument("--chdir", default=None, help="directory to change to and import from")
    parser.add_argument("--factory", action="store_true", help="ATTR is a function returning the app")
    parser.add_argument("--lifespan", choices=("auto", "on", "off"), default="auto")
    parser.add_argument("--loop", choices=("auto", "asyncio", "uvloop"), default="auto", help="auto: uvloop when installed")
    parser.add_argument("--graceful-timeout", type=float, default=30.0, help="seconds to finish requests after SIGTERM")
    # Accepted for the same command line as the WSGI worker; one event loop serves all requests.
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def new_event_loop(choice):
    """The event loop `--loop` asks for: uvloop's when it is installed (auto), or the one named."""
    if choice != "asyncio":
        try:
            import uvloop  # noqa: F401 - the faster loop when the environment has it

            return uvloop.new_event_loop(), "uvloop"
        except ImportError:
            if choice == "uvloop":
                raise
    return asyncio.new_event_loop(), "asyncio"


async def serve(args, app, loop_name):
    loop = asyncio.get_running_loop()
    worker = Worker(app, loop, args.host, args.port)
    worker.sweep_idle_connections()
    lifespan = Lifespan(app, worker.state, args.lifespan)
    failure = await lifespan.startup()
    if failure is not None:
        log("the app's startup failed, so it is not served: %s" % failure)
        return EXIT_STARTUP_FAILED
    try:
        servers = [
            await loop.create_server(
                lambda: HttpProtocol(worker), host=args.host, port=args.port, reuse_address=True, backlog=1024
            )
        ]
        if args.uds:
            if os.path.exists(args.uds):
                os.unlink(args.uds)
            servers.append(await loop.create_unix_server(lambda: HttpProtocol(worker), path=args.uds, backlog=1024))
    except OSError as e:
        log("cannot listen on %s:%d: %s" % (args.host, args.port, e))
        await lifespan.shutdown(5.0)
        return EXIT_BIND_FAILED
    stop = loop.create_future()

    def on_signal(signum):
        if not stop.done():
            log("%s: finishing in-flight requests, then exiting" % signal.Signals(signum).name)
            stop.set_result(signum)

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)
    where = "%s:%d" % (args.host, args.port) + (" and %s" % args.uds if args.uds else "")
    log("serving %s on %s (ASGI, %s event loop)" % (args.app, where, loop_name))
    await stop
    worker.stopping = True
    for server in servers:
        server.close()
    for connection in list(worker.connections):
        if connection.idle():
            connection.close()
        elif connection.websocket is not None and connection.websocket.accepted:
            connection.websocket.close_transport(1012)  # service restart: the client may reconnect
            connection.websocket.disconnect(1012)
    deadline = loop.time() + args.graceful_timeout
    while not worker.drained() and loop.time() < deadline:
        await asyncio.sleep(0.05)
    for connection in list(worker.connections):
        connection.close()
    await lifespan.shutdown(max(1.0, deadline - loop.time()))
    if args.uds and os.path.exists(args.uds):
        os.unlink(args.uds)
    return 0


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.chdir:
        os.chdir(args.chdir)
    directory = os.getcwd()
    try:
        app = load_app(args.app, directory, args.factory)
    except BaseException:
        traceback.print_exc()
        log("failed to load the app %s from %s" % (args.app, directory))
        sys.stderr.flush()
        return EXIT_APP_IMPORT_FAILED
    try:
        loop, loop_name = new_event_loop(args.loop)
    except ImportError:
        log("--loop uvloop: uvloop is not installed in this environment (add uvloop to the app's requirements, or use --loop auto)")
        return 2
    asyncio.set_event_loop(loop)
    try:
        status = loop.run_until_complete(serve(args, app, loop_name))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    # Tasks the app left running must not hold the exit.
    os._exit(status)


if __name__ == "__main__":
    sys.exit(main())
