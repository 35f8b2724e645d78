#ifndef KLOUDHUB_CLIBPQ_SHIM_H
#define KLOUDHUB_CLIBPQ_SHIM_H

// The system libpq (Debian: libpq-dev, Amazon Linux: libpq-devel); the include
// path comes from pkg-config's libpq.pc.
#include <libpq-fe.h>

#endif
