package dev.pylon.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A stand-in for a Pylon process that gets SIGKILLed: starts one instance that forks a {@code
 * sleep} of its own, prints both pids, and waits to be killed. Run in its own JVM by {@link
 * ParentDeathTest}. Arguments: the working directory, then the run directory for pid files, then
 * optionally {@code second}: end the strays in the run directory first (as {@code pylon run} does
 * when it starts), print what was ended, and stop again once the instance is ready.
 */
public final class ChildPylon {
  private ChildPylon() {}

  public static void main(String[] args) throws Exception {
    boolean second = args.length > 2 && args[2].equals("second");
    if (second) {
      System.out.println("ended=" + StrayInstances.endAll(Path.of(args[1])));
    }
    InstanceTemplate template =
        new InstanceTemplate(
            "svc",
            "child",
            List.of(
                "sh",
                "-c",
                "sleep 1000 & echo sleeper=$!; exec python3 -m http.server --bind 127.0.0.1 $PORT"),
            Map.of(),
            Path.of(args[0]));
    InstanceListener printing =
        new InstanceListener() {
          @Override
          public void readyChanged(List<ReadyInstance> ready) {}

          @Override
          public void event(InstanceEvent event) {}

          @Override
          public void output(String instance, boolean stderr, String line) {
            System.out.println(line);
            System.out.flush();
          }
        };
    SupervisorOptions options = SupervisorOptions.defaults().withRunDir(Path.of(args[1]));
    InstanceSet set = new InstanceSet(template, 1, printing, options);
    set.start();
    if (!set.awaitFirstReady(Duration.ofSeconds(20)).ready()) {
      System.out.println("not-ready");
      System.exit(1);
    }
    System.out.println("instance-port=" + set.instances().getFirst().port());
    System.out.println("instance-pid=" + set.instances().getFirst().pid());
    System.out.flush();
    if (second) {
      set.close();
      System.out.println("stopped");
      System.out.flush();
      return;
    }
    Thread.sleep(Duration.ofMinutes(2));
    set.close();
  }
}
