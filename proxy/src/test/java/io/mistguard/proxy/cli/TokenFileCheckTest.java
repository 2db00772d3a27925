package io.mistguard.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A config file holding the admin token is flagged at start when others can read it (#14, secure defaults). */
class TokenFileCheckTest {

    @TempDir
    Path dir;

    private Path file(String mode) throws Exception {
        Path file = Files.writeString(dir.resolve("mistguard.yaml"), "admin: {token: s3cret}\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    @Test
    void aTokenFileEveryUserCanReadIsFlagged() throws Exception {
        assertThat(TokenFileCheck.warning(file("rw-r--r--"), true))
                .contains("sets admin.token and is readable by every user (rw-r--r--)")
                .contains("chmod 600").contains("MISTGUARD_ADMIN_TOKEN");
    }

    @Test
    void aTokenFileItsGroupCanReadIsFlagged() throws Exception {
        assertThat(TokenFileCheck.warning(file("rw-r-----"), true)).contains("readable by its group");
    }

    @Test
    void anOwnerOnlyFileOrAFileWithoutTokenIsNot() throws Exception {
        assertThat(TokenFileCheck.warning(file("rw-------"), true)).isNull();
        assertThat(TokenFileCheck.warning(file("rw-r--r--"), false)).isNull();
        assertThat(TokenFileCheck.warning(null, true)).isNull();
    }
}
