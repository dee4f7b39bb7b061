package dev.pylon.control.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pylon.runtime.Probe;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The {@link Store}'s JSON columns: a revision's launch plan and the variable maps, as text. A
 * column that cannot be read is a damaged store, said as an {@link SQLException}.
 */
final class StoreColumns {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

  private StoreColumns() {}

  static String json(Object value) throws SQLException {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new SQLException("cannot encode " + value, e);
    }
  }

  static Map<String, String> stringMap(String text) throws SQLException {
    try {
      return JSON.readValue(text, STRING_MAP);
    } catch (JsonProcessingException e) {
      throw new SQLException("a JSON column is damaged: " + text, e);
    }
  }

  static String launchJson(LaunchSpec launch) throws SQLException {
    ObjectNode node = JSON.createObjectNode();
    ArrayNode command = node.putArray("command");
    launch.command().forEach(command::add);
    ObjectNode env = node.putObject("env");
    new TreeMap<>(launch.env()).forEach(env::put);
    node.put("workDir", launch.workDir().toString());
    if (launch.http2()) {
      node.put("http2", true); // absent in rows written before end-to-end HTTP/2: false
    }
    // Absent in rows written before limits were part of the plan: no limit.
    launch.memoryMiB().ifPresent(memory -> node.put("memoryMiB", memory));
    launch.cpuLimit().ifPresent(cores -> node.put("cpuLimit", cores));
    // Absent in rows written before deploy --container, and for processes.
    launch
        .container()
        .ifPresent(
            container ->
                node.putObject("container")
                    .put("engine", container.engine().toString())
                    .put("image", container.image()));
    // Absent in rows written before the checks were part of the plan, and for default checks.
    if (!launch.checks().equals(InstanceChecks.DEFAULTS)) {
      ObjectNode checks = node.putObject("checks");
      launch.checks().startup().ifPresent(probe -> probeJson(checks.putObject("startup"), probe));
      launch
          .checks()
          .readiness()
          .ifPresent(probe -> probeJson(checks.putObject("readiness"), probe));
      launch.checks().liveness().ifPresent(probe -> probeJson(checks.putObject("liveness"), probe));
      launch
          .checks()
          .startTimeout()
          .ifPresent(timeout -> checks.put("startTimeoutMillis", timeout.toMillis()));
    }
    return json(node);
  }

  private static void probeJson(ObjectNode node, Probe probe) {
    node.put("type", probe.type().name())
        .put("path", probe.path())
        .put("initialDelayMillis", probe.initialDelay().toMillis())
        .put("periodMillis", probe.period().toMillis())
        .put("timeoutMillis", probe.timeout().toMillis())
        .put("successThreshold", probe.successThreshold())
        .put("failureThreshold", probe.failureThreshold());
  }

  private static Optional<Probe> probe(JsonNode node) {
    if (node.isMissingNode() || node.isNull()) {
      return Optional.empty();
    }
    return Optional.of(
        new Probe(
            Probe.Type.valueOf(node.get("type").asText()),
            node.get("path").asText(),
            Duration.ofMillis(node.get("initialDelayMillis").asLong()),
            Duration.ofMillis(node.get("periodMillis").asLong()),
            Duration.ofMillis(node.get("timeoutMillis").asLong()),
            node.get("successThreshold").asInt(),
            node.get("failureThreshold").asInt()));
  }

  static LaunchSpec launch(String text) throws SQLException {
    try {
      var node = JSON.readTree(text);
      List<String> command = new ArrayList<>();
      node.get("command").forEach(part -> command.add(part.asText()));
      Map<String, String> env = JSON.convertValue(node.get("env"), STRING_MAP);
      return new LaunchSpec(
          command,
          env,
          Path.of(node.get("workDir").asText()),
          node.path("http2").asBoolean(false),
          node.has("memoryMiB")
              ? OptionalLong.of(node.get("memoryMiB").asLong())
              : OptionalLong.empty(),
          node.has("cpuLimit")
              ? OptionalDouble.of(node.get("cpuLimit").asDouble())
              : OptionalDouble.empty(),
          node.has("container")
              ? Optional.of(
                  new ContainerImage(
                      Path.of(node.get("container").get("engine").asText()),
                      node.get("container").get("image").asText()))
              : Optional.empty(),
          new InstanceChecks(
              probe(node.path("checks").path("startup")),
              probe(node.path("checks").path("readiness")),
              probe(node.path("checks").path("liveness")),
              node.path("checks").has("startTimeoutMillis")
                  ? Optional.of(
                      Duration.ofMillis(node.path("checks").get("startTimeoutMillis").asLong()))
                  : Optional.empty()));
    } catch (JsonProcessingException | RuntimeException e) {
      throw new SQLException("a revision's launch column is damaged: " + text, e);
    }
  }
}
