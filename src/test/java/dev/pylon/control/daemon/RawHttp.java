package dev.pylon.control.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** One HTTP/1.1 GET with a chosen Host header (the JDK client does not let a test set Host). */
final class RawHttp {
  record Response(int status, String body) {}

  private RawHttp() {}

  static Response get(int port, String host, String path) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(text.substring(9, 12));
      int bodyStart = text.indexOf("\r\n\r\n");
      return new Response(status, bodyStart < 0 ? "" : text.substring(bodyStart + 4));
    }
  }
}
