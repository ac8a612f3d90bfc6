/* The simulator's parts on their own: the ring behind every queue, the allocator registry.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "netsim/netsim_alloc.h"
#include "netsim/netsim_internal.h"
#include "netsim/netsim_queue.h"
#include "sipsim.h"

Test(netsim_parts, ring_is_fifo_across_wraps)
{
    ring_t r;
    int32_t *e = sip__netsim_ring_alloc(&r, 3, sizeof *e);
    cr_assert_not_null(e);
    cr_assert_eq(r.mask + 1, 4, "capacity %u (expected the power of two >= 3, at least 4)", r.mask + 1);
    int32_t next_in = 0, next_out = 0;
    /* fill to 3, drain 2, refill: the indices wrap many times */
    for (int round = 0; round < 50; round++) {
        while (r.n < 3)
            e[ring_push(&r)] = next_in++;
        for (uint32_t k = 0; k < r.n; k++)
            cr_assert_eq(e[ring_at(&r, k)], next_out + (int32_t)k);
        for (int k = 0; k < 2; k++) {
            cr_assert_eq(e[ring_front(&r)], next_out, "round %d: front %d (expected %d)", round, e[ring_front(&r)],
                         next_out);
            ring_pop(&r);
            next_out++;
        }
    }
    cr_assert_eq(r.n, 1);
    free(e);
}

Test(netsim_parts, allocator_registry_holds_booksim_names)
{
    for (int k = 0; k < SIP_NETSIM_ALLOC_COUNT; k++) {
        const sip__netsim_alloc_ops_t *ops = sip__netsim_alloc_ops((sip_netsim_alloc_t)k);
        cr_assert_not_null(ops);
        cr_assert_not_null(ops->allocate, "%s", ops->name);
        cr_assert_eq(sip__netsim_alloc_lookup(ops->name), k, "%s", ops->name);
        sip_netsim_config_t cfg;
        sip_netsim_config_init(&cfg);
        sip_error_t err;
        cr_assert_eq(sip_netsim_config_set(&cfg, "sw_allocator", ops->name, &err), SIP_OK, "%s", err.message);
        cr_assert_eq((int)cfg.sw_allocator, k);
    }
    cr_assert_null(sip__netsim_alloc_ops(SIP_NETSIM_ALLOC_COUNT));
    cr_assert_eq(sip__netsim_alloc_lookup("wavefront"), -1);
}

/* At a load this low two packets almost never meet in a router, so the allocator cannot change
 * the latency much; a separable allocator that lost grants or matched twice would (no packets
 * through, a stuck run or a very different mean).  Both sit at BookSim2's 4x4 zero-load latency
 * of 19.49 cycles (mesh4x4_uniform, 1-flit packets, shared/peers/booksim/results.md) within 2 %. */
Test(netsim_parts, separable_allocator_matches_islip_at_low_load)
{
    sip_netsim_net_t *net = NULL;
    sip_error_t err;
    cr_assert_eq(sip_netsim_net_mesh(4, &net, &err), SIP_OK, "%s", err.message);
    double lat[2];
    for (int k = 0; k < 2; k++) {
        sip_netsim_config_t cfg;
        sip_netsim_config_init(&cfg);
        cfg.injection_rate = 0.01;
        cfg.vc_allocator = cfg.sw_allocator = k ? SIP_NETSIM_ALLOC_SEPARABLE_IF : SIP_NETSIM_ALLOC_ISLIP;
        /* the fast router runs iSLIP's bitset form only: separable routers take the general one */
        int n_fast = -1;
        cr_assert_eq(sip__netsim_fast_routers(net, &cfg, &n_fast, &err), SIP_OK, "%s", err.message);
        cr_assert_eq(n_fast, k ? 0 : net->n_routers);
        sip_netsim_result_t res;
        cr_assert_eq(sip_netsim_run(net, &cfg, &res, &err), SIP_OK, "%s", err.message);
        cr_assert_eq(res.status, SIP_NETSIM_OK);
        cr_assert_gt(res.packet.count, 1000);
        lat[k] = res.packet.mean;
        sip_netsim_result_fini(&res);
    }
    cr_assert(fabs(lat[1] - lat[0]) <= 0.02 * lat[0], "separable %.4f vs iSLIP %.4f cycles", lat[1], lat[0]);
    cr_assert(fabs(lat[0] - 19.49) <= 0.02 * 19.49, "iSLIP %.4f cycles vs BookSim2 19.49", lat[0]);
    sip_netsim_net_destroy(net);
}
