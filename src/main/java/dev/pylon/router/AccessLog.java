package dev.pylon.router;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where finished requests are reported. Called on an event loop: must not block. */
@FunctionalInterface
public interface AccessLog {
  void log(AccessLogEntry entry);

  /** False lets the router skip building entries nobody reads. */
  default boolean enabled() {
    return true;
  }

  /** One INFO line per request on the logger {@code dev.pylon.router.access}. */
  static AccessLog slf4j() {
    Logger logger = LoggerFactory.getLogger("dev.pylon.router.access");
    return new AccessLog() {
      @Override
      public void log(AccessLogEntry entry) {
        logger.info(entry.toLine());
      }

      @Override
      public boolean enabled() {
        return logger.isInfoEnabled();
      }
    };
  }

  static AccessLog none() {
    return new AccessLog() {
      @Override
      public void log(AccessLogEntry entry) {}

      @Override
      public boolean enabled() {
        return false;
      }
    };
  }
}
