package dev.pylon.export;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.List;

/** JSON text for the Dockerfile's exec-form instructions. */
final class Json {
  private Json() {}

  /** {@code ["a", "b"]}: a JSON array of strings, spaced as Dockerfiles usually are. */
  static String array(List<String> items) {
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        out.append(", ");
      }
      out.append('"')
          .append(JsonStringEncoder.getInstance().quoteAsString(items.get(i)))
          .append('"');
    }
    return out.append(']').toString();
  }
}
