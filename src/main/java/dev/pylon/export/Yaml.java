package dev.pylon.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * YAML text of manifests built as ordered maps and lists. Strings that look like numbers or
 * booleans are quoted, so Kubernetes reads annotation and env values as the strings they must be.
 */
final class Yaml {
  private static final ObjectMapper MAPPER =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
              .build());

  private Yaml() {}

  /** One YAML document per object, separated by {@code ---}, after comment paragraphs. */
  static String documents(List<String> headerParagraphs, List<?> documents) {
    StringBuilder header = new StringBuilder();
    for (String paragraph : headerParagraphs) {
      for (String line : Comments.wrap(paragraph)) {
        header.append(line).append('\n');
      }
    }
    return header + documents.stream().map(Yaml::write).collect(Collectors.joining("---\n"));
  }

  private static String write(Object document) {
    try {
      return MAPPER.writeValueAsString(document);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
