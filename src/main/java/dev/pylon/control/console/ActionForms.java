package dev.pylon.control.console;

import static dev.pylon.control.console.Html.esc;

import dev.pylon.control.daemon.RevisionRecord;
import dev.pylon.control.daemon.ServiceRecord;
import dev.pylon.control.daemon.ServingPlan;
import java.util.Comparator;
import java.util.List;

/**
 * The forms of a service's levers: split traffic, roll back, tag, scale, delete. Plain HTML forms
 * that POST with the session's CSRF token, so they work without JavaScript; the script adds the
 * sliders' link to the numbers, the sum check and the delete confirmation.
 */
final class ActionForms {
  private ActionForms() {}

  static void render(
      StringBuilder sb,
      ServiceRecord service,
      List<RevisionRecord> revisions,
      ServingPlan plan,
      String path,
      String csrf) {
    String hidden = "<input type=\"hidden\" name=\"csrf\" value=\"" + esc(csrf) + "\">";
    List<RevisionRecord> ready =
        revisions.stream()
            .filter(RevisionRecord::everReady)
            .sorted(Comparator.comparingInt(RevisionRecord::number).reversed())
            .toList();
    sb.append("<h2>Actions</h2><div class=\"actions\">");
    // Traffic: one share per revision that was ready; the page checks the sum, the daemon too.
    sb.append("<form method=\"post\" action=\"")
        .append(path)
        .append("/traffic\" class=\"traffic\" id=\"traffic\"><h3>Split traffic</h3>")
        .append(hidden);
    for (RevisionRecord revision : ready) {
      int percent = plan.weights().getOrDefault(revision.id(), 0);
      sb.append("<label><code>")
          .append(esc(revision.id()))
          .append("</code> <input type=\"range\" min=\"0\" max=\"100\" value=\"")
          .append(percent)
          .append("\" data-share-range=\"")
          .append(esc(revision.id()))
          .append(
              "\" aria-hidden=\"true\" tabindex=\"-1\"> <input type=\"number\" min=\"0\" max=\"100\""
                  + " required class=\"share\" name=\"share.")
          .append(esc(revision.id()))
          .append("\" value=\"")
          .append(percent)
          .append("\"> %</label>");
    }
    sb.append(
        "<p>Total: <output class=\"total\">100</output> % <button type=\"submit\">Set traffic</button></p>"
            + "</form>");
    // Roll back.
    sb.append("<form method=\"post\" action=\"")
        .append(path)
        .append("/rollback\" id=\"rollback\"><h3>Roll back</h3>")
        .append(hidden)
        .append(
            "<p>All traffic to the ready revision before the one serving most.</p>"
                + "<button type=\"submit\">Roll back</button></form>");
    // Tag.
    sb.append("<form method=\"post\" action=\"")
        .append(path)
        .append("/tag\" id=\"tag\"><h3>Tag a revision</h3>")
        .append(hidden)
        .append("<label>Revision <select name=\"revision\">");
    for (RevisionRecord revision : ready) {
      sb.append("<option>").append(esc(revision.id())).append("</option>");
    }
    sb.append(
        "</select></label> <label>Tag <input name=\"tag\" required pattern=\"[a-z][a-z0-9-]*\""
            + " placeholder=\"canary\"></label> <button type=\"submit\">Tag</button></form>");
    // Scale.
    var scaling = service.scaling();
    sb.append("<form method=\"post\" action=\"")
        .append(path)
        .append("/scale\" id=\"scale\"><h3>Scale</h3>")
        .append(hidden)
        .append("<label>Min <input type=\"number\" name=\"min\" min=\"0\" value=\"")
        .append(scaling.min())
        .append("\"></label> <label>Max <input type=\"number\" name=\"max\" min=\"1\" value=\"")
        .append(scaling.max())
        .append(
            "\"></label> <label>Concurrency <input type=\"number\" name=\"concurrency\" min=\"1\""
                + " value=\"")
        .append(scaling.concurrency())
        .append("\"></label> <button type=\"submit\">Scale</button><p class=\"hint\">Scales on ")
        .append(esc(scaling.metricName()))
        .append(", target ")
        .append(esc(scaling.target()))
        .append(".</p></form>");
    // Delete, confirmed by typing the name.
    sb.append("<form method=\"post\" action=\"")
        .append(path)
        .append("/delete\" id=\"delete\" class=\"danger\" data-confirm=\"Delete ")
        .append(esc(service.name()))
        .append(" and stop all its instances?\"><h3>Delete</h3>")
        .append(hidden)
        .append("<label>Type <code>")
        .append(esc(service.name()))
        .append(
            "</code> to confirm <input name=\"confirm\" required autocomplete=\"off\"></label>"
                + " <button type=\"submit\">Delete service</button></form>");
    sb.append("</div>");
  }
}
