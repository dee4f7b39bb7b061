package dev.pylon.control.admin;

/** {@code GET /v1/health}: the daemon answers, its pid and its store's schema version. */
public record HealthView(boolean ok, long pid, int schemaVersion) {}
