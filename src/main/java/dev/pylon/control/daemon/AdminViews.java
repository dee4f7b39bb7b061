package dev.pylon.control.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pylon.autoscale.ScalingMetric;
import dev.pylon.control.admin.DeployView;
import dev.pylon.control.admin.EventView;
import dev.pylon.control.admin.InstanceView;
import dev.pylon.control.admin.RevisionView;
import dev.pylon.control.admin.ScalerView;
import dev.pylon.control.admin.ScalingView;
import dev.pylon.control.admin.ServiceView;
import dev.pylon.control.admin.TrafficLineView;
import dev.pylon.runtime.InstanceStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The daemon's records as the admin API shows them. */
final class AdminViews {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AdminViews() {}

  /** A service with its revisions, {@code url} being where it is reached. */
  static ServiceView service(ServiceRecord service, List<RevisionRecord> revisions, String url) {
    ServingPlan plan = ServingPlan.of(service, revisions);
    Optional<String> latest =
        revisions.stream()
            .filter(RevisionRecord::everReady)
            .reduce((a, b) -> b)
            .map(RevisionRecord::id);
    List<TrafficLineView> traffic = new ArrayList<>();
    for (TrafficTarget target : service.traffic()) {
      traffic.add(
          new TrafficLineView(
              target.revision().isPresent() ? null : true,
              target.revision().or(() -> latest).orElse(null),
              target.percent(),
              target.tag().orElse(null)));
    }
    return new ServiceView(
        service.name(),
        url,
        service.created().toString(),
        revisions.size(),
        scaling(service.scaling()),
        service.env(),
        traffic,
        plan.weights(),
        null);
  }

  static ScalingView scaling(Scaling scaling) {
    return new ScalingView(
        scaling.min(),
        scaling.max(),
        scaling.concurrency(),
        scaling.metricName(),
        scaling.metric() == ScalingMetric.CPU ? scaling.cpuTarget() : null,
        scaling.target(),
        scaling.coolDown().map(d -> d.toMillis() / 1000.0).orElse(null));
  }

  static RevisionView revision(RevisionRecord revision, ServingPlan plan) {
    List<String> tags = new ArrayList<>();
    plan.tags()
        .forEach(
            (tag, id) -> {
              if (id.equals(revision.id())) {
                tags.add(tag);
              }
            });
    return new RevisionView(
        revision.id(),
        revision.service(),
        revision.number(),
        revision.created().toString(),
        revision.everReady(),
        plan.weights().getOrDefault(revision.id(), 0),
        tags,
        revision.python(),
        revision.venv().orElse(null),
        summary(revision.summary()),
        revision.env(),
        revision.launch().container().isPresent() ? RevisionView.CONTAINER : RevisionView.PROCESS,
        revision.launch().container().map(ContainerImage::image).orElse(null));
  }

  /** The build summary as it was written: JSON, or (from an old store) its text. */
  private static JsonNode summary(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return TextNode.valueOf(text);
    }
  }

  static DeployView deploy(DeployResult result) {
    return new DeployView(
        result.revision().id(), result.revision().service(), result.serving(), result.url());
  }

  static EventView event(EventRecord event) {
    return new EventView(
        event.at().toString(),
        event.service(),
        event.revision(),
        event.instance(),
        event.kind(),
        event.detail());
  }

  static ScalerView scaler(RevisionScale scale) {
    return new ScalerView(
        scale.revision(),
        scale.service(),
        scale.ready(),
        scale.desired(),
        Scaling.name(scale.metric()),
        scale.targetPerInstance(),
        scale.metric().unit(),
        scale.stableWindow().toMillis() / 1000.0,
        scale.mode(),
        scale.reason());
  }

  static InstanceView instance(String revision, InstanceStatus status) {
    return new InstanceView(
        revision,
        status.name(),
        status.state().name().toLowerCase(Locale.ROOT),
        status.port(),
        status.pid(),
        status.starts(),
        status.since().toString());
  }
}
