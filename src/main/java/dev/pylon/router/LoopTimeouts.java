package dev.pylon.router;

import io.netty.util.concurrent.EventExecutor;

/**
 * The timeouts of one event loop's connections and requests, one list per duration.
 *
 * @param headerRead a new connection must finish its request headers by then
 * @param keepAlive an idle keep-alive connection is closed after this
 * @param request a request (a WebSocket included) must be done by then
 * @param bodyRead a request body that stalls this long (while the router reads) gets 408
 */
record LoopTimeouts(
    TimeoutList headerRead, TimeoutList keepAlive, TimeoutList request, TimeoutList bodyRead) {
  static LoopTimeouts of(EventExecutor loop, RouterConfig config) {
    return new LoopTimeouts(
        new TimeoutList(loop, config.headerReadTimeout()),
        new TimeoutList(loop, config.keepAliveTimeout()),
        new TimeoutList(loop, config.requestTimeout()),
        new TimeoutList(loop, config.bodyReadTimeout()));
  }
}
