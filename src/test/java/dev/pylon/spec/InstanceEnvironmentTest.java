package dev.pylon.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class InstanceEnvironmentTest {
  private static final Map<String, String> HOST = Map.of("PATH", "/usr/bin:/bin");

  private static InstanceEnvironment cloudRun(Map<String, String> variables) {
    return new InstanceEnvironment(
        "shop",
        "shop-00002",
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        variables);
  }

  @Test
  void aCloudRunRevisionGetsKnativesNamesAndUnbufferedPython() {
    Map<String, String> env = cloudRun(Map.of()).forRevision(HOST);

    assertThat(env)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "K_SERVICE", "shop",
                "K_CONFIGURATION", "shop",
                "K_REVISION", "shop-00002",
                "PYTHONUNBUFFERED", "1"));
  }

  @Test
  void theVirtualenvComesFirstOnPathAndTheMetadataServerIsNamed() {
    Map<String, String> env =
        new InstanceEnvironment(
                "shop",
                "r1",
                Optional.of(Path.of("/state/venvs/abc")),
                Optional.of("127.0.0.1:9999"),
                Optional.empty(),
                Optional.of("mysite.settings"),
                Map.of())
            .forRevision(HOST);

    assertThat(env)
        .containsEntry("VIRTUAL_ENV", "/state/venvs/abc")
        .containsEntry("PATH", "/state/venvs/abc/bin:/usr/bin:/bin")
        .containsEntry("GCE_METADATA_HOST", "127.0.0.1:9999")
        .containsEntry("DJANGO_SETTINGS_MODULE", "mysite.settings")
        .doesNotContainKey("GAE_SERVICE");
  }

  @Test
  void anAppEngineRevisionGetsAppEnginesNamesAndALocalProjectUnlessTheHostHasOne() {
    InstanceEnvironment gae =
        new InstanceEnvironment(
            "default",
            "default-1",
            Optional.empty(),
            Optional.empty(),
            Optional.of(new InstanceEnvironment.AppEngine(OptionalLong.of(614))),
            Optional.empty(),
            Map.of());

    assertThat(gae.forRevision(HOST))
        .containsEntry("GAE_SERVICE", "default")
        .containsEntry("GAE_VERSION", "default-1")
        .containsEntry("GAE_MEMORY_MB", "614")
        .containsEntry("GOOGLE_CLOUD_PROJECT", InstanceEnvironment.LOCAL_PROJECT);
    assertThat(gae.forRevision(Map.of("GOOGLE_CLOUD_PROJECT", "my-proj")))
        .containsEntry("GOOGLE_CLOUD_PROJECT", "my-proj");
  }

  @Test
  void theUsersVariablesWinOverWhatIsNotReserved() {
    Map<String, String> env =
        cloudRun(Map.of("PYTHONUNBUFFERED", "0", "GREETING", "hi")).forRevision(HOST);

    assertThat(env).containsEntry("PYTHONUNBUFFERED", "0").containsEntry("GREETING", "hi");
  }

  @Test
  void eachInstanceGetsItsPortAndAnAppEngineInstanceItsOwnName() {
    Map<String, String> revision =
        Map.of("K_SERVICE", "default", "GAE_SERVICE", "default", "GAE_INSTANCE", "default-1");

    Map<String, String> env = InstanceEnvironment.forInstance(revision, "default-1-2", 41234);

    assertThat(env)
        .containsEntry("PORT", "41234")
        .containsEntry("GAE_INSTANCE", "default-1-2")
        .containsEntry("PYTHONUNBUFFERED", "1");
    assertThat(InstanceEnvironment.forInstance(Map.of("K_SERVICE", "s"), "s-1", 8000))
        .doesNotContainKey("GAE_INSTANCE")
        .containsEntry("PORT", "8000");
    assertThat(InstanceEnvironment.forInstance(Map.of("PYTHONUNBUFFERED", "0"), "s-1", 8000))
        .containsEntry("PYTHONUNBUFFERED", "0");
  }

  @Test
  void aPreStartStepGetsTheVirtualenvNoBytecodeAndTheRevisionsVariables() {
    Map<String, String> variables = InstanceEnvironment.cloudRunNames("shop", "shop-1");

    Map<String, String> env =
        InstanceEnvironment.forPreStart(Optional.of(Path.of("/v")), variables, HOST);

    assertThat(env)
        .containsEntry("PYTHONDONTWRITEBYTECODE", "1")
        .containsEntry("PYTHONUNBUFFERED", "1")
        .containsEntry("VIRTUAL_ENV", "/v")
        .containsEntry("PATH", "/v/bin:/usr/bin:/bin")
        .containsEntry("K_SERVICE", "shop")
        .containsEntry("K_REVISION", "shop-1");
  }

  @Test
  void aDaemonRevisionPutsTheServicesVariablesOnItsLaunchSpecAndNamesItself() {
    Map<String, String> env =
        InstanceEnvironment.withVariables(
            Map.of("K_REVISION", "build-id", "A", "1"), Map.of("A", "2"), "shop-00003");

    assertThat(env).containsEntry("K_REVISION", "shop-00003").containsEntry("A", "2");
  }
}
