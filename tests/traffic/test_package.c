/* Traffic on a package: the network built from instances and UCIe links (sip_ucie_link_eval).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sipsim.h"
#include "sipsim/traffic.h"
#include "sipsim/ucie.h"

/* A 2x4 package built in code: 10 mm compute tiles with a mid-edge advanced-package port on
 * each side, 1 mm apart, each neighbour pair joined by one UCIe-A x64 module at 16 GT/s. */
static sip_package_t *package_2x4(void)
{
    sip_package_t *pkg = NULL;
    cr_assert_eq(sip_package_create(&pkg, NULL), SIP_OK);
    strcpy(pkg->name, "pkg2x4");
    pkg->substrate.kind = SIP_SUBSTRATE_INTERPOSER;
    pkg->substrate.width_mm = 50.0;
    pkg->substrate.height_mm = 30.0;
    sip_chiplet_type_t t;
    sip_chiplet_type_init(&t);
    strcpy(t.name, "tile");
    t.width_mm = t.height_mm = 10.0;
    t.tdp_w = 100.0;
    t.n_engines = 1;
    strcpy(t.engines[0].name, "mac");
    t.engines[0].count = 1;
    t.engines[0].clock_ghz = 2.0;
    const char *names[4] = {"n", "e", "s", "w"};
    for (int e = 0; e < 4; e++) {
        sip_port_t *p = &t.ports[t.n_ports++];
        strcpy(p->name, names[e]);
        p->edge = (sip_edge_t)e;
        p->position_mm = 5.0;
        p->package = SIP_UCIE_ADVANCED;
        p->modules = 1;
        p->max_rate_gtps = 32.0;
        p->bump_pitch_um = 45.0;
    }
    cr_assert_eq(sip_package_add_type(pkg, &t, NULL), 0);
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < 4; c++) {
            sip_instance_t in;
            sip_instance_init(&in);
            snprintf(in.name, sizeof in.name, "t%d%d", r, c);
            in.type = 0;
            in.x_mm = 1.0 + 11.0 * c;
            in.y_mm = 1.0 + 11.0 * r;
            cr_assert_eq(sip_package_add_instance(pkg, &in, NULL), r * 4 + c);
        }
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < 4; c++) {
            const int me = r * 4 + c;
            for (int dir = 0; dir < 2; dir++) {
                if ((dir == 0 && c == 3) || (dir == 1 && r == 1))
                    continue;
                sip_link_t l;
                sip_link_init(&l);
                snprintf(l.name, sizeof l.name, "l%d_%d", me, dir);
                l.from_instance = me;
                l.to_instance = dir == 0 ? me + 1 : me + 4;
                l.from_port = dir == 0 ? 1 : 0; /* east / north */
                l.to_port = dir == 0 ? 3 : 2;   /* west / south */
                l.package = SIP_UCIE_ADVANCED;
                l.rate_gtps = 16.0;
                cr_assert_geq(sip_package_add_link(pkg, &l, NULL), 0);
            }
        }
    return pkg;
}

Test(traffic_package, network_follows_the_ucie_model)
{
    sip_package_t *pkg = package_2x4();
    sip_network_options_t o = {.endpoints_per_chiplet = 2};
    sip_network_t *net = NULL;
    sip_error_t err;
    cr_assert_eq(sip_network_from_package(pkg, &o, &net, &err), SIP_OK, "%s", err.message);
    cr_assert_eq(net->n_nodes, 8);
    cr_assert_eq(net->n_channels, 20);
    cr_assert_eq(net->n_endpoints, 16);
    cr_assert_eq(net->mesh_cols, 4);
    cr_assert_eq(net->mesh_rows, 2);
    sip_ucie_link_result_t u;
    cr_assert_eq(sip_ucie_link_eval(pkg, 0, &u, NULL), SIP_OK);
    cr_assert_gt(u.payload_GBps_per_dir, 0.0);
    for (int c = 0; c < net->n_channels; c++) {
        cr_assert_float_eq(net->channels[c].capacity_GBps, u.payload_GBps_per_dir, 1e-9);
        cr_assert_float_eq(net->channels[c].latency_ns, u.latency_ns, 1e-12);
        cr_assert_float_eq(net->channels[c].energy_pj_per_bit, u.energy_pj_per_bit, 1e-12);
        cr_assert_geq(net->channels[c].link, 0);
        cr_assert_geq(net->channels[c].reverse, 0);
    }
    /* corner tile t00: two links, two endpoints -> each injects one link's payload bandwidth */
    cr_assert_float_eq(net->endpoints[0].inject_GBps, u.payload_GBps_per_dir, 1e-9);
    /* router: 4 cycles at the engine clock of 2 GHz */
    cr_assert_float_eq(net->nodes[0].router_delay_ns, 2.0, 1e-12);
    sip_network_destroy(net);
    sip_package_destroy(pkg);
}

