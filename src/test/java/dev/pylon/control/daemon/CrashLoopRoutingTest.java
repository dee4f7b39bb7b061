package dev.pylon.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pylon.router.Router;
import dev.pylon.router.RouterConfig;
import dev.pylon.runtime.ProcessLauncher;
import dev.pylon.runtime.RestartBackoff;
import dev.pylon.runtime.SupervisorOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A serving revision whose app crashes at every import: requests wait while its instance restarts,
 * and once the instance is in a crash loop they get 503 at once, naming the crash loop and where
 * its output is, without the app's output itself. A real store, router and Python process; restart
 * delays shortened so the loop shows within a second or two.
 */
class CrashLoopRoutingTest {
  private static final String CRASH =
      "import sys; print('boom: DATABASE_PASSWORD=hunter2', flush=True); sys.exit(3)";

  @TempDir Path state;
  private Store store;
  private Router router;
  private Reconciler reconciler;
  private RevisionLogs logs;

  @AfterEach
  void stop() {
    if (router != null) {
      router.drain(Duration.ofSeconds(1));
    }
    if (reconciler != null) {
      reconciler.close();
    }
    if (router != null) {
      router.close();
    }
    if (logs != null) {
      logs.close();
    }
    if (store != null) {
      store.close();
    }
  }

  @Test
  @Timeout(60)
  void aRevisionThatAlwaysCrashesAtImportAnswers503AtOnceNamingTheCrashLoop() throws Exception {
    String revision = serve(List.of("/usr/bin/python3", "-c", CRASH));
    int port = startRouterAndReconciler();

    // Sent while its instance starts and restarts: it waits, and is answered once the crash loop
    // is known (RawHttp gives up after 10 s; the queue would hold it for 30).
    RawHttp.Response first = RawHttp.get(port, "web.localhost", "/");
    assertThat(first.status()).isEqualTo(503);
    assertThat(first.body()).contains("revision " + revision + " is in a crash loop");

    RawHttp.Response later = RawHttp.get(port, "web.localhost", "/");
    assertThat(later.status()).isEqualTo(503);
    assertThat(later.body())
        .contains("is in a crash loop")
        .contains("exits in a row")
        .contains(logs.file(revision).toString())
        .contains("pylon logs web")
        .doesNotContain("hunter2");
    // The lines are where the answer says.
    assertThat(String.join("\n", logs.tail(revision, 20))).contains("hunter2");
  }

  /** Records service "web" with one instance and all its traffic on a revision running command. */
  private String serve(List<String> command) {
    store = Store.open(state.resolve(Daemon.DATABASE));
    Instant now = Instant.now();
    store.ensureService("web", now);
    store.setScaling("web", new Scaling(1, 1, 80));
    RevisionRecord revision =
        store.addRevision(
            "web",
            "/usr/bin/python3",
            Optional.empty(),
            "{}",
            new LaunchSpec(command, Map.of(), state),
            Map.of(),
            now);
    store.setTraffic("web", List.of(TrafficTarget.revision(revision.id(), 100)));
    return revision.id();
  }

  private int startRouterAndReconciler() throws InterruptedException {
    router = new Router(RouterConfig.defaults("127.0.0.1", 0));
    int port = router.start().getPort();
    SupervisorOptions options =
        SupervisorOptions.defaults()
            .withGrace(Duration.ofSeconds(1))
            .withRunDir(state.resolve("run"))
            .withRestartBackoff(
                new RestartBackoff.Policy(
                    Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofMinutes(1)));
    logs = new RevisionLogs(state);
    reconciler =
        new Reconciler(
            store,
            router,
            Optional.empty(),
            revision -> options,
            revision -> ProcessLauncher::new,
            logs,
            Duration.ofSeconds(60),
            Duration.ofSeconds(30));
    router.onActivation(reconciler::activate);
    reconciler.start();
    reconciler.reconcileAndWait(Duration.ofSeconds(10)); // routes published
    return port;
  }
}
