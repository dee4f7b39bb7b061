package dev.pylon.control.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConsoleAuthTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ConsoleAuth auth = new ConsoleAuth(clock, new SecureRandom());

  @Test
  void aLoginTokenWorksOnceAndGivesASessionWithItsOwnCsrfToken() {
    String token = auth.newLoginToken();
    Optional<ConsoleAuth.Session> session = auth.logIn(token);
    assertThat(session).isPresent();
    assertThat(session.get().csrf()).isNotEqualTo(session.get().id()).hasSize(64);
    assertThat(auth.logIn(token)).isEmpty();
    assertThat(auth.session(session.get().id())).isPresent();
  }

  @Test
  void unknownEmptyAndMissingTokensGiveNothing() {
    auth.newLoginToken();
    assertThat(auth.logIn(null)).isEmpty();
    assertThat(auth.logIn("")).isEmpty();
    assertThat(auth.logIn("0".repeat(64))).isEmpty();
    assertThat(auth.session(null)).isEmpty();
    assertThat(auth.session("nope")).isEmpty();
  }

  @Test
  void anUnusedLoginTokenExpires() {
    String token = auth.newLoginToken();
    clock.advance(ConsoleAuth.LOGIN_TOKEN_LIFETIME.plusSeconds(1));
    assertThat(auth.logIn(token)).isEmpty();
  }

  @Test
  void anIdleSessionIsForgottenAndAUsedOneKept() {
    ConsoleAuth.Session kept = auth.logIn(auth.newLoginToken()).orElseThrow();
    ConsoleAuth.Session idle = auth.logIn(auth.newLoginToken()).orElseThrow();
    clock.advance(ConsoleAuth.SESSION_IDLE.minusMinutes(1));
    assertThat(auth.session(kept.id())).isPresent();
    clock.advance(Duration.ofMinutes(2));
    assertThat(auth.session(idle.id())).isEmpty();
    assertThat(auth.session(kept.id())).isPresent();
  }

  @Test
  void onlyTheNewestLoginTokensAreKept() {
    String first = auth.newLoginToken();
    for (int i = 0; i < ConsoleAuth.MAX_LOGIN_TOKENS; i++) {
      clock.advance(Duration.ofSeconds(1));
      auth.newLoginToken();
    }
    assertThat(auth.logIn(first)).isEmpty();
  }

  @Test
  void loggingOutEndsTheSession() {
    ConsoleAuth.Session session = auth.logIn(auth.newLoginToken()).orElseThrow();
    auth.logOut(session.id());
    assertThat(auth.session(session.id())).isEmpty();
  }

  @Test
  void theCsrfTokenMustMatchExactly() {
    ConsoleAuth.Session session = auth.logIn(auth.newLoginToken()).orElseThrow();
    assertThat(ConsoleAuth.csrfMatches(session, session.csrf())).isTrue();
    assertThat(ConsoleAuth.csrfMatches(session, null)).isFalse();
    assertThat(ConsoleAuth.csrfMatches(session, "")).isFalse();
    assertThat(ConsoleAuth.csrfMatches(session, session.id())).isFalse();
    assertThat(ConsoleAuth.csrfMatches(session, session.csrf() + "0")).isFalse();
  }

  @Test
  void theCookieIsHttpOnlyStrictAndFoundAmongOthers() {
    ConsoleAuth.Session session = auth.logIn(auth.newLoginToken()).orElseThrow();
    assertThat(ConsoleAuth.cookieFor(session))
        .startsWith(ConsoleAuth.COOKIE + "=" + session.id())
        .contains("HttpOnly")
        .contains("SameSite=Strict")
        .contains("Path=/console");
    assertThat(ConsoleAuth.cookieValue("a=1; " + ConsoleAuth.COOKIE + "=abc; b=2")).contains("abc");
    assertThat(ConsoleAuth.cookieValue("a=1")).isEmpty();
    assertThat(ConsoleAuth.cookieValue(null)).isEmpty();
    assertThat(ConsoleAuth.clearedCookie()).contains("Max-Age=0");
  }

  private static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
