/**
 * @file lockrecover.h
 * @brief Umbrella header of liblockrecover: include this one.
 *
 * liblockrecover gets smart locks back after they go silent or offline,
 * most often right after a firmware update, without losing the access codes
 * stored in them. See README.md and docs/ for the guides.
 */
#ifndef LOCKRECOVER_LOCKRECOVER_H
#define LOCKRECOVER_LOCKRECOVER_H

#include "export.h"
#include "version.h"
#include "status.h"
#include "model.h"
#include "catalog.h"
#include "classify.h"
#include "transport.h"
#include "vault.h"
#include "session.h"
#include "sim.h"

#endif /* LOCKRECOVER_LOCKRECOVER_H */
