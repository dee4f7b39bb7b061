"""Pylon's zygote: a template process that has imported a revision's app and forks instances of it.

Started by Pylon's ZygoteLauncher with the command line of one instance of the revision, it imports
what a cold start of that command would import (the built-in WSGI or ASGI worker and the app
module, or gunicorn and the app module), then listens on a Unix domain socket. Each instance is
asked for with three connections that share an id, each starting with one JSON line:

    {"role": "out", "id": ID}              becomes the instance's stdout (fd 1)
    {"role": "err", "id": ID}              becomes the instance's stderr (fd 2)
    {"role": "fork", "id": ID, "argv": [...], "env": {...}, "cwd": DIR, "cgroups": [FILE, ...]}

The zygote hands the request to a spare fork it made ahead of time while idle (or forks now when
it has none); the child becomes the leader of a session of its own, dies with the zygote
(PR_SET_PDEATHSIG), writes its pid into each cgroup.procs file named, takes the environment and
working directory it was given, and answers {"pid": N} on the fork connection (or {"error": ...} if
any of that failed, before any of the app's code ran), then runs the instance's command line with
the imports already done; {"listening": true} follows once it listens on its PORT (under gunicorn:
once gunicorn's worker has loaded the app). When it exits, the zygote answers {"status": S} on the same connection:
the exit status, or minus the signal that killed it.

Standard library only. Code that must not share state with its parent (database connections,
client sockets, threads) registers with os.register_at_fork(after_in_child=...): os.fork runs it in
every instance before the instance's command line.
"""

import errno
import importlib
import importlib.util
import json
import os
import selectors
import signal
import socket
import sys
import time
import traceback

PR_SET_PDEATHSIG = 1
EXIT_SETUP_FAILED = 125
HEADER_LIMIT = 1 << 20
SPARE_AFTER = 0.2  # seconds without a request before the next spare fork is made


def log(message):
    sys.stderr.write("pylon-zygote[%d]: %s\n" % (os.getpid(), message))
    sys.stderr.flush()


class Kind(object):
    """How the instance command runs once forked: what the template imports, what the child calls."""

    def __init__(self, argv):
        self.argv = list(argv)
        self.run = None

    def rehearse(self):
        """In a spare, while nothing waits for it: walks the steps an instance takes before it
        listens (the environment, a header's JSON, argument parsing, a socket) with the template's
        own values, so their copy-on-write page faults and the interpreter's first-run work are paid
        now rather than on a request. Nothing of it is kept."""
        environment = dict(os.environ)
        os.environ.update(environment)
        json.loads(json.dumps({"argv": self.argv, "env": environment, "cwd": os.getcwd()}))
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()

    @staticmethod
    def of(argv):
        """argv is an instance command without the interpreter: SCRIPT ARGS... or -m gunicorn ARGS..."""
        if len(argv) >= 2 and argv[0] == "-m" and argv[1] == "gunicorn":
            return Gunicorn(argv)
        if argv and os.path.basename(argv[0]).startswith(("pylon_worker", "pylon_asgi_worker")):
            return BuiltinWorker(argv)
        raise ValueError("the zygote cannot run %r" % (argv[:2],))


class BuiltinWorker(Kind):
    """Pylon's WSGI or ASGI worker: its main(argv) is the seam; the app module is imported first."""

    def preload(self):
        script = self.argv[0]
        sys.path[0] = os.path.dirname(os.path.abspath(script))
        spec = importlib.util.spec_from_file_location("pylon_zygote_worker", script)
        self.worker = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(self.worker)
        args = self.worker.parse_args(self.argv[1:])
        directory = os.path.abspath(args.chdir or os.getcwd())
        if directory not in sys.path:
            sys.path.insert(0, directory)
        module = args.app.partition(":")[0]
        previous = os.getcwd()
        os.chdir(directory)
        try:
            importlib.import_module(module)  # the worker's load_app finds it in sys.modules
        finally:
            os.chdir(previous)
        return module

    def rehearse(self):
        Kind.rehearse(self)
        self.worker.parse_args(self.argv[1:])
        if hasattr(self.worker, "rehearse"):  # the WSGI worker; the ASGI one has its own loop
            self.worker.rehearse()

    def start(self, argv, ready):
        listening_on(os.environ.get("PORT", ""), ready)
        return self.worker.main(argv[1:])


