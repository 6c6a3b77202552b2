#ifndef PACER_CSQLITECONFIG_SHIM_H
#define PACER_CSQLITECONFIG_SHIM_H
// sqlite3_config is variadic, which Swift cannot call: these wrappers fix its arguments.
#include <sqlite3.h>

/// Turns SQLite's memory statistics off. With them on (Debian's default), every allocation SQLite
/// makes takes a process-wide mutex to keep the counters; Pacer never reads them.
/// Only takes effect before SQLite is initialised (the first connection opened): SQLITE_MISUSE after.
static inline int pacer_sqlite3_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

#endif
