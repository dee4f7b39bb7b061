package dev.pylon.cli;

import dev.pylon.control.daemon.Daemon;
import dev.pylon.control.daemon.Store;
import dev.pylon.revision.CacheEntry;
import dev.pylon.revision.EnvironmentGc;
import dev.pylon.revision.GcPolicy;
import dev.pylon.revision.GcReport;
import dev.pylon.revision.RevisionGc;
import dev.pylon.runtime.ProcessesUsingState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pylon gc}: deletes cached virtualenvs and revisions nothing uses any more. */
@Command(
    name = "gc",
    mixinStandardHelpOptions = true,
    description = {
      "Deletes virtualenvs and revisions that no running instance uses and that were not used lately.",
      "Kept: whatever a live process runs from, the most recent few, and entries used within --keep-for."
    })
final class GcCommand implements Callable<Integer> {
  @Option(
      names = "--keep-for",
      converter = DurationConverter.class,
      defaultValue = "168h",
      description = "Keep entries used within this long (default: ${DEFAULT-VALUE}, a week)")
  Duration keepFor;

  @Option(
      names = "--keep-recent",
      defaultValue = "3",
      description = "Always keep this many most recently used entries (default: ${DEFAULT-VALUE})")
  int keepRecent;

  @Option(names = "--all-unused", description = "Delete everything no running process uses")
  boolean allUnused;

  @Mixin StateOptions stateOptions;

  @Override
  public Integer call() {
    Path stateDir = stateOptions.stateDir();
    GcPolicy policy =
        allUnused
            ? GcPolicy.ALL_UNUSED
            : new GcPolicy(keepFor, keepRecent, GcPolicy.DEFAULT.unfinishedGrace());
    Set<Path> inUse = new HashSet<>(ProcessesUsingState.scan(stateDir));
    // Revisions the daemon keeps may be stopped now (no traffic) and still be rolled back to.
    Path database = stateDir.resolve(Daemon.DATABASE);
    if (Files.isRegularFile(database)) {
      try (Store store = Store.open(database)) {
        inUse.addAll(store.revisionFolders());
      }
    }
    Instant now = Instant.now();
    try {
      report("virtualenvs", new EnvironmentGc(stateDir).collect(inUse, policy, now));
      report("revisions", new RevisionGc(stateDir).collect(inUse, policy, now));
    } catch (IOException e) {
      throw new UserError("cannot clean " + stateDir + ": " + e.getMessage(), 1);
    }
    return 0;
  }

  private static void report(String what, GcReport report) {
    for (CacheEntry entry : report.deleted()) {
      System.out.println("pylon: deleted " + entry.dir());
    }
    for (CacheEntry entry : report.busy()) {
      System.out.println("pylon: kept " + entry.dir() + " (a build holds it)");
    }
    System.out.println(
        "pylon: "
            + what
            + ": "
            + report.deleted().size()
            + " deleted, "
            + report.kept().size()
            + " kept");
  }
}
