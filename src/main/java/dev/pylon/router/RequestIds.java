package dev.pylon.router;

import java.util.concurrent.ThreadLocalRandom;

/** X-Request-Id (kept when well-formed, else made) and W3C traceparent (made when absent). */
final class RequestIds {
  static final String X_REQUEST_ID = "x-request-id";
  static final String TRACEPARENT = "traceparent";
  private static final int MAX_ID_LENGTH = 128;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestIds() {}

  /** A client-supplied id is kept only if it is short and made of safe characters. */
  static boolean isWellFormedRequestId(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "-_.:+/=@".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static String newRequestId() {
    return hex(16);
  }

  /** {@code 00-<trace-id>-<parent-id>-<flags>}, lower-case hex, ids not all zero. */
  static boolean isValidTraceparent(String value) {
    if (value == null || value.length() != 55) {
      return false;
    }
    if (value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-') {
      return false;
    }
    if (!value.startsWith("00")) {
      return false;
    }
    return isHex(value, 3, 35)
        && isHex(value, 36, 52)
        && isHex(value, 53, 55)
        && !allZero(value, 3, 35)
        && !allZero(value, 36, 52);
  }

  static String newTraceparent() {
    return "00-" + hex(16) + "-" + hex(8) + "-01";
  }

  private static boolean isHex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean allZero(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }

  private static String hex(int bytes) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] out = new char[bytes * 2];
    for (int i = 0; i < bytes; i += 8) {
      long bits = random.nextLong();
      for (int j = 0; j < 8 && i + j < bytes; j++) {
        int b = (int) (bits >>> (j * 8)) & 0xff;
        out[(i + j) * 2] = HEX[b >>> 4];
        out[(i + j) * 2 + 1] = HEX[b & 0xf];
      }
    }
    // An all-zero id is invalid in W3C trace context; the odds are nil but the fix is free.
    if (new String(out).chars().allMatch(c -> c == '0')) {
      out[out.length - 1] = '1';
    }
    return new String(out);
  }
}
