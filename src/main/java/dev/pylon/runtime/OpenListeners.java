package dev.pylon.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Whether an instance listens on every interface ({@code -b :$PORT}, {@code 0.0.0.0}, {@code ::})
 * rather than on loopback only, seen in {@code /proc/net/tcp} and {@code tcp6}. Instances share the
 * host's network even in the sandbox (a network namespace of their own would cut the router off,
 * which reaches them on 127.0.0.1), so such an instance is reachable from other machines past the
 * router: Pylon says so once.
 */
final class OpenListeners {
  private static final String LISTEN = "0A";
  private static final String ANY_V4 = "00000000";
  private static final String ANY_V6 = "00000000000000000000000000000000";

  private OpenListeners() {}

  /** The warning for an instance listening on every interface at {@code port}, if it does. */
  static Optional<String> warning(String instance, int port) {
    boolean open = false;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        open |=
            listensOnEveryInterface(
                Files.readString(Path.of(table), StandardCharsets.US_ASCII), port);
      } catch (IOException e) {
        // no such table here (no IPv6): nothing listens there
      }
    }
    return open
        ? Optional.of(
            instance
                + " listens on every interface (port "
                + port
                + "), not only on 127.0.0.1: the sandbox shares the host's network (a network of"
                + " its own would cut off the router), so other machines can reach it past the"
                + " router; bind 127.0.0.1:$PORT instead (for example gunicorn -b 127.0.0.1:$PORT)")
        : Optional.empty();
  }

  /** Whether {@code table} (a {@code /proc/net/tcp[6]}) has a listener on any address at port. */
  static boolean listensOnEveryInterface(String table, int port) {
    String hexPort = String.format("%04X", port);
    for (String line : table.split("\n")) {
      String[] fields = line.trim().split("\\s+");
      if (fields.length < 4 || !fields[3].equals(LISTEN)) {
        continue;
      }
      int colon = fields[1].lastIndexOf(':');
      if (colon < 0 || !fields[1].substring(colon + 1).equalsIgnoreCase(hexPort)) {
        continue;
      }
      String address = fields[1].substring(0, colon);
      if (address.equals(ANY_V4) || address.equals(ANY_V6)) {
        return true;
      }
    }
    return false;
  }
}
