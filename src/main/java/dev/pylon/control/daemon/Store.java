package dev.pylon.control.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pylon.autoscale.ScalingMetric;
import dev.pylon.autoscale.ScalingPolicies;
import dev.pylon.autoscale.ScalingPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Desired state in one SQLite file: services, immutable revisions, traffic, environment, scaling
 * and events. WAL mode; every write is one transaction. One connection, used by one thread at a
 * time (every method is synchronized): the daemon's writes are few and small.
 */
public final class Store implements AutoCloseable, DesiredStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

  static final int EVENTS_KEPT = 10_000;

  private final Path file;
  private final Connection connection;

  private Store(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
  }

  /** Opens (creating if needed) the database and brings its schema to the latest version. */
  public static Store open(Path file) {
    return open(file, Migrations.latest());
  }

  /** Opens the database at a given schema version: for tests of migrations only. */
  static Store open(Path file, int schemaVersion) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
      try (Statement statement = connection.createStatement()) {
        statement.execute("PRAGMA journal_mode=WAL");
        statement.execute("PRAGMA synchronous=NORMAL");
        statement.execute("PRAGMA foreign_keys=ON");
        statement.execute("PRAGMA busy_timeout=5000");
      }
      Migrations.migrate(connection, schemaVersion);
      connection.setAutoCommit(false);
      return new Store(file, connection);
    } catch (SQLException | java.io.IOException e) {
      throw new StoreException(
          "Pylon cannot open its state database "
              + file
              + " ("
              + e.getMessage()
              + "). Check that the state directory is writable and not used by another Pylon.",
          e);
    }
  }

  public Path file() {
    return file;
  }

  public synchronized int schemaVersion() {
    return read(() -> Migrations.version(connection));
  }

  // ---- services

  public synchronized List<ServiceRecord> services() {
    return read(
        () -> {
          List<ServiceRecord> services = new ArrayList<>();
          try (PreparedStatement query =
                  connection.prepareStatement("SELECT name FROM services ORDER BY name");
              ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
              services.add(serviceRow(rows.getString(1)).orElseThrow());
            }
          }
          return services;
        });
  }

  public synchronized Optional<ServiceRecord> service(String name) {
    return read(() -> serviceRow(name));
  }

  /** Creates the service with default settings when it does not exist yet. */
  public synchronized ServiceRecord ensureService(String name, Instant now) {
    return write(
        () -> {
          insertServiceIfMissing(name, now);
          return serviceRow(name).orElseThrow();
        });
  }

  public synchronized void setTraffic(String service, List<TrafficTarget> traffic) {
    write(
        () -> {
          requireService(service);
          writeTraffic(service, traffic);
          return null;
        });
  }

  public synchronized void setScaling(String service, Scaling scaling) {
    write(
        () -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE services SET min_instances = ?, max_instances = ?, concurrency = ?,"
                      + " metric = ?, cpu_target = ?, cool_down_ms = ? WHERE name = ?")) {
            bindScaling(update, 1, scaling);
            update.setString(7, service);
            requireOne(update.executeUpdate(), service);
          }
          return null;
        });
  }

  private static void bindScaling(PreparedStatement statement, int first, Scaling scaling)
      throws SQLException {
    statement.setInt(first, scaling.min());
    statement.setInt(first + 1, scaling.max());
    statement.setInt(first + 2, scaling.concurrency());
    statement.setString(first + 3, scaling.metricName());
    statement.setDouble(first + 4, scaling.cpuTarget());
    if (scaling.coolDown().isPresent()) {
      statement.setLong(first + 5, scaling.coolDown().get().toMillis());
    } else {
      statement.setNull(first + 5, java.sql.Types.INTEGER);
    }
  }

  /**
   * Remembers the instance count the autoscaler last wanted for a revision, so a restarted daemon
   * starts it with that many rather than one (or none). Absent revisions are ignored.
   */
  public synchronized void setLastScale(String revision, int instances) {
    write(
        () -> {
          try (PreparedStatement update =
              connection.prepareStatement("UPDATE revisions SET last_scale = ? WHERE id = ?")) {
            update.setInt(1, instances);
            update.setString(2, revision);
            update.executeUpdate();
          }
          return null;
        });
  }

  /** Each revision's last wanted instance count, for the revisions that have one. */
  public synchronized Map<String, Integer> lastScales() {
    return read(
        () -> {
          Map<String, Integer> scales = new TreeMap<>();
          try (PreparedStatement query =
                  connection.prepareStatement(
                      "SELECT id, last_scale FROM revisions WHERE last_scale IS NOT NULL");
              ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
              scales.put(rows.getString(1), rows.getInt(2));
            }
          }
          return scales;
        });
  }

  public synchronized void setEnv(String service, Map<String, String> env) {
    write(
        () -> {
          try (PreparedStatement update =
              connection.prepareStatement("UPDATE services SET env = ? WHERE name = ?")) {
            update.setString(1, json(new TreeMap<>(env)));
            update.setString(2, service);
            requireOne(update.executeUpdate(), service);
          }
          return null;
        });
  }

  /** Deletes the service, its revisions and traffic (its events stay). False when absent. */
  public synchronized boolean deleteService(String name) {
    return write(
        () -> {
          try (PreparedStatement delete =
              connection.prepareStatement("DELETE FROM services WHERE name = ?")) {
            delete.setString(1, name);
            return delete.executeUpdate() == 1;
          }
        });
  }

  // ---- revisions

  /**
   * Adds a revision to the service (created when missing), numbered after its last one. The
   * revision gets no traffic here.
   */
  public synchronized RevisionRecord addRevision(
      String service,
      String python,
      Optional<String> venv,
      String summary,
      LaunchSpec launch,
      Map<String, String> env,
      Instant now) {
    return write(
        () -> {
          insertServiceIfMissing(service, now);
          int number;
          try (PreparedStatement query =
              connection.prepareStatement("SELECT next_number FROM services WHERE name = ?")) {
            query.setString(1, service);
            try (ResultSet rows = query.executeQuery()) {
              rows.next();
              number = rows.getInt(1);
            }
          }
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE services SET next_number = next_number + 1 WHERE name = ?")) {
            update.setString(1, service);
            update.executeUpdate();
          }
          String id = String.format(Locale.ROOT, "%s-%05d-%s", service, number, suffix());
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO revisions (id, service, number, python, venv, summary, launch,"
                      + " env, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, id);
            insert.setString(2, service);
            insert.setInt(3, number);
            insert.setString(4, python);
            insert.setString(5, venv.orElse(null));
            insert.setString(6, summary);
            insert.setString(7, launchJson(launch));
            insert.setString(8, json(new TreeMap<>(env)));
            insert.setString(9, now.toString());
            insert.executeUpdate();
          }
          return revisionRow(id).orElseThrow();
        });
  }

  public synchronized Optional<RevisionRecord> revision(String id) {
    return read(() -> revisionRow(id));
  }

  /** The service's revisions, oldest first. */
  public synchronized List<RevisionRecord> revisions(String service) {
    return read(
        () -> {
          List<RevisionRecord> revisions = new ArrayList<>();
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT id FROM revisions WHERE service = ? ORDER BY number")) {
            query.setString(1, service);
            try (ResultSet rows = query.executeQuery()) {
              while (rows.next()) {
                revisions.add(revisionRow(rows.getString(1)).orElseThrow());
              }
            }
          }
          return revisions;
        });
  }

  /**
   * The snapshots and virtualenvs every stored revision runs from: any of them may get traffic
   * again, so {@code pylon gc} must keep them (its {@code inUse} set).
   */
  public synchronized Set<Path> revisionFolders() {
    return read(
        () -> {
          Set<Path> folders = new TreeSet<>();
          try (PreparedStatement query =
                  connection.prepareStatement("SELECT launch FROM revisions");
              ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
              LaunchSpec launch = launch(rows.getString(1));
              folders.add(launch.workDir());
              String venv = launch.env().get("VIRTUAL_ENV");
              if (venv != null) {
                folders.add(Path.of(venv));
              }
            }
          }
          return folders;
        });
  }

  /** Records that an instance of the revision was ready once: from now on it may get traffic. */
  public synchronized void markEverReady(String revisionId) {
    write(
        () -> {
          try (PreparedStatement update =
              connection.prepareStatement("UPDATE revisions SET ever_ready = 1 WHERE id = ?")) {
            update.setString(1, revisionId);
            update.executeUpdate();
          }
          return null;
        });
  }

  // ---- events

  public synchronized void addEvent(
      Instant at, String service, String revision, String instance, String kind, String detail) {
    write(
        () -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO events (at, service, revision, instance, kind, detail)"
                      + " VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, at.toString());
            insert.setString(2, service);
            insert.setString(3, revision);
            insert.setString(4, instance);
            insert.setString(5, kind);
            insert.setString(6, detail);
            insert.executeUpdate();
          }
          pruneEvents();
          return null;
        });
  }

  /** The newest {@code limit} events (of one service, or all), oldest first. */
  public synchronized List<EventRecord> events(Optional<String> service, int limit) {
    return read(
        () -> {
          String where = service.isPresent() ? " WHERE service = ?" : "";
          List<EventRecord> events = new ArrayList<>();
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT id, at, service, revision, instance, kind, detail FROM events"
                      + where
                      + " ORDER BY id DESC LIMIT ?")) {
            int index = 1;
            if (service.isPresent()) {
              query.setString(index++, service.get());
            }
            query.setInt(index, limit);
            try (ResultSet rows = query.executeQuery()) {
              while (rows.next()) {
                events.add(
                    new EventRecord(
                        rows.getLong(1),
                        Instant.parse(rows.getString(2)),
                        rows.getString(3),
                        rows.getString(4),
                        rows.getString(5),
                        rows.getString(6),
                        rows.getString(7)));
              }
            }
          }
          return events.reversed();
        });
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new StoreException("cannot close " + file + ": " + e.getMessage(), e);
    }
  }

  /** Keeps the event log bounded: now and then, all but the newest {@link #EVENTS_KEPT} go. */
  private void pruneEvents() throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT last_insert_rowid()")) {
      long id = rows.next() ? rows.getLong(1) : 0;
      if (id % 1000 == 0) {
        statement.executeUpdate("DELETE FROM events WHERE id <= " + (id - EVENTS_KEPT));
      }
    }
  }

  // ---- rows

  private void insertServiceIfMissing(String name, Instant now) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT OR IGNORE INTO services (name, created, min_instances, max_instances,"
                + " concurrency, metric, cpu_target, cool_down_ms) VALUES (?, ?, ?, ?, ?, ?, ?,"
                + " ?)")) {
      insert.setString(1, name);
      insert.setString(2, now.toString());
      bindScaling(insert, 3, Scaling.DEFAULT);
      insert.executeUpdate();
    }
  }

  private void requireService(String name) throws SQLException {
    try (PreparedStatement query =
        connection.prepareStatement("SELECT 1 FROM services WHERE name = ?")) {
      query.setString(1, name);
      try (ResultSet rows = query.executeQuery()) {
        if (!rows.next()) {
          throw new SQLException("no service named " + name);
        }
      }
    }
  }

  private static void requireOne(int updated, String service) throws SQLException {
    if (updated != 1) {
      throw new SQLException("no service named " + service);
    }
  }

  private void writeTraffic(String service, List<TrafficTarget> traffic) throws SQLException {
    try (PreparedStatement delete =
        connection.prepareStatement("DELETE FROM traffic WHERE service = ?")) {
      delete.setString(1, service);
      delete.executeUpdate();
    }
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO traffic (service, position, revision, percent, tag)"
                + " VALUES (?, ?, ?, ?, ?)")) {
      int position = 0;
      for (TrafficTarget target : traffic) {
        insert.setString(1, service);
        insert.setInt(2, position++);
        insert.setString(3, target.revision().orElse(null));
        insert.setInt(4, target.percent());
        insert.setString(5, target.tag().orElse(null));
        insert.executeUpdate();
      }
    }
  }

  private Optional<ServiceRecord> serviceRow(String name) throws SQLException {
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT created, env, min_instances, max_instances, concurrency, metric,"
                + " cpu_target, cool_down_ms FROM services WHERE name = ?")) {
      query.setString(1, name);
      try (ResultSet rows = query.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new ServiceRecord(
                name,
                Instant.parse(rows.getString(1)),
                stringMap(rows.getString(2)),
                scalingRow(rows),
                trafficRows(name)));
      }
    }
  }

  /** Columns 3 to 8 of a services row; an unknown metric (a newer Pylon's) reads as concurrency. */
  private static Scaling scalingRow(ResultSet rows) throws SQLException {
    Scaling scaling = new Scaling(rows.getInt(3), rows.getInt(4), rows.getInt(5));
    long coolDownMs = rows.getLong(8);
    if (!rows.wasNull()) {
      scaling =
          scaling.withCoolDown(
              Optional.of(ScalingPolicies.clampStableWindow(Duration.ofMillis(coolDownMs))));
    }
    double cpuTarget = rows.getDouble(7);
    if (Scaling.metricNamed(rows.getString(6)).orElse(null) == ScalingMetric.CPU
        && cpuTarget >= ScalingPolicy.TARGET_MIN) {
      scaling = scaling.onCpu(cpuTarget);
    }
    return scaling;
  }

  private List<TrafficTarget> trafficRows(String service) throws SQLException {
    List<TrafficTarget> traffic = new ArrayList<>();
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT revision, percent, tag FROM traffic WHERE service = ? ORDER BY position")) {
      query.setString(1, service);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          traffic.add(
              new TrafficTarget(
                  Optional.ofNullable(rows.getString(1)),
                  rows.getInt(2),
                  Optional.ofNullable(rows.getString(3))));
        }
      }
    }
    return traffic;
  }

  private Optional<RevisionRecord> revisionRow(String id) throws SQLException {
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT service, number, python, venv, summary, launch, env, created, ever_ready"
                + " FROM revisions WHERE id = ?")) {
      query.setString(1, id);
      try (ResultSet rows = query.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new RevisionRecord(
                id,
                rows.getString(1),
                rows.getInt(2),
                rows.getString(3),
                Optional.ofNullable(rows.getString(4)),
                rows.getString(5),
                launch(rows.getString(6)),
                stringMap(rows.getString(7)),
                Instant.parse(rows.getString(8)),
                rows.getInt(9) == 1));
      }
    }
  }

  private static String suffix() {
    StringBuilder letters = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      letters.append((char) ('a' + ThreadLocalRandom.current().nextInt(26)));
    }
    return letters.toString();
  }

  // ---- JSON columns

  private static String json(Object value) throws SQLException {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new SQLException("cannot encode " + value, e);
    }
  }

  private static Map<String, String> stringMap(String text) throws SQLException {
    try {
      return JSON.readValue(text, STRING_MAP);
    } catch (JsonProcessingException e) {
      throw new SQLException("a JSON column is damaged: " + text, e);
    }
  }

  private static String launchJson(LaunchSpec launch) throws SQLException {
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
    return json(node);
  }

  private static LaunchSpec launch(String text) throws SQLException {
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
              : OptionalDouble.empty());
    } catch (JsonProcessingException e) {
      throw new SQLException("a revision's launch column is damaged: " + text, e);
    }
  }

  // ---- transactions

  private interface Work<T> {
    T run() throws SQLException;
  }

  private <T> T write(Work<T> work) {
    try {
      T result = work.run();
      connection.commit();
      return result;
    } catch (SQLException e) {
      try {
        connection.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new StoreException(e.getMessage(), e);
    }
  }

  private <T> T read(Work<T> work) {
    try {
      T result = work.run();
      connection.commit();
      return result;
    } catch (SQLException e) {
      try {
        connection.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new StoreException(e.getMessage(), e);
    }
  }
}
