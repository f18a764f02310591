/*
 * le.h: little-endian integers in byte buffers, for the binary work files
 * (units, ingest parts, net-change records).  Unaligned access is fine: the
 * bytes go through memcpy, which compilers turn into one load or store.
 */
#ifndef PBC_LE_H
#define PBC_LE_H

#include <glib.h>
#include <stdint.h>
#include <string.h>

static inline uint32_t
le_get32(const void *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return GUINT32_FROM_LE(v);
}

static inline uint64_t
le_get64(const void *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return GUINT64_FROM_LE(v);
}

/* Stores v at p; returns the byte after it. */
static inline guint8 *
le_put32(void *p, uint32_t v)
{
    v = GUINT32_TO_LE(v);
    memcpy(p, &v, 4);
    return (guint8 *)p + 4;
}

static inline guint8 *
le_put64(void *p, uint64_t v)
{
    v = GUINT64_TO_LE(v);
    memcpy(p, &v, 8);
    return (guint8 *)p + 8;
}

#endif
