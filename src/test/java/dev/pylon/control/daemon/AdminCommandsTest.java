package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pylon.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's daemon commands against a real daemon, without an app: what a person reads, and that
 * {@code --json} prints what the daemon answered.
 */
class AdminCommandsTest {
  @TempDir static Path state;
  static Daemon daemon;
  static ServerInfo info;
  static AdminClient client;

  @BeforeAll
  static void startDaemon() throws Exception {
    daemon = new Daemon(TestDaemons.settings(state));
    info = daemon.start();
    try (Store store = Store.open(state.resolve(Daemon.DATABASE))) {
      store.ensureService("knobs", Instant.parse("2026-12-04T10:00:00Z"));
    }
    client = AdminClient.connect(state);
  }

  @AfterAll
  static void stopDaemon() {
    daemon.close();
  }

  private record Run(int status, String out) {}

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--state-dir");
    all.add(state.toString());
    int status =
        Main.newCommandLine()
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(out, true))
            .execute(all.toArray(String[]::new));
    return new Run(status, out.toString());
  }

  private static String ok(String... args) {
    Run run = cli(args);
    assertThat(run.status()).as(run.out()).isZero();
    return run.out();
  }

  @Test
  void jsonIsWhatTheDaemonAnswered() throws Exception {
    assertThat(ok("services", "--json"))
        .isEqualTo(client.get("/v1/services").toPrettyString() + "\n");
    assertThat(ok("revisions", "knobs", "--json")).isEqualTo("[ ]\n");
    assertThat(ok("events", "--service", "knobs", "--json"))
        .isEqualTo(client.get("/v1/events?limit=50&service=knobs").toPrettyString() + "\n");
    assertThat(ok("instances", "--json"))
        .isEqualTo("{\n  \"revisions\" : [ ],\n  \"instances\" : [ ]\n}\n");
    assertThat(ok("logs", "knobs", "--json")).isEqualTo("[ ]\n");
  }

  @Test
  void servicesAndScalingReadAsBefore() throws Exception {
    String port = Integer.toString(info.routerPort());
    assertThat(ok("services"))
        .contains("SERVICE  URL")
        .contains(
            "knobs    http://knobs.localhost:"
                + port
                + "/  -        0          0..10 on concurrency"
                + " 80 in flight");

    assertThat(ok("scale", "knobs", "--cpu-target", "0.6", "--cool-down", "2m"))
        .isEqualTo(
            "knobs: min 0, max 10, concurrency 80; scales on cpu, 0.60 cores per instance;"
                + " stable window 120 s\n");
    assertThat(ok("scale", "knobs", "--json"))
        .isEqualTo(client.get("/v1/services/knobs").toPrettyString() + "\n");
    assertThat(ok("scale", "knobs", "--metric", "concurrency", "--cool-down", "0"))
        .isEqualTo(
            "knobs: min 0, max 10, concurrency 80; scales on concurrency, 80 in flight per"
                + " instance; stable window the daemon's\n");
  }

  @Test
  void theDaemonsRefusalsArePrintedWithTheirHints() {
    Run tag = cli("traffic", "knobs", "--to-tags", "red=100");
    assertThat(tag.status()).isEqualTo(1);
    assertThat(tag.out())
        .contains("knobs has no revision tagged red;\nsee its tags with `pylon revisions knobs`.");

    Run metric = cli("scale", "knobs", "--metric", "memory");
    assertThat(metric.status()).isEqualTo(1);
    assertThat(metric.out()).contains("\"memory\" is not a metric the daemon scales on;");

    Run none = cli("revisions", "nope");
    assertThat(none.status()).isEqualTo(1);
    assertThat(none.out())
        .contains("there is no service named nope;\nsee the services with `pylon services`.");
  }

  @Test
  void envOfAServiceWithoutRevisionsIsStoredAndShown() throws Exception {
    try (Store store = Store.open(state.resolve(Daemon.DATABASE))) {
      store.ensureService("plain", Instant.parse("2026-12-04T10:00:00Z"));
    }
    assertThat(ok("env", "plain", "set", "GREETING=hi")).isEmpty();
    assertThat(ok("env", "plain")).isEqualTo("GREETING=hi\n");
    assertThat(ok("env", "plain", "--json")).isEqualTo("{\n  \"GREETING\" : \"hi\"\n}\n");
    assertThat(ok("delete", "plain")).isEqualTo("deleted plain\n");
  }
}
