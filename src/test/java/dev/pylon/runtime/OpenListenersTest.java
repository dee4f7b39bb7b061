package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pylon.runtime.InstanceEvent.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11, finding 13: in the sandbox, an instance listening on every interface is named. */
class OpenListenersTest {
  private static final String TCP =
      """
        sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid
         0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000
         1: 0100007F:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000
         2: 00000000:1F92 0100007F:C4E4 01 00000000:00000000 00:00000000 00000000  1000
      """;
  private static final String TCP6 =
      """
        sl  local_address                         remote_address                        st
         0: 00000000000000000000000000000000:1F93 00000000000000000000000000000000:0000 0A
         1: 00000000000000000000000001000000:1F94 00000000000000000000000000000000:0000 0A
      """;

  @TempDir Path dir;

  @Test
  void everyInterfaceIsTheAnyAddressOfAListeningSocketOnThePort() {
    assertThat(OpenListeners.listensOnEveryInterface(TCP, 8080)).isTrue(); // 0.0.0.0:8080
    assertThat(OpenListeners.listensOnEveryInterface(TCP, 8081)).isFalse(); // 127.0.0.1
    assertThat(OpenListeners.listensOnEveryInterface(TCP, 8082)).isFalse(); // not listening
    assertThat(OpenListeners.listensOnEveryInterface(TCP6, 8083)).isTrue(); // [::]
    assertThat(OpenListeners.listensOnEveryInterface(TCP6, 8084)).isFalse(); // [::1]
    assertThat(OpenListeners.listensOnEveryInterface(TCP, 9999)).isFalse();
  }

  @Test
  void aSandboxedInstanceBindingEveryInterfaceGetsOneWarningAndALoopbackOneNone() throws Exception {
    Assumptions.assumeTrue(Sandbox.bubblewrap().isPresent(), "bubblewrap is not installed");
    assertThat(warnings("exec python3 -m http.server --bind 0.0.0.0 $PORT"))
        .singleElement()
        .satisfies(w -> assertThat(w).contains("listens on every interface"));
    assertThat(warnings("exec python3 -m http.server --bind 127.0.0.1 $PORT")).isEmpty();
  }

  private List<String> warnings(String command) throws Exception {
    InstanceTemplate template =
        new InstanceTemplate("svc", "rev", List.of("sh", "-c", command), Map.of(), dir);
    RecordingListener listener = new RecordingListener();
    SupervisorOptions options =
        SupervisorOptions.defaults()
            .withGrace(Duration.ofSeconds(2))
            .withSandbox(new Sandbox(List.of(), List.of(dir)));
    try (InstanceSet set = new InstanceSet(template, 1, listener, options)) {
      set.start();
      StartOutcome outcome = set.awaitFirstReady(Duration.ofSeconds(30));
      assertThat(outcome.ready()).as("%s", outcome).isTrue();
      listener.awaitEvent(e -> e.kind() == Kind.READY);
      set.instances(); // the warning, if any, comes with READY on the supervisor thread
      return listener.events().stream()
          .filter(e -> e.kind() == Kind.WARNING)
          .map(InstanceEvent::detail)
          .toList();
    }
  }
}
