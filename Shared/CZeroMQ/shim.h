#ifndef PACER_CZEROMQ_SHIM_H
#define PACER_CZEROMQ_SHIM_H
// Declared without pkgConfig: libzmq's .pc file drags a krb5 -isystem flag SwiftPM warns about.
#include <zmq.h>
#endif
