package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Which plain-text connections get the h2c upgrade handler: only those that might ask. */
class CleartextProtocolDetectorTest {
  private static boolean mayAsk(String firstBytes) {
    ByteBuf in = Unpooled.copiedBuffer(firstBytes, StandardCharsets.ISO_8859_1);
    try {
      return CleartextProtocolDetector.mayAskForH2c(in);
    } finally {
      in.release();
    }
  }

  @Test
  void aCompleteHeaderBlockWithoutH2cDoesNotAsk() {
    assertThat(mayAsk("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\n\r\n")).isFalse();
    assertThat(mayAsk("GET / HTTP/1.1\nHost: h\n\nbody with h2c in it")).isFalse();
    assertThat(mayAsk("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nh2c")).isFalse();
  }

  @Test
  void anUpgradeOrAnUnfinishedHeaderBlockMayAsk() {
    assertThat(mayAsk("GET / HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\n\r\n")).isTrue();
    assertThat(mayAsk("GET / HTTP/1.1\r\nHost: h\r\nUpgrade: hh2c\r\n\r\n")).isTrue();
    assertThat(mayAsk("GET / HTTP/1.1\r\nHost: h\r\n")).isTrue();
    assertThat(mayAsk("GET / HT")).isTrue();
  }
}
