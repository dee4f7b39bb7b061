package dev.pylon.router;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where finished requests are reported. Called on an event loop: must not block. */
@FunctionalInterface
public interface AccessLog {
  void log(AccessLogEntry entry);

  /** One INFO line per request on the logger {@code dev.pylon.router.access}. */
  static AccessLog slf4j() {
    Logger logger = LoggerFactory.getLogger("dev.pylon.router.access");
    return entry -> {
      if (logger.isInfoEnabled()) {
        logger.info(entry.toLine());
      }
    };
  }

  static AccessLog none() {
    return entry -> {};
  }
}
