package io.mistguard.proxy.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The start-up check of a config file that holds the admin token: a file other users can read
 * hands them the token (and with it breaker overrides and reloads), so mistguard warns — it still
 * starts, since a container's mounted Secret is often group-readable by design and the operator
 * decides. Only POSIX permissions are read; on a file system without them nothing is said.
 * Stateless.
 */
final class TokenFileCheck {

    private TokenFileCheck() {
    }

    /**
     * The warning for {@code file}, or {@code null} when it holds no token or only its owner can read it.
     *
     * @param holdsToken whether the file itself sets {@code admin.token} (not the environment)
     */
    static String warning(Path file, boolean holdsToken) {
        if (file == null || !holdsToken) {
            return null;
        }
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException | IOException e) {
            return null;
        }
        if (!permissions.contains(PosixFilePermission.GROUP_READ)
                && !permissions.contains(PosixFilePermission.OTHERS_READ)) {
            return null;
        }
        return file + " sets admin.token and is readable by "
               + (permissions.contains(PosixFilePermission.OTHERS_READ) ? "every user" : "its group")
               + " (" + PosixFilePermissions.toString(permissions) + "): chmod 600 it, or pass the token in "
               + "MISTGUARD_ADMIN_TOKEN instead";
    }
}
