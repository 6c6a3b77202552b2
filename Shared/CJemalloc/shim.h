#ifndef PACER_CJEMALLOC_SHIM_H
#define PACER_CJEMALLOC_SHIM_H
// Debian's jemalloc (libjemalloc-dev) exports the standard malloc family unprefixed: linked into
// an executable it takes the place of glibc's allocator for the whole process — Swift, Foundation
// and SQLite alike. Pacer's work is many small short-lived allocations on a few threads, where
// glibc's arenas (and their consolidation) cost a tenth to a fifth of the CPU.
#include <stddef.h>
#include <dlfcn.h>
#include <jemalloc/jemalloc.h>

/// Whether the `malloc` the process's global scope resolves to — the one every library calls —
/// is jemalloc's (Debian's soname). `(void *)0` is glibc's RTLD_DEFAULT, which its header only
/// names under _GNU_SOURCE, and defining that here would clash with Swift's Glibc module.
static inline int pacer_jemalloc_serves_malloc(void) {
    void *library = dlopen("libjemalloc.so.2", RTLD_LAZY | RTLD_NOLOAD);
    if (library == NULL) return 0;
    void *jemallocs = dlsym(library, "malloc");
    void *global = dlsym((void *)0, "malloc");
    dlclose(library);
    return jemallocs != NULL && jemallocs == global;
}

#endif
