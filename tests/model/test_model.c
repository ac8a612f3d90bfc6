/* Package model: geometry of rotated instances and ports, link length, copies.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <string.h>

#include "sipsim.h"

static sip_package_t *two_dies(int rotation_deg)
{
    sip_package_t *pkg = NULL;
    cr_assert_eq(sip_package_create(&pkg, NULL), SIP_OK);
    sip_chiplet_type_t t;
    sip_chiplet_type_init(&t);
    strcpy(t.name, "die");
    t.width_mm = 10.0;
    t.height_mm = 4.0;
    t.tdp_w = 50.0;
    t.n_ports = 1;
    strcpy(t.ports[0].name, "n0");
    t.ports[0].edge = SIP_EDGE_NORTH;
    t.ports[0].position_mm = 2.0;
    cr_assert_eq(sip_package_add_type(pkg, &t, NULL), 0);
    sip_instance_t a, b;
    sip_instance_init(&a);
    sip_instance_init(&b);
    strcpy(a.name, "a");
    a.type = b.type = 0;
    a.x_mm = 1.0;
    a.y_mm = 1.0;
    a.rotation_deg = rotation_deg;
    strcpy(b.name, "b");
    b.x_mm = 20.0;
    b.y_mm = 1.0;
    cr_assert_eq(sip_package_add_instance(pkg, &a, NULL), 0);
    cr_assert_eq(sip_package_add_instance(pkg, &b, NULL), 1);
    return pkg;
}

Test(model_geometry, unrotated_port_sits_on_its_edge)
{
    sip_package_t *pkg = two_dies(0);
    double x, y;
    sip_edge_t e;
    sip_port_location(pkg, 0, 0, &x, &y, &e);
    cr_assert_float_eq(x, 3.0, 1e-12);
    cr_assert_float_eq(y, 5.0, 1e-12);
    cr_assert_eq(e, SIP_EDGE_NORTH);
    sip_package_destroy(pkg);
}

Test(model_geometry, quarter_turn_swaps_footprint_and_moves_north_port_west)
{
    sip_package_t *pkg = two_dies(90);
    sip_rect_t r = sip_instance_rect(pkg, 0);
    cr_assert_float_eq(r.x1_mm - r.x0_mm, 4.0, 1e-12);
    cr_assert_float_eq(r.y1_mm - r.y0_mm, 10.0, 1e-12);
    double x, y;
    sip_edge_t e;
    sip_port_location(pkg, 0, 0, &x, &y, &e);
    /* (2, 4) in the die frame turns to (4 - 4, 2) = (0, 2), plus the (1, 1) origin. */
    cr_assert_float_eq(x, 1.0, 1e-12);
    cr_assert_float_eq(y, 3.0, 1e-12);
    cr_assert_eq(e, SIP_EDGE_WEST);
    sip_package_destroy(pkg);
}

Test(model_geometry, half_turn_moves_north_port_south)
{
    sip_package_t *pkg = two_dies(180);
    double x, y;
    sip_edge_t e;
    sip_port_location(pkg, 0, 0, &x, &y, &e);
    cr_assert_float_eq(x, 1.0 + 8.0, 1e-12);
    cr_assert_float_eq(y, 1.0, 1e-12);
    cr_assert_eq(e, SIP_EDGE_SOUTH);
    sip_package_destroy(pkg);
}

Test(model_links, length_is_manhattan_between_port_centres_unless_given)
{
    sip_package_t *pkg = two_dies(0);
    sip_link_t l;
    sip_link_init(&l);
    l.from_instance = 0;
    l.from_port = 0;
    l.to_instance = 1;
    l.to_port = 0;
    cr_assert_eq(sip_package_add_link(pkg, &l, NULL), 0);
    /* (3, 5) to (22, 5) */
    cr_assert_float_eq(sip_link_length_mm(pkg, 0), 19.0, 1e-12);
    pkg->links[0].length_mm = 7.5;
    cr_assert_float_eq(sip_link_length_mm(pkg, 0), 7.5, 1e-12);
    cr_assert_eq(sip_link_lanes_per_module(&pkg->links[0]), 16);
    pkg->links[0].package = SIP_UCIE_ADVANCED;
    cr_assert_eq(sip_link_lanes_per_module(&pkg->links[0]), 64);
    sip_package_destroy(pkg);
}

Test(model_lifetime, clone_is_deep_and_independent)
{
    sip_package_t *pkg = two_dies(0), *copy = NULL;
    cr_assert_eq(sip_package_clone(pkg, &copy, NULL), SIP_OK);
    copy->instances[0].x_mm = 99.0;
    cr_assert_float_eq(pkg->instances[0].x_mm, 1.0, 1e-12);
    cr_assert_float_eq(sip_package_total_power_w(copy), 100.0, 1e-12);
    sip_package_destroy(pkg);
    sip_package_destroy(copy);
    sip_package_destroy(NULL);
}

Test(model_limits, adding_past_the_instance_limit_fails_cleanly)
{
    sip_package_t *pkg = two_dies(0);
    sip_instance_t in;
    sip_instance_init(&in);
    in.type = 0;
    sip_error_t err;
    sip_error_clear(&err);
    int last = 0;
    while ((last = sip_package_add_instance(pkg, &in, &err)) >= 0)
        ;
    cr_assert_eq(err.status, SIP_ELIMIT);
    cr_assert_eq(pkg->n_instances, SIP_MAX_INSTANCES);
    sip_package_destroy(pkg);
}

Test(core_status, error_formats_as_path_line_message)
{
    sip_error_t err;
    char buf[256];
    sip_error_set(&err, SIP_EINVAL, "pkg.cfg", 12, "size_mm must be > 0 (got %g)", -1.0);
    sip_error_format(&err, buf, sizeof buf);
    cr_assert_str_eq(buf, "pkg.cfg:12: size_mm must be > 0 (got -1)");
    cr_assert_str_eq(sip_status_str(SIP_OK), "ok");
    cr_assert_str_eq(sip_status_str((sip_status_t)999), "unknown status");
}

Test(model_lifetime, a_clone_grows_like_the_original)
{
    sip_package_t *pkg = two_dies(0), *copy = NULL;
    cr_assert_eq(sip_package_clone(pkg, &copy, NULL), SIP_OK);
    sip_instance_t in;
    sip_instance_init(&in);
    in.type = 0;
    for (int i = 0; i < 40; i++)
        cr_assert_eq(sip_package_add_instance(copy, &in, NULL), 2 + i);
    cr_assert_eq(copy->n_instances, 42);
    cr_assert_eq(pkg->n_instances, 2);
    sip_package_destroy(pkg);
    sip_package_destroy(copy);
}
