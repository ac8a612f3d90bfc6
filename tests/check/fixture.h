/* A small valid package built in code, for the check and graph tests.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   organic substrate 60 x 40 mm
 *   c0 (cpu 10 x 10 at 5,5)  --l0-- io (iod 8 x 10 at 20,5)  --l1-- c1 (cpu at 33,5)
 *   hbm0 (8 x 10 at 5,16) attached to c0, 1 mm above its north edge
 * Ports: cpu e0 east / w0 west at 5 mm, 4 standard modules, 32 GT/s, 110 um; iod w0 west and
 * e0 east, same.  Links: 4 modules at 16 GT/s, 5 mm long.
 * Lines: substrate 3, instances 10.., links 20.., thermal 30; types in chiplets/<name>.cfg,
 * ports on lines 7 and 8.
 */
#ifndef SIPSIM_TEST_FIXTURE_H
#define SIPSIM_TEST_FIXTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sipsim.h"

enum { FX_C0, FX_IO, FX_C1, FX_HBM0 };
enum { FX_CPU, FX_IOD, FX_HBM };

static inline void fx_port(sip_chiplet_type_t *t, const char *name, sip_edge_t edge, double pos,
                           int line)
{
    sip_port_t *p = &t->ports[t->n_ports++];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->edge = edge;
    p->position_mm = pos;
    p->package = SIP_UCIE_STANDARD;
    p->modules = 4;
    p->max_rate_gtps = 32.0;
    p->bump_pitch_um = 110.0;
    p->line = line;
}

static inline void fx_type(sip_package_t *pkg, const char *name, sip_kind_t kind, double w,
                           double h, double tdp_w)
{
    sip_chiplet_type_t t;
    sip_chiplet_type_init(&t);
    snprintf(t.name, sizeof t.name, "%s", name);
    snprintf(t.path, sizeof t.path, "chiplets/%s.cfg", name);
    t.line = 1;
    t.kind = kind;
    t.width_mm = w;
    t.height_mm = h;
    t.tdp_w = tdp_w;
    if (kind != SIP_KIND_MEMORY) {
        fx_port(&t, "e0", SIP_EDGE_EAST, 5.0, 7);
        fx_port(&t, "w0", SIP_EDGE_WEST, 5.0, 8);
    } else {
        t.n_memories = 1;
        snprintf(t.memories[0].name, SIP_NAME_MAX, "hbm");
        t.memories[0].kind = SIP_MEM_HBM3;
        t.memories[0].stacks = 1;
        t.memories[0].capacity_gb = 16.0;
        t.memories[0].bandwidth_GBps = 819.2; /* facts.md §3.3: HBM3 6.4 Gb/s x 1024 */
    }
    if (kind == SIP_KIND_IO) {
        t.n_ios = 1;
        snprintf(t.ios[0].name, SIP_NAME_MAX, "host");
        t.ios[0].kind = SIP_IO_PCIE6;
        t.ios[0].lanes = 16;
        t.ios[0].rate_gbps = 64.0;
        t.ios[0].bandwidth_GBps = 128.0;
    }
    cr_assert_geq(sip_package_add_type(pkg, &t, NULL), 0);
}

static inline int fx_instance(sip_package_t *pkg, const char *name, int type, double x, double y,
                              int line)
{
    sip_instance_t in;
    sip_instance_init(&in);
    snprintf(in.name, sizeof in.name, "%s", name);
    in.type = type;
    in.x_mm = x;
    in.y_mm = y;
    in.line = line;
    int i = sip_package_add_instance(pkg, &in, NULL);
    cr_assert_geq(i, 0);
    return i;
}

static inline int fx_link(sip_package_t *pkg, const char *name, int a, int pa, int b, int pb,
                          int line)
{
    sip_link_t l;
    sip_link_init(&l);
    snprintf(l.name, sizeof l.name, "%s", name);
    l.from_instance = a;
    l.from_port = pa;
    l.to_instance = b;
    l.to_port = pb;
    l.package = SIP_UCIE_STANDARD;
    l.modules = 4;
    l.rate_gtps = 16.0;
    l.line = line;
    int k = sip_package_add_link(pkg, &l, NULL);
    cr_assert_geq(k, 0);
    return k;
}

static inline sip_package_t *fx_package(void)
{
    sip_package_t *pkg = NULL;
    cr_assert_eq(sip_package_create(&pkg, NULL), SIP_OK);
    snprintf(pkg->name, sizeof pkg->name, "fixture");
    snprintf(pkg->path, sizeof pkg->path, "topologies/fixture.cfg");
    pkg->substrate.kind = SIP_SUBSTRATE_ORGANIC;
    pkg->substrate.width_mm = 60.0;
    pkg->substrate.height_mm = 40.0;
    pkg->substrate.line = 3;
    pkg->thermal.line = 30;
    fx_type(pkg, "cpu", SIP_KIND_COMPUTE, 10.0, 10.0, 100.0);
    fx_type(pkg, "iod", SIP_KIND_IO, 8.0, 10.0, 20.0);
    fx_type(pkg, "hbm", SIP_KIND_MEMORY, 8.0, 10.0, 15.0);
    fx_instance(pkg, "c0", FX_CPU, 5.0, 5.0, 10);
    fx_instance(pkg, "io", FX_IOD, 20.0, 5.0, 11);
    fx_instance(pkg, "c1", FX_CPU, 33.0, 5.0, 12);
    int h = fx_instance(pkg, "hbm0", FX_HBM, 5.0, 16.0, 13);
    pkg->instances[h].attached_to = FX_C0;
    /* port 0 = e0 (east), port 1 = w0 (west) */
    fx_link(pkg, "l0", FX_C0, 0, FX_IO, 1, 20);
    fx_link(pkg, "l1", FX_IO, 0, FX_C1, 1, 21);
    return pkg;
}

#endif
