/* netsim queues (netsim_queue.h).  SPDX-License-Identifier: GPL-3.0-or-later */
#include "netsim_queue.h"

#include <stdlib.h>

uint32_t sip__netsim_pow2_at_least(uint32_t x)
{
    uint32_t p = 4;
    while (p < x)
        p <<= 1;
    return p;
}

void *sip__netsim_ring_alloc(ring_t *r, uint32_t cap, size_t elem_size)
{
    cap = sip__netsim_pow2_at_least(cap);
    r->mask = cap - 1;
    r->head = r->n = 0;
    return calloc(cap, elem_size);
}
