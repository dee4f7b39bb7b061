package dev.pylon.router;

/** How the router speaks to an instance. */
public enum UpstreamProtocol {
  /** HTTP/1.1 over pooled keep-alive connections (gunicorn, uvicorn, most servers). */
  HTTP_1_1,
  /**
   * HTTP/2 over cleartext with prior knowledge (Cloud Run's end-to-end HTTP/2): each request is a
   * stream on a shared connection. The instance must accept the HTTP/2 preface on its port
   * (hypercorn does); WebSocket requests still go over HTTP/1.1 to the same port.
   */
  H2C
}
