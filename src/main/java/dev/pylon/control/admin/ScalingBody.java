package dev.pylon.control.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;

/**
 * {@code PUT /v1/services/NAME/scaling}: what {@code pylon scale} changes; absent fields keep the
 * service's.
 *
 * @param metric "concurrency" or "cpu"
 * @param cpuTarget cores per instance (scales on cpu; 0: App Engine's default)
 * @param coolDownSeconds the service's stable window (0: the daemon's)
 */
@JsonInclude(Include.NON_NULL)
public record ScalingBody(
    Integer min,
    Integer max,
    Integer concurrency,
    String metric,
    Double cpuTarget,
    Double coolDownSeconds) {}
