package dev.pylon.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class TrailerFieldsTest {
  @Test
  void dropsWhatFramesRoutesOrAuthenticatesAndKeepsTheRest() {
    HttpHeaders t = new DefaultHttpHeaders();
    t.add("Content-Length", "5")
        .add("HOST", "evil.example")
        .add("transfer-encoding", "chunked")
        .add("Authorization", "Bearer x")
        .add("X-Forwarded-For", "10.0.0.1")
        .add("Content-Type", "text/html")
        .add("If-None-Match", "*")
        .add("Server-Timing", "db;dur=53")
        .add("X-Checksum", "abc");
    assertThat(TrailerFields.strip(t)).isEqualTo(7);
    assertThat(t.names()).containsExactlyInAnyOrder("Server-Timing", "X-Checksum");
  }

  @Test
  void aTrailerOfAllowedFieldsIsLeftAlone() {
    HttpHeaders t = new DefaultHttpHeaders().add("grpc-status", "0");
    assertThat(TrailerFields.strip(t)).isZero();
    assertThat(t.get("grpc-status")).isEqualTo("0");
  }
}