class Gunicorn(Kind):
    """gunicorn's own arbiter and worker, with gunicorn and the app module imported before the fork."""

    def preload(self):
        sys.path.insert(0, os.getcwd())  # as `python -m` does
        sys.argv = ["gunicorn"] + self.argv[2:]
        from gunicorn.app.wsgiapp import WSGIApplication
        import gunicorn.arbiter  # noqa: F401
        import gunicorn.glogging  # noqa: F401
        import gunicorn.workers.sync  # noqa: F401

        try:
            import gunicorn.workers.gthread  # noqa: F401
        except ImportError:
            pass
        application = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]")
        application.load_wsgiapp()  # gunicorn's worker imports it again: from sys.modules
        return application.app_uri

    def start(self, argv, ready):
        sys.argv = ["gunicorn"] + argv[2:]
        from gunicorn.app.wsgiapp import WSGIApplication

        application = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]")
        # The arbiter listens before its worker can answer: the instance is ready once the worker
        # has loaded the app (gunicorn's post_worker_init hook, after the user's own if any).
        users = application.cfg.post_worker_init

        def post_worker_init(worker):
            users(worker)
            ready()

        application.cfg.set("post_worker_init", post_worker_init)
        application.run()
        return 0


def read_header(conn):
    conn.settimeout(5.0)
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            raise ValueError("the connection closed before its header ended")
        data += chunk
        if len(data) > HEADER_LIMIT:
            raise ValueError("header too long")
    conn.settimeout(None)
    return json.loads(data.decode("utf-8"))


def send_line(conn, message):
    try:
        conn.sendall((json.dumps(message) + "\n").encode("utf-8"))
    except OSError:
        pass  # the launcher has gone; the instance is killed with it anyway


