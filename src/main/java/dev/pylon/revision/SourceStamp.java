package dev.pylon.revision;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a snapshot of an app folder would take from it, by name, size and modification time (not
 * content): two equal stamps taken before and after a snapshot say that nothing it copied changed
 * meanwhile. Cheap: one walk and one {@code stat} a file.
 */
public record SourceStamp(List<String> files) {
  public SourceStamp {
    files = List.copyOf(files);
  }

  /**
   * The stamp of {@code appDir} as {@link RevisionSnapshots} reads it (its ignore files honoured,
   * the state folder {@code stateDir} left out).
   */
  public static SourceStamp of(Path appDir, Path stateDir) throws IOException {
    List<String> files = new ArrayList<>();
    for (SourceFiles.Entry entry : SourceFiles.of(appDir, stateDir).entries()) {
      files.add(entry.relativePath() + "\0" + stamp(entry.source()));
    }
    return new SourceStamp(files);
  }

  private static String stamp(Path file) throws IOException {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return a.size() + "\0" + a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
    } catch (NoSuchFileException e) {
      return "absent";
    }
  }
}
