package dev.pylon.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.pylon.control.admin.StreamLine;
import dev.pylon.control.daemon.AdminClient;
import dev.pylon.control.daemon.AdminClientException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every command that talks to the daemon shares: {@code --state-dir} (to find the daemon and
 * its token), {@code --json}, and the daemon's errors shown as a paragraph and exit status 1.
 */
abstract class AdminCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectWriter PRETTY = JSON.writerWithDefaultPrettyPrinter();

  @Mixin StateOptions stateOptions;

  @Option(names = "--json", description = "Print the daemon's answer as JSON, for scripts")
  boolean json;

  @Spec CommandSpec spec;

  /** Where the command prints: picocli's stdout, so a test can capture it. */
  PrintWriter out;

  @Override
  public final Integer call() {
    out = spec.commandLine().getOut();
    try {
      return run(AdminClient.connect(stateOptions.stateDir()));
    } catch (AdminClientException e) {
      StringBuilder message = new StringBuilder(e.getMessage());
      if (!e.hint().isBlank()) {
        message.append(";\n").append(e.hint());
      }
      message.append('.');
      for (String line : e.details()) {
        message.append("\n    ").append(line);
      }
      throw new UserError(message.toString(), 1);
    } finally {
      out.flush();
    }
  }

  abstract int run(AdminClient client) throws AdminClientException;

  /** Prints a view of the daemon's as the daemon wrote it (indented). */
  void printJson(Object view) {
    out.println(json(view, PRETTY));
  }

  /** A view on one line, as the daemon writes it in a stream. */
  static String compactJson(Object view) {
    return json(view, JSON.writer());
  }

  private static String json(Object view, ObjectWriter writer) {
    try {
      return writer.writeValueAsString(view);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a view of the admin API cannot be written", e);
    }
  }

  /** Prints rows as aligned columns, the first row being the header. */
  void printTable(List<List<String>> rows) {
    List<Integer> widths = new ArrayList<>();
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        if (widths.size() <= i) {
          widths.add(0);
        }
        widths.set(i, Math.max(widths.get(i), row.get(i).length()));
      }
    }
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        String cell = row.get(i);
        line.append(cell);
        if (i < row.size() - 1) {
          line.append(" ".repeat(widths.get(i) - cell.length() + 2));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }

  /** A progress line of a streamed call, printed as {@code pylon run} prints its steps. */
  void printProgress(StreamLine event) {
    if (json) {
      return;
    }
    if (StreamLine.LINE.equals(event.event())) {
      out.println("    " + event.line());
    } else {
      out.println("pylon: " + event.message());
    }
    out.flush();
  }
}
