package dev.pylon.control.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;

/**
 * One line of a service's traffic.
 *
 * @param latest true when the line follows the latest ready revision; absent when it names one
 * @param revision the revision (for a "latest" line, the one it means now; absent before any)
 * @param percent its share of the requests
 * @param tag the line's tag, absent for none
 */
public record TrafficLineView(
    @JsonInclude(Include.NON_NULL) Boolean latest,
    @JsonInclude(Include.NON_NULL) String revision,
    int percent,
    @JsonInclude(Include.NON_NULL) String tag) {}
