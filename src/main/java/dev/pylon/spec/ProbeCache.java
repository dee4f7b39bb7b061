package dev.pylon.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The app probe's answers, kept in {@code STATE/probe-cache/} so that the same app is not imported
 * again while nothing it read has changed. An entry is named by what the probe was asked (the
 * interpreter, the probe script, the folder, the module and attribute, the environment) and holds
 * the answer with every path the import opened or listed (Python's audit events {@code open} and
 * {@code os.listdir}/{@code os.scandir}, with the source of every {@code .pyc}), each with its size
 * and modification time, or that it was absent. An entry is used only while every one of them is as
 * it was; a file that changed while the probe ran keeps its answer out of the cache.
 */
final class ProbeCache {
  private static final long ABSENT = -1;
  private final ObjectMapper json = new ObjectMapper();
  private final Path dir;

  ProbeCache(Path dir) {
    this.dir = dir;
  }

  /** The key of a probe: a digest of everything it was given. */
  static String key(List<String> inputs) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String input : inputs) {
        digest.update(input.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
      }
      return HexFormat.of().formatHex(digest.digest(), 0, 20);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * What is stored under {@code key}: the answer line, if any, and whether every path it read is
   * still as it was (only then may it be used as it is).
   */
  record Found(Optional<String> answer, boolean current) {
    static final Found NONE = new Found(Optional.empty(), false);
  }

  /** The answer stored under {@code key}, and whether it is current. */
  Found lookup(String key) {
    JsonNode entry;
    try {
      entry = json.readTree(Files.readString(dir.resolve(key + ".json")));
    } catch (IOException | RuntimeException e) {
      return Found.NONE; // absent, half-written by a crash, or from another version
    }
    JsonNode reads = entry.path("reads");
    if (!entry.path("answer").isTextual() || !reads.isArray()) {
      return Found.NONE;
    }
    Optional<String> answer = Optional.of(entry.path("answer").asText());
    for (JsonNode read : reads) {
      long[] now = stamp(Path.of(read.path(0).asText()));
      if (now[0] != read.path(1).asLong() || now[1] != read.path(2).asLong()) {
        return new Found(answer, false);
      }
    }
    return new Found(answer, true);
  }

  /**
   * Keeps {@code answer} under {@code key} with the paths it read, unless one of them changed after
   * {@code startedMillis} (while the probe ran: its state then is not known).
   */
  void store(String key, String answer, List<String> reads, long startedMillis) {
    ObjectNode entry = json.createObjectNode();
    entry.put("answer", answer);
    ArrayNode stamps = entry.putArray("reads");
    long startedNanos = TimeUnit.MILLISECONDS.toNanos(startedMillis - 1000);
    for (String read : reads) {
      long[] stamp = stamp(Path.of(read));
      if (stamp[1] >= startedNanos) {
        return;
      }
      stamps.addArray().add(read).add(stamp[0]).add(stamp[1]);
    }
    try {
      Files.createDirectories(dir);
      Path partial = Files.createTempFile(dir, key, ".partial");
      Files.writeString(partial, json.writeValueAsString(entry));
      try {
        Files.move(partial, dir.resolve(key + ".json"), StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(partial, dir.resolve(key + ".json"), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      // Not kept: the next load probes again.
    }
  }

  /** Size (for a folder: -2) and modification time in nanoseconds, or -1 and -1 when absent. */
  private static long[] stamp(Path path) {
    try {
      BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
      return new long[] {
        a.isDirectory() ? -2 : a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS)
      };
    } catch (NoSuchFileException e) {
      return new long[] {ABSENT, ABSENT};
    } catch (IOException e) {
      return new long[] {ABSENT, -3}; // unreadable now: never equal to a stored stamp
    }
  }
}
