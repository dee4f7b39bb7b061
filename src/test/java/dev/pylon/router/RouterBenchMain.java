package dev.pylon.router;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs a router by hand for load tests: {@code RouterBenchMain PORT [h2c://]HOST:PORT...} ({@code
 * h2c://} speaks HTTP/2 with prior knowledge to that upstream). Not a test.
 */
final class RouterBenchMain {
  private RouterBenchMain() {}

  public static void main(String[] args) throws Exception {
    List<Upstream> upstreams = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      boolean h2c = args[i].startsWith("h2c://");
      String[] hp = args[i].substring(h2c ? 6 : 0).split(":");
      upstreams.add(
          new Upstream(
              "u" + i,
              hp[0],
              Integer.parseInt(hp[1]),
              0,
              h2c ? UpstreamProtocol.H2C : UpstreamProtocol.HTTP_1_1));
    }
    Router router =
        new Router(
            RouterConfig.defaults("127.0.0.1", Integer.parseInt(args[0]))
                .withIoThreads(Integer.getInteger("pylon.ioThreads", 0)),
            AccessLog.none());
    router.start();
    router.publish(RoutingSnapshot.single(upstreams));
    Runtime.getRuntime().addShutdownHook(new Thread(router::close));
    Thread.sleep(Long.MAX_VALUE);
  }
}
