/* netsim queues: one FIFO ring for every queue of the simulator.  A queue is a typed element
 * array plus a ring_t of power-of-two capacity; the ring does the index arithmetic and the
 * caller reads and writes elements of its own type in place:
 *     q->e[ring_push(&q->r)] = x;        x = q->e[ring_front(&q->r)]; ring_pop(&q->r);
 * This replaces the separate event and credit queues (same init/push/pop on different element
 * types) and the hand-rolled stage, crossbar and processed-credit rings of the first version.
 * Capacities are fixed at build time from credit bounds (see sim_build), so a push never
 * checks for room.  Inline because every flit passes through several of these per hop.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIP_NETSIM_QUEUE_H
#define SIP_NETSIM_QUEUE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t mask, head, n;
} ring_t;

/* A queue of `type` elements. */
#define SIP__NETSIM_QUEUE(type) \
    struct {                    \
        type *e;                \
        ring_t r;               \
    }

/* Smallest power of two >= x (and >= 4). */
uint32_t sip__netsim_pow2_at_least(uint32_t x);
/* Empty ring with room for at least cap elements of elem_size bytes: returns the zeroed element
 * array (the caller frees it) or NULL when out of memory. */
void *sip__netsim_ring_alloc(ring_t *r, uint32_t cap, size_t elem_size);

/* Index of the new last element (the ring grows by one). */
static inline uint32_t ring_push(ring_t *r)
{
    uint32_t i = (r->head + r->n) & r->mask;
    r->n++;
    return i;
}
/* Index of the k-th element from the front. */
static inline uint32_t ring_at(const ring_t *r, uint32_t k) { return (r->head + k) & r->mask; }
static inline uint32_t ring_front(const ring_t *r) { return r->head; }
static inline void ring_pop(ring_t *r)
{
    r->head = (r->head + 1) & r->mask;
    r->n--;
}

#endif
