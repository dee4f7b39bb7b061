package dev.pylon.control.admin;

/**
 * Something that happened ({@code GET /v1/events}); empty strings where a field does not apply.
 *
 * @param at when (ISO-8601)
 */
public record EventView(
    String at, String service, String revision, String instance, String kind, String detail) {}
