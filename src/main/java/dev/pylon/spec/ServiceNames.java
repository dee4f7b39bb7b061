package dev.pylon.spec;

import java.util.Locale;

/** Service names as Cloud Run and App Engine accept them. */
public final class ServiceNames {
  private ServiceNames() {}

  /** Lowercase {@code [a-z0-9-]}, starting with a letter, at most 63 characters. */
  public static String sanitize(String raw) {
    String name = raw.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    name = name.replaceAll("^-+|-+$", "");
    if (name.isEmpty()) {
      name = "app";
    }
    if (!Character.isLetter(name.charAt(0))) {
      name = "app-" + name;
    }
    if (name.length() > 63) {
      name = name.substring(0, 63).replaceAll("-+$", "");
    }
    return name;
  }
}
