"""Pylon's per-instance supervisor (as conmon or containerd-shim are for a container).

    python3 pylon_shim.py RECORD_DIR -- COMMAND [ARG...]

Starts COMMAND as the leader of a session of its own, writes its pid to RECORD_DIR/pid, passes
on the signals a supervisor sends (TERM, INT, HUP, QUIT, USR1, USR2) to the command's process
group, waits for it, writes how it ended to RECORD_DIR/exit (the exit status, or minus the
signal that killed it) and exits with the same status. It has no other job, so it cannot fail
while the app runs: the instance's output goes straight to the files its stdout and stderr
already are, and the shim outlives the daemon that started it, so the next daemon can read what
became of the instance although it is not its parent.
"""

import os
import signal
import sys

FORWARDED = ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2")


def write_atomically(path, text):
    temp = path + ".tmp"
    with open(temp, "w") as f:
        f.write(text)
    os.replace(temp, path)


def main(argv):
    if len(argv) < 4 or argv[2] != "--":
        sys.stderr.write("usage: pylon_shim.py RECORD_DIR -- COMMAND [ARG...]\n")
        return 2
    record, command = argv[1], argv[3:]
    try:
        os.setsid()  # out of the daemon's terminal and process group: its Ctrl-C is not ours
    except OSError:
        pass
    # Blocked until the child's handlers are in place, so no signal is lost or reaches the
    # shim's default action (death) in between.
    signals = [getattr(signal, name) for name in FORWARDED]
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    pid = os.fork()
    if pid == 0:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
        os.setsid()
        try:
            os.execvp(command[0], command)
        except OSError as e:
            sys.stderr.write("pylon: cannot run %s: %s\n" % (command[0], e.strerror))
            os._exit(127)

    def forward(signum, _frame):
        try:
            os.killpg(pid, signum)
        except OSError:  # not yet its own group, or gone
            try:
                os.kill(pid, signum)
            except OSError:
                pass

    for signum in signals:
        signal.signal(signum, forward)
    write_atomically(os.path.join(record, "pid"), "%d\n" % pid)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    write_atomically(os.path.join(record, "exit"), "%d\n" % code)
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
