package dev.pylon.router;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** X-Request-Id (kept when well-formed, else made) and W3C traceparent (made when absent). */
final class RequestIds {
  static final String X_REQUEST_ID = "x-request-id";
  static final String TRACEPARENT = "traceparent";
  private static final int MAX_ID_LENGTH = 128;
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

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
    byte[] out = new byte[32];
    ThreadLocalRandom random = ThreadLocalRandom.current();
    writeHex(out, 0, random.nextLong());
    writeHex(out, 16, random.nextLong() | 1L); // never all zero
    return new String(out, StandardCharsets.ISO_8859_1);
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

  /** {@code 00-<32 hex trace id>-<16 hex parent id>-01}, built in one buffer (per request). */
  static String newTraceparent() {
    byte[] out = new byte[55];
    ThreadLocalRandom random = ThreadLocalRandom.current();
    out[0] = '0';
    out[1] = '0';
    out[2] = '-';
    writeHex(out, 3, random.nextLong());
    writeHex(out, 19, random.nextLong() | 1L);
    out[35] = '-';
    writeHex(out, 36, random.nextLong() | 1L);
    out[52] = '-';
    out[53] = '0';
    out[54] = '1';
    return new String(out, StandardCharsets.ISO_8859_1);
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

  private static void writeHex(byte[] out, int at, long bits) {
    for (int i = 15; i >= 0; i--) {
      out[at + i] = HEX[(int) (bits & 0xf)];
      bits >>>= 4;
    }
  }
}
