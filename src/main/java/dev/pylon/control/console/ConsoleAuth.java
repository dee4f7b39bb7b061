package dev.pylon.control.console;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Who may see the console: Jupyter's login convention with one-time tokens. The daemon prints a URL
 * with a login token; visiting it trades the token (once) for a session, kept in an HttpOnly,
 * SameSite=Strict cookie, and each session has its own CSRF token that every state-changing call
 * must carry. Sessions live in memory: a restarted daemon asks for a new login ({@code pylon
 * console}).
 */
final class ConsoleAuth {
  static final String COOKIE = "pylon_console";

  /** A login URL printed and never visited stops working after this. */
  static final Duration LOGIN_TOKEN_LIFETIME = Duration.ofHours(24);

  /** A session nobody used for this long is forgotten. */
  static final Duration SESSION_IDLE = Duration.ofHours(12);

  /** At most this many unused login tokens are kept; the oldest goes first. */
  static final int MAX_LOGIN_TOKENS = 32;

  static final int MAX_SESSIONS = 256;

  /** One browser's login. */
  record Session(String id, String csrf, Instant lastUsed) {}

  private final Clock clock;
  private final SecureRandom random;
  private final Map<String, Instant> loginTokens = new HashMap<>();
  private final Map<String, Session> sessions = new HashMap<>();

  ConsoleAuth(Clock clock, SecureRandom random) {
    this.clock = clock;
    this.random = random;
  }

  /** A new one-time login token. */
  synchronized String newLoginToken() {
    forgetExpired();
    while (loginTokens.size() >= MAX_LOGIN_TOKENS) {
      oldest(loginTokens).ifPresent(loginTokens::remove);
    }
    String token = randomHex();
    loginTokens.put(token, clock.instant());
    return token;
  }

  /** Trades a login token for a new session; empty when the token is unknown, used or expired. */
  synchronized Optional<Session> logIn(String loginToken) {
    forgetExpired();
    if (loginToken == null) {
      return Optional.empty();
    }
    String known = null;
    for (String candidate : loginTokens.keySet()) {
      if (constantTimeEquals(candidate, loginToken)) {
        known = candidate;
      }
    }
    if (known == null) {
      return Optional.empty();
    }
    loginTokens.remove(known);
    while (sessions.size() >= MAX_SESSIONS) {
      sessions.values().stream()
          .min(java.util.Comparator.comparing(Session::lastUsed))
          .ifPresent(s -> sessions.remove(s.id()));
    }
    Session session = new Session(randomHex(), randomHex(), clock.instant());
    sessions.put(session.id(), session);
    return Optional.of(session);
  }

  /** The session a cookie value names, marked as used now; empty when there is none. */
  synchronized Optional<Session> session(String cookieValue) {
    forgetExpired();
    if (cookieValue == null) {
      return Optional.empty();
    }
    Session found = sessions.get(cookieValue);
    if (found == null) {
      return Optional.empty();
    }
    Session used = new Session(found.id(), found.csrf(), clock.instant());
    sessions.put(used.id(), used);
    return Optional.of(used);
  }

  /** Whether a state-changing call carries the session's CSRF token. */
  static boolean csrfMatches(Session session, String offered) {
    return offered != null && constantTimeEquals(session.csrf(), offered);
  }

  synchronized void logOut(String cookieValue) {
    if (cookieValue != null) {
      sessions.remove(cookieValue);
    }
  }

  /** The {@code Set-Cookie} value for a session: not readable by scripts, never sent cross-site. */
  static String cookieFor(Session session) {
    return COOKIE + "=" + session.id() + "; Path=/console; HttpOnly; SameSite=Strict";
  }

  /** The {@code Set-Cookie} value that forgets the cookie. */
  static String clearedCookie() {
    return COOKIE + "=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0";
  }

  /** The console cookie's value in a {@code Cookie} header, if any. */
  static Optional<String> cookieValue(String cookieHeader) {
    if (cookieHeader == null) {
      return Optional.empty();
    }
    for (String part : cookieHeader.split(";")) {
      String pair = part.strip();
      if (pair.startsWith(COOKIE + "=")) {
        return Optional.of(pair.substring(COOKIE.length() + 1));
      }
    }
    return Optional.empty();
  }

  private void forgetExpired() {
    Instant now = clock.instant();
    loginTokens.values().removeIf(made -> made.plus(LOGIN_TOKEN_LIFETIME).isBefore(now));
    for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
      if (it.next().lastUsed().plus(SESSION_IDLE).isBefore(now)) {
        it.remove();
      }
    }
  }

  private static Optional<String> oldest(Map<String, Instant> made) {
    return made.entrySet().stream().min(Map.Entry.comparingByValue()).map(Map.Entry::getKey);
  }

  private String randomHex() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        b.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }
}
