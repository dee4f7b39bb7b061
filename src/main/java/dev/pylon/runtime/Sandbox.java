package dev.pylon.runtime;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs an instance under bubblewrap ({@code bwrap}): the whole file system read-only (so the
 * revision folder is too), a private writable {@code /tmp} (Cloud Run's in-memory file system),
 * {@code hidden} folders replaced by empty ones (Pylon's state, other revisions), {@code readOnly}
 * folders inside them shown again (this revision and its virtualenv), its own PID, IPC and UTS
 * namespaces, and death with its parent. The network is shared: the router reaches the instance on
 * 127.0.0.1.
 *
 * @param hidden folders the instance must not see (e.g. Pylon's state directory)
 * @param readOnly folders, usually inside a hidden one, that the instance needs (its revision, its
 *     virtualenv)
 */
public record Sandbox(List<Path> hidden, List<Path> readOnly) {
  /** The name bubblewrap's own processes have in {@code /proc/<pid>/stat}. */
  static final String BWRAP_COMM = "bwrap";

  public Sandbox {
    hidden = hidden.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    readOnly = readOnly.stream().map(p -> p.toAbsolutePath().normalize()).toList();
  }

  /** Where bubblewrap is installed, if it is on PATH. */
  public static Optional<Path> bubblewrap() {
    return ProcessWrapper.onPath("bwrap");
  }

  /** The {@code bwrap ... --} prefix that runs a command in this sandbox from {@code workDir}. */
  List<String> prefix(Path bwrap, Path workDir) {
    List<String> args = new ArrayList<>(List.of(bwrap.toString(), "--ro-bind", "/", "/"));
    args.addAll(List.of("--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"));
    for (Path path : hidden) {
      args.addAll(List.of("--tmpfs", path.toString()));
    }
    for (Path path : readOnly) {
      args.addAll(List.of("--ro-bind", path.toString(), path.toString()));
    }
    args.addAll(
        List.of(
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--die-with-parent",
            "--chdir",
            workDir.toAbsolutePath().normalize().toString(),
            "--"));
    return args;
  }
}
