package dev.pylon.export;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an export produced: files to write and notes for the person who asked.
 *
 * @param files file name (relative to the output folder) to its contents, in the order to show
 * @param notes things the user should know about the output, one sentence each (for example what a
 *     target platform cannot express); empty when there is nothing to say
 */
public record ExportResult(Map<String, String> files, List<String> notes) {

  public ExportResult {
    files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
    notes = List.copyOf(notes);
  }
}
