package dev.pylon.revision;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentGcTest {
  private static final Instant NOW = Instant.parse("2026-11-23T18:00:00Z");
  private static final Path ENVS = Path.of("/state/envs");

  private static CacheEntry entry(String key, boolean complete, Duration age) {
    return new CacheEntry(key, ENVS.resolve(key), complete, NOW.minus(age), 1000);
  }

  private static List<String> keys(List<CacheEntry> entries) {
    return entries.stream().map(CacheEntry::key).toList();
  }

  @Test
  void keepsTheRecentAndTheRecentlyUsedAndDeletesTheRest() {
    List<CacheEntry> entries =
        List.of(
            entry("a-today", true, Duration.ofHours(2)),
            entry("b-month", true, Duration.ofDays(30)),
            entry("c-year", true, Duration.ofDays(365)),
            entry("d-two-months", true, Duration.ofDays(60)),
            entry("e-yesterday", true, Duration.ofDays(1)));

    List<CacheEntry> chosen =
        EnvironmentGc.choose(
            entries, Set.of(), NOW, new GcPolicy(Duration.ofDays(7), 2, Duration.ofHours(1)));

    assertThat(keys(chosen)).containsExactly("b-month", "c-year", "d-two-months");
  }

  @Test
  void anEntryInUseIsNeverDeleted() {
    List<CacheEntry> entries =
        List.of(
            entry("old-but-serving", true, Duration.ofDays(400)),
            entry("old", true, Duration.ofDays(400)));

    List<CacheEntry> chosen =
        EnvironmentGc.choose(
            entries, Set.of(ENVS.resolve("old-but-serving")), NOW, GcPolicy.ALL_UNUSED);

    assertThat(keys(chosen)).containsExactly("old");
  }

  @Test
  void unfinishedEntriesGoOnceTheyAreOlderThanTheGrace() {
    List<CacheEntry> entries =
        List.of(
            entry("crashed", false, Duration.ofHours(3)),
            entry("building-now", false, Duration.ofMinutes(2)));

    List<CacheEntry> chosen = EnvironmentGc.choose(entries, Set.of(), NOW, GcPolicy.DEFAULT);

    assertThat(keys(chosen)).containsExactly("crashed");
  }

  @Test
  void collectDeletesFromDiskButNotWhatIsInUse(@TempDir Path state) throws Exception {
    Path envs = Files.createDirectories(state.resolve("envs"));
    Path used = finishedEntry(envs, "usedkey", Duration.ofDays(90));
    Path stale = finishedEntry(envs, "stalekey", Duration.ofDays(90));
    Path crashed = Files.createDirectories(envs.resolve("crashkey/bin"));
    Files.setLastModifiedTime(
        crashed.getParent(), FileTime.from(Instant.now().minus(Duration.ofDays(1))));

    GcReport report =
        new EnvironmentGc(state)
            .collect(
                Set.of(used),
                new GcPolicy(Duration.ofDays(7), 0, Duration.ofHours(1)),
                Instant.now());

    assertThat(keys(report.deleted())).containsExactly("crashkey", "stalekey");
    assertThat(report.bytesFreed()).isPositive();
    assertThat(used).exists();
    assertThat(stale).doesNotExist();
    assertThat(crashed.getParent()).doesNotExist();
  }

  @Test
  void anEntryWhoseLockABuildHoldsIsLeftAlone(@TempDir Path state) throws Exception {
    Path envs = Files.createDirectories(state.resolve("envs"));
    Path stale = finishedEntry(envs, "busykey", Duration.ofDays(90));
    KeyLock held = KeyLock.acquire(envs.resolve("busykey.lock"), () -> {});
    try {
      GcReport report =
          new EnvironmentGc(state).collect(Set.of(), GcPolicy.ALL_UNUSED, Instant.now());

      assertThat(keys(report.busy())).containsExactly("busykey");
      assertThat(stale).exists();
    } finally {
      held.close();
    }
  }

  private static Path finishedEntry(Path envs, String key, Duration age) throws Exception {
    Path dir = Files.createDirectories(envs.resolve(key).resolve("lib"));
    Files.writeString(dir.resolve("module.py"), "x = 1\n");
    Path marker = envs.resolve(key).resolve(EnvironmentBuilder.COMPLETE_MARKER);
    Files.writeString(marker, "key=" + key + "\n");
    Files.setLastModifiedTime(marker, FileTime.from(Instant.now().minus(age)));
    return envs.resolve(key);
  }
}
