package dev.pylon.control.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * {@code <state>/server.json}: where a running daemon can be reached, written once it listens. The
 * CLI reads it to find the admin API.
 *
 * @param pid the daemon's process id
 * @param host the address the admin API listens on
 * @param adminPort the admin API's port
 * @param routerPort the router's port
 */
public record ServerInfo(long pid, String host, int adminPort, int routerPort) {
  public static final String FILE = "server.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  void write(Path stateDir) throws IOException {
    ObjectNode node = JSON.createObjectNode();
    node.put("pid", pid);
    node.put("host", host);
    node.put("adminPort", adminPort);
    node.put("routerPort", routerPort);
    Path tmp = stateDir.resolve(FILE + ".tmp");
    Files.writeString(tmp, node.toPrettyString() + "\n");
    Files.move(
        tmp,
        stateDir.resolve(FILE),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  /** Reads it; throws when there is none or it is damaged. */
  public static ServerInfo read(Path stateDir) throws IOException {
    JsonNode node = JSON.readTree(Files.readString(stateDir.resolve(FILE)));
    return new ServerInfo(
        node.path("pid").asLong(-1),
        node.path("host").asText("127.0.0.1"),
        node.path("adminPort").asInt(),
        node.path("routerPort").asInt());
  }
}
