// A function package's `bootstrap`: a static program that starts the function with the loader
// and libraries the package carries, so that a binary built on this Debian (glibc 2.36,
// GLIBCXX_3.4.30) runs on Lambda's provided.al2023 (glibc 2.34) and in an empty root.
//
// The package's folder is this program's own (argv[0] as Lambda starts it,
// /var/task/bootstrap), else LAMBDA_TASK_ROOT, else /var/task. It runs
//   FOLDER/lib/ld-linux-x86-64.so.2 --library-path FOLDER/lib --argv0 function FOLDER/function
// after pointing the TLS clients at the package's certificate authorities, unless the
// environment already names others: PGSSLROOTCERT (libpq, for sslmode=verify-full),
// SSL_CERT_FILE (OpenSSL's default store) and AWS_CA_BUNDLE (the AWS SDKs' convention).
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void default_variable(const char *name, const char *value) {
    if (getenv(name) == NULL) setenv(name, value, 0);
}

int main(int argc, char **argv) {
    char folder[PATH_MAX];
    const char *task_root = getenv("LAMBDA_TASK_ROOT");
    const char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;
    if (slash != NULL && argv[0][0] == '/') {
        size_t length = (size_t)(slash - argv[0]);
        if (length >= sizeof folder) return 111;
        memcpy(folder, argv[0], length);
        folder[length] = '\0';
    } else {
        snprintf(folder, sizeof folder, "%s", task_root != NULL ? task_root : "/var/task");
    }

    char loader[PATH_MAX], libraries[PATH_MAX], function[PATH_MAX], certificates[PATH_MAX];
    snprintf(loader, sizeof loader, "%s/lib/ld-linux-x86-64.so.2", folder);
    snprintf(libraries, sizeof libraries, "%s/lib", folder);
    snprintf(function, sizeof function, "%s/function", folder);
    snprintf(certificates, sizeof certificates, "%s/ca-certificates.crt", folder);
    default_variable("PGSSLROOTCERT", certificates);
    default_variable("SSL_CERT_FILE", certificates);
    default_variable("AWS_CA_BUNDLE", certificates);

    char *arguments[] = {loader, "--library-path", libraries, "--argv0", "function", function, NULL};
    execv(loader, arguments);
    fprintf(stderr, "bootstrap: cannot start %s: %s\n", loader, strerror(errno));
    return 127;
}
