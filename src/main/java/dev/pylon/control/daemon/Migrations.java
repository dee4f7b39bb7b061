package dev.pylon.control.daemon;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The schema, as ordered steps. Step N takes a database from version N-1 to N; a database records
 * its version in {@code schema_version}. Steps are only ever appended, never changed: a database
 * written by an older Pylon is brought forward step by step when it is opened.
 */
final class Migrations {
  static final List<List<String>> STEPS =
      List.of(
          // 1: services, immutable revisions, traffic, events.
          List.of(
              """
              CREATE TABLE services (
                name TEXT PRIMARY KEY,
                created TEXT NOT NULL,
                env TEXT NOT NULL DEFAULT '{}',
                next_number INTEGER NOT NULL DEFAULT 1)""",
              """
              CREATE TABLE revisions (
                id TEXT PRIMARY KEY,
                service TEXT NOT NULL REFERENCES services(name) ON DELETE CASCADE,
                number INTEGER NOT NULL,
                python TEXT NOT NULL,
                venv TEXT,
                summary TEXT NOT NULL,
                launch TEXT NOT NULL,
                env TEXT NOT NULL,
                created TEXT NOT NULL,
                ever_ready INTEGER NOT NULL DEFAULT 0,
                UNIQUE (service, number))""",
              """
              CREATE TABLE traffic (
                service TEXT NOT NULL REFERENCES services(name) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                revision TEXT,
                percent INTEGER NOT NULL,
                tag TEXT,
                PRIMARY KEY (service, position))""",
              """
              CREATE TABLE events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at TEXT NOT NULL,
                service TEXT NOT NULL,
                revision TEXT NOT NULL,
                instance TEXT NOT NULL,
                kind TEXT NOT NULL,
                detail TEXT NOT NULL)"""),
          // 2: scaling settings per service.
          List.of(
              "ALTER TABLE services ADD COLUMN min_instances INTEGER NOT NULL DEFAULT 1",
              "ALTER TABLE services ADD COLUMN max_instances INTEGER NOT NULL DEFAULT 10",
              "ALTER TABLE services ADD COLUMN concurrency INTEGER NOT NULL DEFAULT 80"),
          // 3: events are read newest first, per service.
          List.of("CREATE INDEX events_by_service ON events(service, id)"),
          // 4: what a service scales on (old services: requests in flight), its own stable window
          // (NULL: the daemon's), and each revision's last desired count, which a restarted daemon
          // starts it with.
          List.of(
              "ALTER TABLE services ADD COLUMN metric TEXT NOT NULL DEFAULT 'concurrency'",
              "ALTER TABLE services ADD COLUMN cpu_target REAL NOT NULL DEFAULT 0",
              "ALTER TABLE services ADD COLUMN cool_down_ms INTEGER",
              "ALTER TABLE revisions ADD COLUMN last_scale INTEGER"));

  private Migrations() {}

  static int latest() {
    return STEPS.size();
  }

  /** The database's schema version, 0 for an empty database. */
  static int version(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
      try (ResultSet rows = statement.executeQuery("SELECT max(version) FROM schema_version")) {
        return rows.next() ? rows.getInt(1) : 0;
      }
    }
  }

  /**
   * Brings the database to {@code target}, each step in its own transaction together with its
   * version row, so a crash leaves the database at a step boundary.
   */
  static void migrate(Connection connection, int target) throws SQLException {
    int current = version(connection);
    if (current > latest()) {
      throw new SQLException(
          "the state database has schema version "
              + current
              + " but this Pylon knows only up to "
              + latest()
              + "; use the newer Pylon that wrote it");
    }
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      for (int step = current + 1; step <= target; step++) {
        try (Statement statement = connection.createStatement()) {
          for (String sql : STEPS.get(step - 1)) {
            statement.execute(sql);
          }
          statement.execute("INSERT INTO schema_version (version) VALUES (" + step + ")");
          connection.commit();
        } catch (SQLException e) {
          connection.rollback();
          throw e;
        }
      }
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }
}
