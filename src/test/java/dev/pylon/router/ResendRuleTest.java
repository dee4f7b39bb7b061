package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pylon.router.ResendRule.Ending;
import dev.pylon.router.ResendRule.Failure;
import dev.pylon.router.ResendRule.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The resend rule, case by case and over every combination of what it sees. */
class ResendRuleTest {
  private static final String EXIT = "instance web-2 exited with status 3";

  /** A GET on a pooled connection, nothing known yet: vary one thing per case. */
  private static F get() {
    return new F();
  }

  /** A Failure with every input named; starts as a complete bodyless GET on a pooled connection. */
  private static final class F {
    private Ending ending = Ending.CLOSED;
    private boolean pooled = true;
    private boolean answered;
    private boolean resentToThis;
    private boolean complete = true;
    private boolean hasBody;
    private boolean bodyHeld = true;
    private boolean idempotent = true;
    private boolean key;
    private int resends;
    private int attempts = 1;
    private boolean another = true;
    private String exit;
    private boolean asked;

    F ending(Ending e) {
      ending = e;
      return this;
    }

    F fresh() {
      pooled = false;
      return this;
    }

    F answered() {
      answered = true;
      return this;
    }

    F resent() {
      resentToThis = true;
      resends = 1;
      return this;
    }

    F incomplete() {
      complete = false;
      return this;
    }

    F body(boolean present, boolean held) {
      hasBody = present;
      bodyHeld = held;
      return this;
    }

    F post() {
      idempotent = false;
      return this;
    }

    F key() {
      key = true;
      return this;
    }

    F resends(int n) {
      resends = n;
      return this;
    }

    F attempts(int n) {
      attempts = n;
      return this;
    }

    F another(boolean b) {
      another = b;
      return this;
    }

    F exit() {
      exit = EXIT;
      return this;
    }

    F asked() {
      asked = true;
      return this;
    }

