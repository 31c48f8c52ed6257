/* The one header the CLockRecover module map exposes: the whole C API. */
#ifndef CLOCKRECOVER_SHIM_H
#define CLOCKRECOVER_SHIM_H

#include <lockrecover/lockrecover.h>

#endif /* CLOCKRECOVER_SHIM_H */
