package dev.pylon.router;

import java.util.Locale;

/** Absolute-form request targets ({@code http://host/path}): split into authority and path. */
final class AbsoluteForm {
  private AbsoluteForm() {}

  /** The authority of an http(s) absolute-form target, or null if {@code uri} is not one. */
  static String authority(String uri) {
    int start = schemeEnd(uri);
    if (start < 0) {
      return null;
    }
    int end = pathStart(uri, start);
    String authority = uri.substring(start, end);
    if (authority.isEmpty() || authority.indexOf('@') >= 0) {
      return null; // userinfo in a request target is never legitimate
    }
    return authority;
  }

  /** The origin-form path (and query) of an absolute-form target; {@code /} when it has none. */
  static String path(String uri) {
    int start = schemeEnd(uri);
    int end = pathStart(uri, start);
    if (end == uri.length()) {
      return "/";
    }
    return uri.charAt(end) == '/' ? uri.substring(end) : "/" + uri.substring(end);
  }

  static boolean isAbsolute(String uri) {
    return !uri.isEmpty() && uri.charAt(0) != '/' && schemeEnd(uri) >= 0;
  }

  private static int schemeEnd(String uri) {
    String lower = uri.length() >= 8 ? uri.substring(0, 8).toLowerCase(Locale.ROOT) : uri;
    if (lower.startsWith("http://")) {
      return 7;
    }
    if (lower.startsWith("https://")) {
      return 8;
    }
    return -1;
  }

  private static int pathStart(String uri, int from) {
    for (int i = from; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c == '/' || c == '?') {
        return i;
      }
    }
    return uri.length();
  }
}