Test(traffic_package, neighbour_latency_power_and_patterns)
{
    sip_package_t *pkg = package_2x4();
    sip_network_t *net = NULL;
    sip_error_t err;
    cr_assert_eq(sip_network_from_package(pkg, NULL, &net, &err), SIP_OK, "%s", err.message);
    sip_ucie_link_result_t u;
    cr_assert_eq(sip_ucie_link_eval(pkg, 0, &u, NULL), SIP_OK);
    sip_routes_t *r = NULL;
    cr_assert_eq(sip_routes_compute(net, SIP_ROUTING_DOR, NULL, &r, &err), SIP_OK, "%s", err.message);
    sip_pattern_params_t p;
    sip_pattern_params_init(&p);
    p.load = 0.25;
    sip_demand_matrix_t *d = NULL;
    cr_assert_eq(sip_demand_build(net, "adjacent", &p, &d, &err), SIP_OK, "%s", err.message);
    sip_traffic_options_t opts = {.packet_bytes = 256.0};
    sip_traffic_result_t *res = NULL;
    cr_assert_eq(sip_traffic_evaluate(net, r, d, &opts, &res, &err), SIP_OK, "%s", err.message);
    /* every neighbour flow: two routers + one UCIe link + the tail's serialization */
    const double t0 = 2.0 + 2.0 + u.latency_ns + (256.0 - u.flit_bytes) / u.payload_GBps_per_dir;
    for (int i = 0; i < res->n_flows; i++)
        cr_assert_float_eq(res->flow_zero_load_ns[i], t0, 1e-9);
    /* each tile sends 0.25 of its D2D bandwidth, equally to its neighbours: every channel
     * carries 0.25 x payload, so the channel-load bound is load 1 */
    cr_assert_float_eq(res->channel_bound_load, 1.0, 1e-9);
    cr_assert_leq(res->saturation_load, res->channel_bound_load);
    double expect_w = res->channel_GBps_sum * 8.0 * u.energy_pj_per_bit * 1e-3;
    cr_assert_float_eq(res->d2d_power_w, expect_w, 1e-12);
    cr_assert_float_eq(res->energy_pj_per_byte, 8.0 * u.energy_pj_per_bit, 1e-9);
    sip_traffic_result_destroy(res);
    sip_demand_destroy(d);

    /* hotspot and explicit demands from the package's traffic section */
    pkg->traffic.n_hotspots = 1;
    pkg->traffic.hotspots[0] = 7;
    sip_demand_t dm[1] = {{0, 7, 20.0, 12}};
    pkg->traffic.demands = dm;
    pkg->traffic.n_demands = 1;
    strcpy(pkg->traffic.pattern, "explicit");
    cr_assert_eq(sip_pattern_params_from_package(net, pkg, &p, &err), SIP_OK);
    cr_assert_eq(p.hotspots[0], 7);
    cr_assert_eq(sip_demand_build(net, "explicit", &p, &d, &err), SIP_OK, "%s", err.message);
    cr_assert_eq(sip_traffic_evaluate(net, r, d, &opts, &res, &err), SIP_OK);
    cr_assert_float_eq(res->injected_GBps, 20.0, 1e-9);
    cr_assert_float_eq(res->channel_GBps_sum, 20.0 * 4, 1e-9); /* t00 -> t13: 4 hops */
    cr_assert_float_eq(res->channel_bound_scale, u.payload_GBps_per_dir / 20.0, 1e-9);
    sip_traffic_result_destroy(res);
    sip_demand_destroy(d);
    pkg->traffic.demands = NULL; /* not owned here */
    pkg->traffic.n_demands = 0;
    sip_routes_destroy(r);
    sip_network_destroy(net);
    sip_package_destroy(pkg);
}