    Failure build() {
      return new Failure(
          ending,
          pooled,
          answered,
          resentToThis,
          complete,
          hasBody,
          bodyHeld,
          idempotent,
          key,
          resends,
          attempts,
          2,
          another,
          exit,
          asked);
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // nothing was sent: another instance, while retries and instances last
        Arguments.of("refused, others left", get().ending(Ending.NOT_CONNECTED).build(), "another"),
        Arguments.of(
            "refused, retries used up",
            get().ending(Ending.NOT_CONNECTED).attempts(3).build(),
            "502 could not connect to an instance of the app"),
        Arguments.of(
            "refused, no other instance",
            get().ending(Ending.NOT_CONNECTED).another(false).build(),
            "502 could not connect to an instance of the app"),
        Arguments.of(
            "refused POST with a body: nothing was sent",
            get().ending(Ending.NOT_CONNECTED).post().body(true, true).build(),
            "another"),
        // the keep-alive race on a pooled connection: once more to the same instance
        Arguments.of("pooled GET closed", get().build(), "same"),
        Arguments.of("pooled GET reset", get().ending(Ending.RESET).build(), "same"),
        Arguments.of("pooled POST reset unread", get().post().ending(Ending.RESET).build(), "same"),
        Arguments.of("pooled POST closed: ask first", get().post().build(), "ask"),
        Arguments.of(
            "pooled POST closed, asked",
            get().post().asked().build(),
            "502 the instance closed the connection before responding"),
        Arguments.of("pooled POST with Idempotency-Key", get().post().key().build(), "same"),
        Arguments.of("pooled GET whose body was not kept", get().body(true, false).build(), "ask"),
        Arguments.of("pooled GET whose body was kept", get().body(true, true).build(), "same"),
        Arguments.of("pooled GET still arriving", get().incomplete().build(), "ask"),
        Arguments.of("pooled GET, a byte came back", get().answered().build(), "ask"),
        Arguments.of(
            "pooled GET, a byte came back, asked",
            get().answered().asked().build(),
            "502 the instance sent an incomplete response"),
        // the resend to the same instance is refused: it went away with the request
        Arguments.of("resend refused", get().ending(Ending.NOT_CONNECTED).resent().build(), "ask"),
        Arguments.of(
            "resend refused, asked, no word",
            get().ending(Ending.NOT_CONNECTED).resent().asked().build(),
            "502 the instance stopped accepting connections while handling this request"),
        Arguments.of(
            "resend refused, the instance exited",
            get().ending(Ending.NOT_CONNECTED).resent().exit().build(),
            "502 " + EXIT + " while handling this request"),
        // at most one resend
        Arguments.of("resend closed too", get().resent().resends(1).build(), "ask"),
        Arguments.of("resend reset too", get().ending(Ending.RESET).resends(1).build(), "ask"),
        // new connections: a reset of a bodyless idempotent request goes elsewhere
        Arguments.of("fresh GET reset", get().fresh().ending(Ending.RESET).build(), "another"),
        Arguments.of(
            "fresh GET reset, no other instance",
            get().fresh().ending(Ending.RESET).another(false).build(),
            "ask"),
        Arguments.of(
            "fresh GET reset, retries used up",
            get().fresh().ending(Ending.RESET).attempts(3).build(),
            "ask"),
        Arguments.of(
            "fresh PUT with a body reset",
            get().fresh().ending(Ending.RESET).body(true, true).build(),
            "ask"),
        Arguments.of("fresh POST reset", get().fresh().post().ending(Ending.RESET).build(), "ask"),
        // the query of death: a clean close after the instance read the request
        Arguments.of("fresh GET closed", get().fresh().build(), "ask"),
        Arguments.of(
            "fresh GET closed, asked, no word",
            get().fresh().asked().build(),
            "502 the instance closed the connection before responding"),
        Arguments.of(
            "fresh GET closed, the instance exited",
            get().fresh().exit().build(),
            "502 " + EXIT + " while handling this request"),
        Arguments.of(
            "pooled GET closed, the instance exited",
            get().exit().build(),
            "502 " + EXIT + " while handling this request"),
        Arguments.of(
            "fresh GET reset, the instance exited",
            get().fresh().ending(Ending.RESET).exit().build(),
            "502 " + EXIT + " while handling this request"),
        Arguments.of(
            "refused elsewhere after an exit elsewhere: nothing was sent here",
            get().ending(Ending.NOT_CONNECTED).exit().build(),
            "another"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decides(String name, Failure failure, String expected) {
    assertThat(describe(ResendRule.decide(failure))).isEqualTo(expected);
  }

  @Test
  void overEveryCombinationNoRequestIsSentTwiceOrAfterItMayHaveBeenActedOn() {
    List<Failure> all = everyFailure();
    assertThat(all).hasSize(3 * 2 * 3 * 2048);
    for (Failure f : all) {
      Verdict v = ResendRule.decide(f);
      boolean instanceHadIt = f.ending() != Ending.NOT_CONNECTED || f.resentToThis();
      if (v instanceof Verdict.SendAgain again) {
        String why = f.toString();
        assertThat(f.instanceExit() == null || !instanceHadIt).as(why).isTrue();
        assertThat(f.answered() && instanceHadIt).as(why).isFalse();
        if (instanceHadIt) {
          assertThat(f.resends()).as("at most one resend: " + why).isZero();
          assertThat(f.requestComplete()).as(why).isTrue();
          assertThat(!f.hasBody() || f.bodyHeld()).as(why).isTrue();
          assertThat(f.resentToThis()).as(why).isFalse();
          // a clean close goes nowhere else, and to the same instance only if repeatable
          if (f.ending() == Ending.CLOSED) {
            assertThat(again.sameInstance()).as(why).isTrue();
            assertThat(f.idempotentMethod() || f.idempotencyKey()).as(why).isTrue();
          }
          if (again.sameInstance()) {
            assertThat(f.pooled()).as(why).isTrue();
          } else {
            assertThat(f.ending() == Ending.RESET && f.idempotentMethod() && !f.hasBody())
                .as(why)
                .isTrue();
          }
        } else {
          assertThat(again.sameInstance()).as(why).isFalse();
        }
        if (!again.sameInstance()) {
          assertThat(f.anotherInstance() && f.attempts() <= f.maxRetries()).as(why).isTrue();
        }
      }
      if (v instanceof Verdict.AskForExit) {
        assertThat(f.exitAsked()).as(f.toString()).isFalse();
        assertThat(instanceHadIt).as(f.toString()).isTrue();
        assertThat(f.instanceExit()).as(f.toString()).isNull();
      }
      if (v instanceof Verdict.Fail fail) {
        assertThat(fail.status()).isEqualTo(502);
        if (instanceHadIt) {
          assertThat(f.exitAsked() || f.instanceExit() != null).as(f.toString()).isTrue();
        }
        if (instanceHadIt && f.instanceExit() != null) {
          assertThat(fail.text()).isEqualTo(f.instanceExit() + " while handling this request");
        }
      }
    }
  }

  private static List<Failure> everyFailure() {
    List<Failure> all = new ArrayList<>();
    for (Ending ending : Ending.values()) {
      for (int resends = 0; resends <= 1; resends++) {
        for (int attempts = 1; attempts <= 3; attempts++) {
          for (int bits = 0; bits < 2048; bits++) {
            all.add(
                new Failure(
                    ending,
                    (bits & 1) != 0,
                    (bits & 2) != 0,
                    (bits & 4) != 0,
                    (bits & 8) != 0,
                    (bits & 16) != 0,
                    (bits & 32) != 0,
                    (bits & 64) != 0,
                    (bits & 128) != 0,
                    resends,
                    attempts,
                    2,
                    (bits & 256) != 0,
                    (bits & 512) != 0 ? EXIT : null,
                    (bits & 1024) != 0));
          }
        }
      }
    }
    return all;
  }

  private static String describe(Verdict v) {
    return switch (v) {
      case Verdict.SendAgain again -> again.sameInstance() ? "same" : "another";
      case Verdict.AskForExit ask -> "ask";
      case Verdict.Fail fail -> fail.status() + " " + fail.text();
    };
  }
}
