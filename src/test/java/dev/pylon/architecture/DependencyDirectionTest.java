package dev.pylon.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the parts' dependencies pointing one way, as DESIGN.md draws them: cli -> control ->
 * {build, runtime, router, autoscale, export} -> spec. The parts in the middle row do not know each
 * other, so each can be replaced or tested alone.
 */
class DependencyDirectionTest {
  private static JavaClasses pylon;

  @BeforeAll
  static void importClasses() {
    pylon =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.pylon");
  }

  @Test
  void partsDependOnEachOtherOneWayOnly() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("cli")
        .definedBy("dev.pylon.cli..")
        .layer("control")
        .definedBy("dev.pylon.control..")
        .layer("revision")
        .definedBy("dev.pylon.revision..")
        .layer("runtime")
        .definedBy("dev.pylon.runtime..")
        .layer("router")
        .definedBy("dev.pylon.router..")
        .layer("autoscale")
        .definedBy("dev.pylon.autoscale..")
        .layer("export")
        .definedBy("dev.pylon.export..")
        .layer("spec")
        .definedBy("dev.pylon.spec..")
        .whereLayer("cli")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("control")
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("revision")
        .mayOnlyBeAccessedByLayers("control", "cli")
        .whereLayer("runtime")
        .mayOnlyBeAccessedByLayers("control", "cli")
        .whereLayer("router")
        .mayOnlyBeAccessedByLayers("control", "cli")
        .whereLayer("autoscale")
        .mayOnlyBeAccessedByLayers("control", "cli")
        .whereLayer("export")
        .mayOnlyBeAccessedByLayers("control", "cli")
        .whereLayer("spec")
        .mayOnlyBeAccessedByLayers("revision", "runtime", "autoscale", "export", "control", "cli")
        .allowEmptyShould(true)
        .check(pylon);
  }

  @Test
  void partsHaveNoCycles() {
    slices()
        .matching("dev.pylon.(*)..")
        .should()
        .beFreeOfCycles()
        .allowEmptyShould(true)
        .check(pylon);
  }
}