def parent_death_signal():
    """prctl(2) from libc, loaded before any fork so that a child pays nothing for it."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)

    def set_it():
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")

    return set_it




class Zygote(object):
    def __init__(self, path, kind):
        self.path = path
        self.kind = kind
        self.pending = {}  # id -> {"out": sock, "err": sock}
        self.children = {}  # pid -> fork connection
        self.spare = None  # (pid, socket): a fork made ahead, waiting for an instance's request
        self.stopping = False
        self.set_parent_death_signal = parent_death_signal()
        self.selector = selectors.DefaultSelector()
        self.wake_read, self.wake_write = socket.socketpair()
        self.wake_read.setblocking(False)
        self.wake_write.setblocking(False)

    def listen(self):
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        temp = self.path + ".%d" % os.getpid()
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        listener.bind(temp)
        listener.listen(128)
        os.rename(temp, self.path)  # connectable from the moment the name exists
        self.listener = listener

    def serve(self):
        signal.set_wakeup_fd(self.wake_write.fileno())
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        self.selector.register(self.listener, selectors.EVENT_READ, "accept")
        self.selector.register(self.wake_read, selectors.EVENT_READ, "wake")
        self.make_spare()
        while not self.stopping:
            events = self.selector.select(timeout=SPARE_AFTER if self.spare is None else 1.0)
            for key, _ in events:
                if key.data == "accept":
                    self.accept()
                else:
                    try:
                        while self.wake_read.recv(4096):
                            pass
                    except BlockingIOError:
                        pass
            self.reap()
            if not events and self.spare is None and not self.stopping:
                self.make_spare()  # when nothing else is asked of the zygote
        try:
            os.unlink(self.path)
        except OSError:
            pass
        return 0

    def stop(self, signum, frame):
        self.stopping = True

    def accept(self):
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        try:
            header = read_header(conn)
            role, ident = header["role"], str(header["id"])
        except (OSError, ValueError, KeyError, TypeError) as e:
            log("dropped a connection: %s" % e)
            conn.close()
            return
        if role in ("out", "err"):
            self.pending.setdefault(ident, {})[role] = conn
            return
        if role != "fork":
            conn.close()
            return
        streams = self.pending.pop(ident, {})
        if "out" not in streams or "err" not in streams:
            send_line(conn, {"error": "its stdout and stderr connections did not arrive first"})
            conn.close()
            for stream in streams.values():
                stream.close()
            return
        out, err = streams["out"], streams["err"]
        pid = self.hand_to_spare(header, conn, out, err) or self.fork(header, conn, out, err)
        out.close()
        err.close()
        self.children[pid] = conn

    def make_spare(self):
        """Forks the next instance ahead of time: a new process waits for the CPU behind every
        runnable one, while a sleeper that is woken runs at once, so the fork is done while idle."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        sys.stdout.flush()
        sys.stderr.flush()
        zygote = os.getpid()
        pid = os.fork()
        if pid == 0:
            ours.close()
            self.run_child(zygote, lambda: self.await_instance(theirs))
        theirs.close()
        self.spare = (pid, ours)

    def await_instance(self, channel):
        """In the spare: blocks until the zygote hands it an instance, then becomes it."""
        try:
            self.kind.rehearse()
        except BaseException as e:  # a rehearsal only warms up: what fails here fails for real later
            log("the spare's rehearsal failed: %s" % e)
        try:
            message, fds, _, _ = socket.recv_fds(channel, HEADER_LIMIT, 3)
        except OSError:
            return 0
        if not message or len(fds) != 3:
            return 0  # the zygote ended or gave up on its spare
        channel.close()
        out, err, conn = (socket.socket(fileno=fd) for fd in fds)
        return self.become_instance(json.loads(message.decode("utf-8")), conn, out, err)

    def hand_to_spare(self, header, conn, out, err):
        """The spare's pid once it has the instance's request, or None (no spare: fork now)."""
        if self.spare is None:
            return None
        pid, channel = self.spare
        self.spare = None
        try:
            socket.send_fds(
                channel, [json.dumps(header).encode("utf-8")], [out.fileno(), err.fileno(), conn.fileno()]
            )
        except OSError as e:
            log("the spare fork %d is gone (%s): forking now" % (pid, e))
            return None
        finally:
            channel.close()
        return pid

    def fork(self, header, conn, out, err):
        sys.stdout.flush()
        sys.stderr.flush()
        zygote = os.getpid()
        pid = os.fork()
        if pid == 0:
            self.run_child(zygote, lambda: self.become_instance(header, conn, out, err))
        return pid

    def run_child(self, zygote, body):
        """In a forked child: leaves the zygote behind, runs body, and never returns."""
        status = EXIT_SETUP_FAILED
        try:
            self.detach(zygote)
            status = body()
        except SystemExit as e:
            status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException:
            traceback.print_exc()
            status = 1
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(status)

    def detach(self, zygote):
        """Its own session, killed with the zygote, and none of the zygote's sockets or handlers."""
        os.setsid()
        self.set_parent_death_signal()
        if os.getppid() != zygote:
            os._exit(EXIT_SETUP_FAILED)  # the zygote ended during the fork
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, signal.SIG_DFL)
        self.selector.close()
        self.listener.close()
        self.wake_read.close()
        self.wake_write.close()
        for streams in self.pending.values():
            for stream in streams.values():
                stream.close()
        for other in self.children.values():
            other.close()
        if self.spare is not None:
            self.spare[1].close()

    def become_instance(self, header, conn, out, err):
        """In the child: set up as a fresh start would be, say the pid, run the command."""
        try:
            pid = str(os.getpid())
            for procs in header.get("cgroups", []):
                with open(procs, "w") as f:
                    f.write(pid)
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            out.close()
            err.close()
            os.chdir(header["cwd"])
            os.environ.clear()
            os.environ.update(header["env"])
            argv = list(header["argv"])
        except BaseException as e:
            send_line(conn, {"error": "%s: %s" % (type(e).__name__, e)})
            conn.close()
            return EXIT_SETUP_FAILED
        send_line(conn, {"pid": os.getpid()})

        def ready():
            send_line(conn, {"listening": True})
            conn.close()

        sys.argv = argv
        return self.kind.start(argv, ready)

    def reap(self):
        while True:
            try:
                pid, wait_status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if self.spare is not None and self.spare[0] == pid:
                self.spare[1].close()
                self.spare = None  # made again once the zygote is idle
            conn = self.children.pop(pid, None)
            if conn is not None:
                send_line(conn, {"status": os.waitstatus_to_exitcode(wait_status)})
                conn.close()


def listening_on(port, ready):
    """Calls ready() once a socket listens on the instance's port (the start-up probe then runs at
    once). Servers that listen from C (uvloop) are not seen: their probe runs at its interval."""
    original = socket.socket.listen

    def listen(sock, *args):
        original(sock, *args)
        try:
            seen = sock.family in (socket.AF_INET, socket.AF_INET6) and str(sock.getsockname()[1]) == port
        except OSError:
            seen = False
        if seen:
            socket.socket.listen = original
            ready()

    socket.socket.listen = listen


def resident_mib():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // (1 << 20)
    except (OSError, ValueError):
        return -1


def main(argv):
    if len(argv) < 4 or argv[0] != "--socket" or argv[2] != "--":
        log("usage: pylon_zygote.py --socket PATH -- SCRIPT|-m gunicorn ARGS...")
        return 2
    path, command = argv[1], argv[3:]
    began = time.monotonic()
    try:
        kind = Kind.of(command)
        what = kind.preload()
    except BaseException:
        traceback.print_exc()
        log("could not import the app: instances start cold")
        return 3
    zygote = Zygote(path, kind)
    zygote.listen()
    log(
        "ready: imported %s in %.0f ms, holding %d MiB"
        % (what, (time.monotonic() - began) * 1000, resident_mib())
    )
    return zygote.serve()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
