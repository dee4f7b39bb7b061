package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
  private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
  private static final LaunchSpec LAUNCH =
      new LaunchSpec(
          List.of("python3", "-m", "x", "$PORT"), Map.of("K_SERVICE", "hello"), Path.of("/r"));

  @TempDir Path dir;

  @Test
  void revisionsAreNumberedPerServiceAndSurviveReopening() {
    Path file = dir.resolve("pylon.db");
    String first;
    try (Store store = Store.open(file)) {
      first = add(store, "hello").id();
      add(store, "hello");
      add(store, "other");
      store.setTraffic(
          "hello", List.of(TrafficTarget.revision(first, 100), TrafficTarget.tag(first, "blue")));
      store.setEnv("hello", Map.of("GREETING", "hi"));
      store.setScaling("hello", new Scaling(2, 5, 10));
      store.markEverReady(first);
    }
    try (Store store = Store.open(file)) {
      List<RevisionRecord> revisions = store.revisions("hello");
      assertThat(revisions).extracting(RevisionRecord::number).containsExactly(1, 2);
      assertThat(first).matches("hello-00001-[a-z]{3}");
      assertThat(revisions.get(0).launch()).isEqualTo(LAUNCH);
      assertThat(store.revisionFolders()).containsExactly(Path.of("/r"));
      assertThat(revisions.get(0).everReady()).isTrue();
      assertThat(revisions.get(1).everReady()).isFalse();
      ServiceRecord hello = store.service("hello").orElseThrow();
      assertThat(hello.traffic())
          .containsExactly(TrafficTarget.revision(first, 100), TrafficTarget.tag(first, "blue"));
      assertThat(hello.env()).containsExactly(Map.entry("GREETING", "hi"));
      assertThat(hello.scaling()).isEqualTo(new Scaling(2, 5, 10));
      assertThat(store.services())
          .extracting(ServiceRecord::name)
          .containsExactly("hello", "other");
    }
  }

  @Test
  void aRevisionServedOverHttp2KeepsSayingSoAfterReopening() {
    Path file = dir.resolve("pylon.db");
    LaunchSpec h2c = new LaunchSpec(LAUNCH.command(), LAUNCH.env(), LAUNCH.workDir(), true);
    try (Store store = Store.open(file)) {
      store.addRevision("h2", "/usr/bin/python3", Optional.empty(), "{}", h2c, Map.of(), NOW);
      add(store, "h2");
    }
    try (Store store = Store.open(file)) {
      assertThat(store.revisions("h2"))
          .extracting(r -> r.launch().http2())
          .containsExactly(true, false);
    }
  }

  @Test
  void aRevisionsLimitsArePartOfItsLaunchPlanAfterReopening() {
    Path file = dir.resolve("pylon.db");
    LaunchSpec limited =
        new LaunchSpec(
            LAUNCH.command(),
            LAUNCH.env(),
            LAUNCH.workDir(),
            false,
            java.util.OptionalLong.of(512),
            java.util.OptionalDouble.of(1.5));
    try (Store store = Store.open(file)) {
      store.addRevision("lim", "/usr/bin/python3", Optional.empty(), "{}", limited, Map.of(), NOW);
      add(store, "lim");
    }
    try (Store store = Store.open(file)) {
      List<RevisionRecord> revisions = store.revisions("lim");
      assertThat(revisions.get(0).launch()).isEqualTo(limited);
      assertThat(revisions.get(1).launch().memoryMiB()).isEmpty();
      assertThat(revisions.get(1).launch().cpuLimit()).isEmpty();
      dev.pylon.runtime.SupervisorOptions options =
          revisions.get(0).launch().limit(dev.pylon.runtime.SupervisorOptions.defaults());
      assertThat(options.memoryLimitMiB()).isEqualTo(512);
      assertThat(options.cpuLimit()).isEqualTo(1.5);
    }
  }

  @Test
  void aFailedWriteChangesNothingAndTheStoreStaysUsable() {
    try (Store store = Store.open(dir.resolve("pylon.db"))) {
      assertThatThrownBy(() -> store.setTraffic("missing", List.of(TrafficTarget.latest(100))))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("missing");
      assertThatThrownBy(() -> store.setScaling("missing", Scaling.DEFAULT))
          .isInstanceOf(StoreException.class);
      assertThat(store.services()).isEmpty();
      add(store, "hello");
      assertThat(store.services()).hasSize(1);
    }
  }

  @Test
  void deletingAServiceDeletesItsRevisionsAndTrafficButKeepsEvents() {
    try (Store store = Store.open(dir.resolve("pylon.db"))) {
      RevisionRecord revision = add(store, "hello");
      store.setTraffic("hello", List.of(TrafficTarget.latest(100)));
      store.addEvent(NOW, "hello", revision.id(), "", "deployed", "");
      assertThat(store.deleteService("hello")).isTrue();
      assertThat(store.deleteService("hello")).isFalse();
      assertThat(store.revision(revision.id())).isEmpty();
      assertThat(store.events(Optional.of("hello"), 10))
          .extracting(EventRecord::kind)
          .containsExactly("deployed");
      // The name can be used again, from number 1.
      assertThat(add(store, "hello").number()).isEqualTo(1);
    }
  }

  @Test
  void eventsAreTheNewestOnesOldestFirst() {
    try (Store store = Store.open(dir.resolve("pylon.db"))) {
      for (int i = 1; i <= 5; i++) {
        store.addEvent(NOW.plusSeconds(i), i % 2 == 0 ? "a" : "b", "", "", "k" + i, "");
      }
      assertThat(store.events(Optional.empty(), 3))
          .extracting(EventRecord::kind)
          .containsExactly("k3", "k4", "k5");
      assertThat(store.events(Optional.of("a"), 10))
          .extracting(EventRecord::kind)
          .containsExactly("k2", "k4");
    }
  }

  @Test
  void anOldVersionDatabaseIsMigratedKeepingItsData() throws Exception {
    Path file = dir.resolve("pylon.db");
    Store.open(file, 1).close();
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement statement = connection.createStatement()) {
      statement.execute(
          "INSERT INTO services (name, created) VALUES ('old', '2025-01-01T00:00:00Z')");
    }
    try (Store store = Store.open(file)) {
      assertThat(store.schemaVersion()).isEqualTo(Migrations.latest()).isGreaterThan(1);
      ServiceRecord old = store.service("old").orElseThrow();
      // Made when the default was min 1: it keeps what it was made with, on requests in flight.
      assertThat(old.scaling()).isEqualTo(new Scaling(1, 10, 80));
      assertThat(add(store, "old").number()).isEqualTo(1);
      assertThat(store.lastScales()).isEmpty();
    }
  }

  @Test
  void aServiceScalesOnCpuWithItsOwnCoolDownAndRevisionsKeepTheirLastScale() {
    Path file = dir.resolve("pylon.db");
    Scaling onCpu =
        new Scaling(0, 4, 80).onCpu(0.6).withCoolDown(Optional.of(Duration.ofMinutes(2)));
    String id;
    try (Store store = Store.open(file)) {
      id = add(store, "cpu").id();
      add(store, "plain");
      store.setScaling("cpu", onCpu);
      store.setLastScale(id, 3);
    }
    try (Store store = Store.open(file)) {
      assertThat(store.service("cpu").orElseThrow().scaling()).isEqualTo(onCpu);
      assertThat(onCpu.toString())
          .contains("on cpu (target 0.60 cores per instance), cool-down 120 s");
      assertThat(store.service("plain").orElseThrow().scaling()).isEqualTo(Scaling.DEFAULT);
      assertThat(Scaling.DEFAULT.min()).isZero(); // Cloud Run's default: scale to zero
      assertThat(store.lastScales()).containsExactly(Map.entry(id, 3));
      store.setScaling("cpu", onCpu.onConcurrency().withCoolDown(Optional.empty()));
      assertThat(store.service("cpu").orElseThrow().scaling()).isEqualTo(new Scaling(0, 4, 80));
    }
  }

  @Test
  void aDatabaseFromANewerPylonIsRefusedWithAClearMessage() throws Exception {
    Path file = dir.resolve("pylon.db");
    Store.open(file).close();
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement statement = connection.createStatement()) {
      statement.execute("INSERT INTO schema_version (version) VALUES (99)");
    }
    assertThatThrownBy(() -> Store.open(file))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("schema version 99");
  }

  private static RevisionRecord add(Store store, String service) {
    return store.addRevision(
        service, "/usr/bin/python3", Optional.empty(), "{}", LAUNCH, Map.of(), NOW);
  }
}
