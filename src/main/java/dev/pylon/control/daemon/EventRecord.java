package dev.pylon.control.daemon;

import java.time.Instant;

/**
 * Something that happened, for {@code pylon events}; empty strings where a field does not apply.
 */
public record EventRecord(
    long id,
    Instant at,
    String service,
    String revision,
    String instance,
    String kind,
    String detail) {}
