package dev.pylon.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A stand-in for a Pylon process that gets SIGKILLed: starts one instance, prints its pid, and
 * waits to be killed. Run in its own JVM by {@link ParentDeathTest}.
 */
public final class ChildPylon {
  private ChildPylon() {}

  public static void main(String[] args) throws Exception {
    InstanceTemplate template =
        new InstanceTemplate(
            "svc",
            "child",
            List.of("sh", "-c", "exec python3 -m http.server --bind 127.0.0.1 $PORT"),
            Map.of(),
            Path.of(args[0]));
    InstanceListener quiet =
        new InstanceListener() {
          @Override
          public void readyChanged(List<ReadyInstance> ready) {}

          @Override
          public void event(InstanceEvent event) {}

          @Override
          public void output(String instance, boolean stderr, String line) {}
        };
    InstanceSet set = new InstanceSet(template, 1, quiet, SupervisorOptions.defaults());
    set.start();
    if (!set.awaitFirstReady(Duration.ofSeconds(20)).ready()) {
      System.out.println("not-ready");
      System.exit(1);
    }
    System.out.println("instance-pid=" + set.instances().getFirst().pid());
    System.out.flush();
    Thread.sleep(Duration.ofMinutes(2));
    set.close();
  }
}
