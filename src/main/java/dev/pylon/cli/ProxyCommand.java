package dev.pylon.cli;

import dev.pylon.router.Router;
import dev.pylon.router.RouterBindException;
import dev.pylon.router.RouterConfig;
import dev.pylon.router.RoutingSnapshot;
import dev.pylon.router.Upstream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pylon proxy}: the router alone in front of servers someone else runs. It is how the
 * benchmark puts Pylon in front of the very workers nginx and haproxy front.
 */
@Command(
    name = "proxy",
    mixinStandardHelpOptions = true,
    description = "Runs only Pylon's router in front of servers that are already running.")
final class ProxyCommand implements Callable<Integer> {
  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "Port to listen on (default: ${DEFAULT-VALUE})")
  int port;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to listen on (default: ${DEFAULT-VALUE})")
  String host;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "HOST:PORT",
      description = "An upstream server; repeat for several")
  List<String> upstreams;

  @Option(
      names = "--grace",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "How long stopping waits for requests in flight (default: ${DEFAULT-VALUE})")
  Duration grace;

  @Override
  public Integer call() throws InterruptedException {
    List<Upstream> targets = new ArrayList<>();
    for (String upstream : upstreams) {
      targets.add(parse(upstream, targets.size() + 1));
    }
    Router router = new Router(RouterConfig.defaults(host, port));
    InetSocketAddress address;
    try {
      address = router.start();
    } catch (RouterBindException e) {
      router.close();
      throw new UserError(e.getMessage(), 1);
    }
    router.publish(RoutingSnapshot.single(targets));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  router.drain(grace);
                  router.close();
                  stopped.countDown();
                },
                "pylon-stop"));
    System.out.println(
        "pylon: proxying http://"
            + address.getHostString()
            + ":"
            + address.getPort()
            + "/ to "
            + String.join(", ", upstreams));
    stopped.await();
    return 0;
  }

  private static Upstream parse(String value, int index) {
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      throw new UserError("--to " + value + " is not HOST:PORT (for example 127.0.0.1:8000).", 2);
    }
    try {
      int port = Integer.parseInt(value.substring(colon + 1));
      return new Upstream("upstream-" + index, value.substring(0, colon), port, 0);
    } catch (NumberFormatException e) {
      throw new UserError(
          "--to " + value + ": the port is not a number (for example 127.0.0.1:8000).", 2);
    }
  }
}
