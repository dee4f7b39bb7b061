package dev.pylon.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/http2 through {@code pylon run}: its service.yaml names the port h2c, so hypercorn
 * serves it and the router speaks HTTP/2 to it, whatever the client speaks; a Server-Sent Event
 * reaches the client while the app still holds the response open.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Http2AndStreamingIT {
  private PylonProcess pylon;
  private int port;

  @BeforeAll
  void start(@TempDir Path state) throws Exception {
    port = Http.freePort();
    pylon =
        PylonProcess.serving(
            Map.of("PIP_NO_INDEX", "1"),
            state,
            port,
            "examples/http2",
            "--instances",
            "1",
            "--python",
            "/usr/bin/python3",
            "--system-site-packages");
    assertThat(pylon.output()).contains("hypercorn");
  }

  @AfterAll
  void stop() throws Exception {
    pylon.signal("TERM");
    pylon.awaitExit(Duration.ofSeconds(30));
    pylon.close();
  }

  @Test
  void anHttp1ClientIsServedOverHttp2ToTheInstance() throws Exception {
    HttpResponse<String> response =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .POST(HttpRequest.BodyPublishers.ofString("twelve bytes"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(response.body()).contains("Hello over HTTP/2 ").contains("(12 body bytes)");
  }

  @Test
  void aClientThatAsksForAnH2cUpgradeSpeaksHttp2AllTheWay() throws Exception {
    // The JDK client asks for HTTP/2 on an http:// URL with `Upgrade: h2c` (RFC 7540 3.2).
    HttpResponse<String> response =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_2)
            .build()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(response.body()).contains("Hello over HTTP/2 ");
  }

  @Test
  void aServerSentEventArrivesBeforeTheResponseEnds() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET /events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String seen = readUntil(in, "data: first", "");
      assertThat(seen).contains("text/event-stream").doesNotContain("data: second");

      // The app sends the second event only once it is told to: the first was not held back.
      HttpResponse<String> release =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/release"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(release.statusCode()).isEqualTo(204);
      assertThat(readUntil(in, "data: second", seen)).contains("data: second");
    }
  }

  private static String readUntil(InputStream in, String wanted, String before) throws Exception {
    StringBuilder seen = new StringBuilder(before);
    byte[] buffer = new byte[4096];
    while (!seen.toString().contains(wanted)) {
      int n = in.read(buffer);
      if (n < 0) {
        break;
      }
      seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
    }
    return seen.toString();
  }
}
