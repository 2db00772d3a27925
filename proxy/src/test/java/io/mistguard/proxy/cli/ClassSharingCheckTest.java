package io.mistguard.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ClassSharingCheck}: a warning only when an archive was named and no class is shared. */
class ClassSharingCheckTest {

    private static final String SHARING = "mixed mode, sharing";
    private static final String NOT_SHARING = "mixed mode";

    @Test
    void anArchiveNamedButNotInUseIsWarnedAboutByName() {
        assertThat(ClassSharingCheck.problem(List.of("-XX:+UseSerialGC", "-XX:SharedArchiveFile=/opt/mistguard/mistguard.jsa"),
                NOT_SHARING)).hasValueSatisfying(warning -> assertThat(warning)
                        .contains("/opt/mistguard/mistguard.jsa could not be used", "deploy/cds-archive.sh"));
    }

    @Test
    void sharingTurnedOffAndOnAgainIsWarnedAbout() {
        assertThat(ClassSharingCheck.problem(List.of("-Xshare:off", "-XX:SharedArchiveFile=/x.jsa", "-Xshare:auto"),
                NOT_SHARING)).isPresent();
    }

    @Test
    void theLastArchiveFlagCountsAsForTheJvm() {
        assertThat(ClassSharingCheck.problem(List.of("-XX:SharedArchiveFile=/a.jsa", "-XX:SharedArchiveFile=/b.jsa"),
                NOT_SHARING)).hasValueSatisfying(warning -> assertThat(warning).contains("/b.jsa").doesNotContain("/a.jsa"));
    }

    @Test
    void noWarningWhenClassesAreSharedOrNoArchiveWasNamed() {
        assertThat(ClassSharingCheck.problem(List.of("-XX:SharedArchiveFile=/opt/mistguard/mistguard.jsa"), SHARING)).isEmpty();
        assertThat(ClassSharingCheck.problem(List.of("-Xshare:off"), NOT_SHARING)).isEmpty();
        assertThat(ClassSharingCheck.problem(List.of("-XX:SharedArchiveFile=/x.jsa", "-Xshare:off"), NOT_SHARING))
                .as("sharing turned off on purpose").isEmpty();
        assertThat(ClassSharingCheck.problem(List.of(), NOT_SHARING)).isEmpty();
        assertThat(ClassSharingCheck.problem(List.of("-XX:SharedArchiveFile=/x.jsa"), null)).isEmpty();
    }
}
