package dev.pylon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProbeTest {
  private HttpServer server;
  private int port;

  @BeforeEach
  void serve() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          int status =
              switch (exchange.getRequestURI().getPath()) {
                case "/ok" -> 200;
                case "/moved" -> 302;
                case "/slow" -> {
                  try {
                    Thread.sleep(2000);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  yield 200;
                }
                default -> 503;
              };
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    server.start();
    port = server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void httpPassesOn2xxAnd3xxAndFailsOtherwise() {
    assertThat(Probe.http("/ok").check("127.0.0.1", port))
        .isEqualTo(new Probe.Result(true, "GET /ok answered 200"));
    assertThat(Probe.http("moved").check("127.0.0.1", port).passed()).isTrue();
    assertThat(Probe.http("/down").check("127.0.0.1", port))
        .isEqualTo(new Probe.Result(false, "GET /down answered 503"));
  }

  @Test
  void answersHttpPassesOnAnyStatus() {
    assertThat(Probe.answersHttp("/down").check("127.0.0.1", port))
        .isEqualTo(new Probe.Result(true, "GET /down answered 503"));
  }

  @Test
  void aCheckIsBoundedByItsTimeout() {
    Probe.Result result =
        Probe.http("/slow").withTimeout(Duration.ofMillis(200)).check("127.0.0.1", port);
    assertThat(result.passed()).isFalse();
    assertThat(result.detail()).startsWith("GET /slow failed:");
  }

  @Test
  void tcpPassesWhenThePortAcceptsAndFailsWhenNothingListens() throws Exception {
    assertThat(Probe.tcp().check("127.0.0.1", port).passed()).isTrue();
    int closed = RunningWorker.freePort();
    Probe.Result result = Probe.tcp().check("127.0.0.1", closed);
    assertThat(result.passed()).isFalse();
    assertThat(result.detail()).startsWith("connect to port " + closed + " failed");
  }
}
