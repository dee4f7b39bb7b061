"""An HTTP/1.1 server that loses the keep-alive race on purpose, for the router's tests.

    python3 keepalive_race.py MODE PORT

It answers the first request on each connection and keeps the connection open. When the next
request on that connection arrives, MODE says what it does:
  reset  closes the connection with the request unread, as a server whose keep-alive timeout
         ran out just as the request came (the kernel answers with a TCP reset);
  crash  reads the whole request, then closes without answering, as an app that died while
         handling it (a clean close: the request may have been acted on).
"""
import socket
import sys
import threading

MODE = sys.argv[1]
PORT = int(sys.argv[2])


def read_request(f):
    line = f.readline()
    if not line.strip():
        return None
    length = 0
    while True:
        header = f.readline()
        if header in (b"\r\n", b"\n", b""):
            break
        name, _, value = header.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    body = f.read(length) if length else b""
    return line.split(b" ")[0], body


def serve(conn):
    f = conn.makefile("rb")
    try:
        request = read_request(f)
        if request is None:
            return
        method, body = request
        out = b"%s len=%d\n" % (method, len(body))
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s"
            % (len(out), out)
        )
        if MODE == "reset":
            conn.recv(1, socket.MSG_PEEK)  # the next request is here: leave it unread
        else:
            read_request(f)
    finally:
        f.close()
        conn.close()


server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", PORT))
server.listen(64)
while True:
    connection, _ = server.accept()
    threading.Thread(target=serve, args=(connection,), daemon=True).start()
