/* Config loader tests: good inputs load with the values written, every malformed file fails with
 * the right status, line and message, the search path and help follow the README.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cli_run.h"
#include "config/config_internal.h"
#include "sipsim/config.h"

static const char *source_root(void)
{
    const char *root = getenv("SIPSIM_SOURCE_ROOT");
    cr_assert(root != NULL, "SIPSIM_SOURCE_ROOT is not set (run through meson test)");
    return root;
}

static void data_path(char *out, size_t size, const char *rel)
{
    snprintf(out, size, "%s/tests/data/%s", source_root(), rel);
}

/* Packages under tests/data see only the fixture chiplets, never an installed library. */
static sip_status_t load_fixture(const char *rel, sip_package_t **pkg, sip_error_t *err)
{
    char path[1024], good[1024], bad[1024];
    data_path(path, sizeof path, rel);
    data_path(good, sizeof good, "good/chiplets");
    data_path(bad, sizeof bad, "bad/chiplets");
    const char *dirs[] = {good, bad};
    sip_load_options_t opt = {.library_dirs = dirs, .n_library_dirs = 2, .no_default_dirs = true};
    sip_error_clear(err);
    return sip_package_load(path, &opt, pkg, err);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int find_instance(const sip_package_t *p, const char *name)
{
    int i = sip_package_find_instance(p, name);
    cr_assert_geq(i, 0, "instance %s missing", name);
    return i;
}

/* ------------------------------------------------------------------ good inputs */

Test(config_good, every_fixture_package_loads)
{
    char dir[1024];
    data_path(dir, sizeof dir, "good");
    DIR *dh = opendir(dir);
    cr_assert(dh != NULL);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(dh))) {
        if (!ends_with(de->d_name, ".cfg"))
            continue;
        char rel[600];
        snprintf(rel, sizeof rel, "good/%s", de->d_name);
        sip_package_t *p = NULL;
        sip_error_t err;
        sip_status_t st = load_fixture(rel, &p, &err);
        char msg[1200];
        sip_error_format(&err, msg, sizeof msg);
        cr_expect_eq(st, SIP_OK, "%s: %s", rel, msg);
        cr_expect(st != SIP_OK || p->n_instances > 0, "%s has no instances", rel);
        sip_package_destroy(p);
        n++;
    }
    closedir(dh);
    cr_assert_geq(n, 4, "expected the good fixtures, found %d", n);
}

Test(config_good, pair_reads_every_section)
{
    sip_package_t *p = NULL;
    sip_error_t err;
    cr_assert_eq(load_fixture("good/pair.cfg", &p, &err), SIP_OK, "%s", err.message);
    cr_assert_str_eq(p->name, "pair");
    cr_assert_str_eq(p->description, "two compute dies, an I/O die and an HBM stack");
    cr_assert_eq(p->substrate.kind, SIP_SUBSTRATE_ORGANIC);
    cr_assert_float_eq(p->substrate.width_mm, 50.0, 1e-12); /* written as an integer */
    cr_assert_eq(p->substrate.line, 4);
    cr_assert_eq(p->n_instances, 4);
    int c0 = find_instance(p, "c0"), io = find_instance(p, "io"), c1 = find_instance(p, "c1");
    int hbm = find_instance(p, "hbm0");
    cr_assert_eq(p->instances[c1].rotation_deg, 180);
    cr_assert_float_eq(p->instances[io].power_w, 25.0, 1e-12);
    cr_assert_float_eq(p->instances[c0].power_w, -1.0, 1e-12); /* default: type's TDP */
    cr_assert_eq(p->instances[hbm].attached_to, c0);
    cr_assert_eq(p->instances[c0].attached_to, -1);
    cr_assert_eq(p->instances[c0].line, 6);
    cr_assert_eq(p->instances[hbm].line, 9);

    const sip_chiplet_type_t *tio = sip_instance_type(p, io);
    cr_assert_str_eq(tio->name, "tiny_io");
    cr_assert(ends_with(tio->path, "tests/data/good/chiplets/tiny_io.cfg"));
    cr_assert_eq(tio->kind, SIP_KIND_IO);
    cr_assert_eq(tio->n_ios, 2);
    /* PCIe 6.0 x16 at 64 GT/s: 16 x 64 / 8 = 128 GB/s per direction (facts.md §3.3). */
    cr_assert_float_eq(tio->ios[0].bandwidth_GBps, 128.0, 1e-9);
    cr_assert_float_eq(tio->ios[1].bandwidth_GBps, 100.0, 1e-9); /* given, not derived */
    cr_assert_eq(tio->ios[0].kind, SIP_IO_PCIE6);
    cr_assert_float_eq(tio->idle_w, 0.0, 1e-12);

    const sip_chiplet_type_t *tc = sip_instance_type(p, c0);
    cr_assert_eq(tc->n_engines, 2);
    cr_assert_eq(tc->engines[0].array_rows, 64);
    cr_assert_eq(tc->engines[0].array_cols, 64);
    cr_assert_eq(tc->engines[0].dataflow, SIP_DATAFLOW_WS);
    cr_assert_eq(tc->engines[0].n_rates, 2);
    cr_assert_eq(tc->engines[0].rates[1].precision, SIP_PREC_BF16);
    cr_assert_float_eq(tc->engines[0].rates[1].macs_per_cycle, 4096.0, 1e-9);
    cr_assert_eq(tc->engines[1].kind, SIP_ENGINE_VECTOR);
    cr_assert_eq(tc->engines[0].line, 9);
    cr_assert_eq(tc->n_ports, 4);
    cr_assert_eq(tc->ports[3].edge, SIP_EDGE_SOUTH);
    cr_assert_float_eq(tc->ports[3].position_mm, 5.0, 1e-12);
    cr_assert_float_eq(tc->ports[2].bump_pitch_um, 0.0, 1e-12); /* absent: package default */
    cr_assert_eq(tc->ports[0].line, 17);
    cr_assert_eq(tc->n_blocks, 1);
    cr_assert_float_eq(tc->blocks[0].width_mm, 8.0, 1e-12);
    cr_assert_float_eq(tc->blocks[0].height_mm, 6.0, 1e-12);
    cr_assert_eq(sip_instance_type(p, hbm)->memories[0].kind, SIP_MEM_HBM3);

    cr_assert_eq(p->n_links, 2);
    const sip_link_t *l0 = &p->links[0], *l1 = &p->links[1];
    cr_assert_str_eq(l0->name, "c0-io");
    cr_assert_eq(l0->from_instance, c0);
    cr_assert_eq(l0->from_port, 0);
    cr_assert_eq(l0->to_instance, io);
    cr_assert_eq(l0->to_port, 0);
    cr_assert_eq(l0->package, SIP_UCIE_STANDARD);
    cr_assert_eq(l0->flit, SIP_FLIT_68B);
    cr_assert_float_eq(l0->length_mm, -1.0, 1e-12);
    cr_assert_float_eq(l0->voltage_v, 0.7, 1e-12);
    cr_assert_eq(l0->line, 12);
    cr_assert_str_eq(l1->name, "io.e0-c1.e0"); /* default name FROM-TO */
    cr_assert_eq(l1->flit, SIP_FLIT_256B_LATOPT);
    cr_assert_eq(l1->protocol, SIP_PROTO_CXL_CACHEMEM);
    cr_assert_float_eq(l1->length_mm, 3.5, 1e-12);
    cr_assert_float_eq(l1->voltage_v, 0.5, 1e-12);
    cr_assert_float_eq(l1->raw_ber, 1e-27, 1e-40);
    cr_assert_eq(l1->failed_lanes, 1);
    cr_assert_eq(l1->lanes_per_module, 16);
    cr_assert_float_eq(l1->rate_gtps, 32.0, 1e-12);

    cr_assert_float_eq(p->thermal.ambient_c, 30.0, 1e-12);
    cr_assert_float_eq(p->thermal.tj_max_c, 105.0, 1e-12);
    cr_assert_eq(p->thermal.cooling, SIP_COOLING_LIQUID);
    cr_assert_float_eq(p->thermal.power_budget_w, 400.0, 1e-12);
    cr_assert_eq(p->thermal.grid_rows, 32);
    cr_assert_eq(p->thermal.grid_cols, 48);
    cr_assert_eq(p->thermal.n_layers, 2);
    cr_assert_str_eq(p->thermal.layers[1].name, "lid");
    cr_assert_float_eq(p->thermal.layers[1].thickness_um, 2000.0, 1e-9);
    cr_assert_float_eq(p->thermal.layers[0].heat_capacity_j_per_m3k, 0.0, 1e-12);

    cr_assert_str_eq(p->traffic.pattern, "hotspot");
    cr_assert(p->traffic.load_in_GBps);
    cr_assert_float_eq(p->traffic.load, 20.0, 1e-12);
    cr_assert_eq(p->traffic.endpoints_per_chiplet, 2);
    cr_assert_eq(p->traffic.n_hotspots, 1);
    cr_assert_eq(p->traffic.hotspots[0], io);
    cr_assert_eq(p->traffic.n_demands, 2);
    cr_assert_eq(p->traffic.demands[1].from_instance, c1);
    cr_assert_eq(p->traffic.demands[1].to_instance, c0);
    cr_assert_float_eq(p->traffic.demands[1].GBps, 5.0, 1e-12);

    cr_assert(p->workload.present);
    cr_assert_str_eq(p->workload.model, "llama3-8b");
    cr_assert_str_eq(p->workload.phase, "decode");
    cr_assert_eq(p->workload.batch, 8);
    cr_assert_eq(p->workload.context_tokens, 4096);
    cr_assert_eq(p->workload.output_tokens, 128);
    cr_assert_eq(p->workload.precision, SIP_PREC_INT8);
    cr_assert_eq(p->workload.tensor_parallel, 2);

    cr_assert(p->cost.present);
    cr_assert(p->cost.chip_first);
    cr_assert_float_eq(p->cost.volume_units, 1e5, 1e-6);
    cr_assert_float_eq(p->cost.nre_usd, 2e7, 1e-3);
    sip_package_destroy(p);
}

Test(config_good, minimal_gets_defaults)
{
    sip_package_t *p = NULL;
    sip_error_t err;
    cr_assert_eq(load_fixture("good/minimal.cfg", &p, &err), SIP_OK, "%s", err.message);
    cr_assert_str_eq(p->name, "minimal"); /* file stem */
    cr_assert_eq(p->n_links, 0);
    cr_assert_eq(p->instances[0].rotation_deg, 0);
    cr_assert_float_eq(p->thermal.ambient_c, 35.0, 1e-12);
    cr_assert_float_eq(p->thermal.power_budget_w, -1.0, 1e-12);
    cr_assert(!p->workload.present);
    cr_assert(!p->cost.present);
    cr_assert_eq(p->traffic.n_demands, 0);
    cr_assert_eq(p->n_types, 1);
    sip_package_destroy(p);
}

Test(config_good, inline_block_derives_with_overrides)
{
    sip_package_t *p = NULL;
    sip_error_t err;
    cr_assert_eq(load_fixture("good/derived.cfg", &p, &err), SIP_OK, "%s", err.message);
    const sip_chiplet_type_t *t = sip_instance_type(p, find_instance(p, "io"));
    cr_assert_str_eq(t->name, "my_iod");
    cr_assert_str_eq(t->base, "tiny_io");
    cr_assert(ends_with(t->path, "tests/data/good/derived.cfg"), "%s", t->path);
    cr_assert_eq(t->line, 5);
    cr_assert_eq(t->kind, SIP_KIND_IO);                   /* inherited */
    cr_assert_float_eq(t->width_mm, 6.0, 1e-12);          /* overridden */
    cr_assert_float_eq(t->height_mm, 8.0, 1e-12);         /* inherited */
    cr_assert_eq(t->process_nm, 6);                       /* inherited */
    cr_assert_float_eq(t->tdp_w, 20.0, 1e-12);            /* overridden inside power */
    cr_assert_eq(t->n_ios, 2);                            /* list not given: the base's */
    cr_assert_float_eq(t->ios[0].bandwidth_GBps, 128.0, 1e-9);
    cr_assert_eq(t->n_ports, 1);                          /* list given: replaces the base's */
    cr_assert_str_eq(t->ports[0].name, "p0");
    cr_assert_eq(t->ports[0].modules, 1);
    cr_assert_eq(t->ports[0].line, 6);

    const sip_chiplet_type_t *b = sip_instance_type(p, find_instance(p, "br"));
    cr_assert_str_eq(b->name, "bridge_die");
    cr_assert_str_eq(b->base, "");
    cr_assert_eq(b->kind, SIP_KIND_CUSTOM);
    cr_assert_eq(b->n_ports, 2);
    /* A block derived from an earlier inline block. */
    const sip_chiplet_type_t *h = sip_instance_type(p, find_instance(p, "io2"));
    cr_assert_str_eq(h->base, "my_iod");
    cr_assert_float_eq(h->width_mm, 6.0, 1e-12);          /* from my_iod */
    cr_assert_float_eq(h->tdp_w, 35.0, 1e-12);
    cr_assert_float_eq(h->idle_w, 4.0, 1e-12);
    cr_assert_eq(h->process_nm, 5);
    cr_assert_eq(h->n_ports, 1);
    cr_assert_str_eq(h->ports[0].name, "p0");
    cr_assert_float_eq(t->tdp_w, 20.0, 1e-12);            /* my_iod itself unchanged */
    /* The library type is untouched by the derived block. */
    int lib = sip_package_find_type(p, "tiny_io");
    cr_assert_eq(lib, -1, "tiny_io is only a base here, not a package type");
    /* Links pick the package type up from their ports. */
    cr_assert_eq(p->links[0].package, SIP_UCIE_STANDARD);
    cr_assert_eq(p->links[1].package, SIP_UCIE_ADVANCED);
    sip_package_destroy(p);
}

Test(config_good, load_string_matches_file)
{
    const char *text =
        "substrate = { kind = \"interposer\"; width_mm = 20.0; height_mm = 20.0; };\n"
        "instances = ( { name = \"a\"; type = \"tiny_adv\"; x_mm = 1.0; y_mm = 1.0; rotation = 90; },\n"
        "              { name = \"b\"; type = \"tiny_adv\"; x_mm = 9.0; y_mm = 1.0; } );\n"
        "links = ( { from = \"a.n0\"; to = \"b.w0\"; modules = 1; rate_gtps = 32.0; } );\n";
    char good[1024];
    data_path(good, sizeof good, "good/chiplets");
    const char *dirs[] = {good};
    sip_load_options_t opt = {.library_dirs = dirs, .n_library_dirs = 1, .no_default_dirs = true};
    sip_package_t *p = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_package_load_string(text, "mem/pkg.cfg", &opt, &p, &err), SIP_OK, "%s",
                 err.message);
    cr_assert_str_eq(p->name, "pkg");
    cr_assert_eq(p->instances[0].rotation_deg, 90);
    cr_assert_eq(p->links[0].line, 4);
    sip_package_destroy(p);

    /* A UTF-8 byte-order mark is skipped. */
    char with_bom[1024];
    snprintf(with_bom, sizeof with_bom, "\xef\xbb\xbf%s", text);
    cr_assert_eq(sip_package_load_string(with_bom, "mem/bom.cfg", &opt, &p, &err), SIP_OK, "%s",
                 err.message);
    cr_assert_eq(p->links[0].line, 4);
    sip_package_destroy(p);

    /* Errors name the given path. */
    cr_assert_eq(sip_package_load_string("substrate = 3;\n", "mem/x.cfg", &opt, &p, &err),
                 SIP_EINVAL);
    cr_assert_null(p);
    cr_assert_str_eq(err.path, "mem/x.cfg");
    cr_assert_eq(err.line, 1);
}

Test(config_good, chiplet_load_names_type_by_stem)
{
    char path[1024];
    data_path(path, sizeof path, "good/chiplets/tiny_hbm.cfg");
    sip_chiplet_type_t t;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_chiplet_load(path, &t, &err), SIP_OK, "%s", err.message);
    cr_assert_str_eq(t.name, "tiny_hbm");
    cr_assert_str_eq(t.path, path);
    cr_assert_eq(t.kind, SIP_KIND_MEMORY);
    cr_assert_eq(t.memories[0].stacks, 1);
    cr_assert_float_eq(t.memories[0].bandwidth_GBps, 819.2, 1e-9);
    cr_assert_eq(t.memories[0].line, 6);
}

Test(config_good, missing_file_is_io_error)
{
    sip_package_t *p = (sip_package_t *)1;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_package_load("/nonexistent/dir/p.cfg", NULL, &p, &err), SIP_EIO);
    cr_assert_null(p);
    cr_assert_str_eq(err.path, "/nonexistent/dir/p.cfg");
    cr_assert(strstr(err.message, "cannot open") != NULL, "%s", err.message);
    sip_chiplet_type_t t;
    cr_assert_eq(sip_chiplet_load("/nonexistent/x.cfg", &t, &err), SIP_EIO);
    /* A directory is not a file. */
    char dir[1024];
    data_path(dir, sizeof dir, "good/chiplets");
    cr_assert_neq(sip_package_load(dir, NULL, &p, &err), SIP_OK);
}

/* ------------------------------------------------------------------ shipped data */

static int load_shipped_dir(const char *rel, bool packages)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", source_root(), rel);
    DIR *dh = opendir(dir);
    if (!dh)
        return 0;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(dh))) {
        if (!ends_with(de->d_name, ".cfg"))
            continue;
        char path[1600];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        sip_error_t err;
        sip_error_clear(&err);
        sip_status_t st;
        if (packages) {
            sip_package_t *p = NULL;
            st = sip_package_load(path, NULL, &p, &err);
            sip_package_destroy(p);
        } else {
            sip_chiplet_type_t t;
            st = sip_chiplet_load(path, &t, &err);
        }
        char msg[1200];
        sip_error_format(&err, msg, sizeof msg);
        cr_expect_eq(st, SIP_OK, "%s", msg);
        n++;
    }
    closedir(dh);
    return n;
}

Test(config_shipped, every_chiplet_and_topology_loads)
{
    int chiplets = load_shipped_dir("chiplets", false);
    int packages = load_shipped_dir("topologies", true) + load_shipped_dir("topologies/reference", true);
    /* Issue 2: at least 12 chiplet types and 7 packages ship. */
    cr_expect_geq(chiplets, 12, "found %d chiplet files", chiplets);
    cr_expect_geq(packages, 7, "found %d package files", packages);
}

/* ------------------------------------------------------------------ bad inputs */

typedef struct {
    const char *file;      /* in tests/data/bad/; chip_* files are chiplet type files */
    sip_status_t status;
    int line;
    const char *fragment;  /* part of the message */
    const char *path_end;  /* the file the error names (a library chiplet for errors inside it) */
} bad_case_t;

static const bad_case_t bad_cases[] = {
    {"unknown_key_typo.cfg", SIP_EINVAL, 1, "did you mean 'width_mm'", "unknown_key_typo.cfg"},
    {"unknown_top_key.cfg", SIP_EINVAL, 2, "did you mean 'instances'", "unknown_top_key.cfg"},
    {"unknown_key_no_guess.cfg", SIP_EINVAL, 6, "unknown key 'colour' in link", "unknown_key_no_guess.cfg"},
    {"chip_unknown_key_typo.cfg", SIP_EINVAL, 9, "did you mean 'max_rate_gtps'", "chip_unknown_key_typo.cfg"},
    {"chip_unknown_key_case.cfg", SIP_EINVAL, 3, "did you mean 'tdp_w'", "chip_unknown_key_case.cfg"},
    {"string_for_number.cfg", SIP_EINVAL, 3, "'x_mm' is a string (expected a number)", "string_for_number.cfg"},
    {"float_for_int.cfg", SIP_EINVAL, 6, "is a float (expected an integer)", "float_for_int.cfg"},
    {"group_for_list.cfg", SIP_EINVAL, 2, "'instances' is a group", "group_for_list.cfg"},
    {"bool_for_enum.cfg", SIP_EINVAL, 1, "'kind' is a boolean (expected a string)", "bool_for_enum.cfg"},
    {"list_elem_not_group.cfg", SIP_EINVAL, 2, "element 1 of 'instances' is a string", "list_elem_not_group.cfg"},
    {"chip_array_wrong_length.cfg", SIP_EINVAL, 5, "'array' is an array [ ... ] of 1 elements", "chip_array_wrong_length.cfg"},
    {"chip_array_mixed_types.cfg", SIP_EPARSE, 5, "mismatched element type", "chip_array_mixed_types.cfg"},
    {"negative_size.cfg", SIP_EINVAL, 1, "'width_mm' = -50 is out of range (expected 0 < width_mm <= 1000 mm)", "negative_size.cfg"},
    {"absurd_size.cfg", SIP_EINVAL, 1, "'height_mm' = 1000000000 is out of range", "absurd_size.cfg"},
    {"chip_absurd_die.cfg", SIP_EINVAL, 2, "'width_mm' = 1000000000 is out of range", "chip_absurd_die.cfg"},
    {"chip_negative_power.cfg", SIP_EINVAL, 3, "'tdp_w' = -1 is out of range", "chip_negative_power.cfg"},
    {"chip_negative_inf.cfg", SIP_EINVAL, 2, "Infinity is not a finite number", "chip_negative_inf.cfg"},
    {"inf_exponent.cfg", SIP_EINVAL, 3, "'x_mm' is not a finite number", "inf_exponent.cfg"},
    {"nan_literal.cfg", SIP_EINVAL, 4, "nan is not a finite number", "nan_literal.cfg"},
    {"inf_literal.cfg", SIP_EINVAL, 1, "inf is not a finite number", "inf_literal.cfg"},
    {"modules_zero.cfg", SIP_EINVAL, 6, "'modules' = 0 is out of range (expected 1 <= modules <= 64)", "modules_zero.cfg"},
    {"voltage_absurd.cfg", SIP_EINVAL, 6, "'voltage_v' = 5 is out of range", "voltage_absurd.cfg"},
    {"negative_power_w.cfg", SIP_EINVAL, 4, "'power_w' = -3 is out of range", "negative_power_w.cfg"},
    {"chip_array_zero.cfg", SIP_EINVAL, 5, "'array[1]' = 0 is out of range", "chip_array_zero.cfg"},
    {"chip_huge_count.cfg", SIP_EINVAL, 5, "integer 10000000000 is too large", "chip_huge_count.cfg"},
    {"chip_huge_count_int64.cfg", SIP_EINVAL, 5, "'count' = 10000000000 is out of range (expected 1 <= count <= 1000000)", "chip_huge_count_int64.cfg"},
    {"int_wraps_32bit.cfg", SIP_EINVAL, 6, "integer 4294967298 is too large", "int_wraps_32bit.cfg"},
    {"hex_too_large.cfg", SIP_EINVAL, 6, "integer 0x100000002 is too large", "hex_too_large.cfg"},
    {"chip_too_many_ports.cfg", SIP_ELIMIT, 8, "too many ports: 33 (expected at most 32)", "chip_too_many_ports.cfg"},
    {"chip_no_precisions.cfg", SIP_EINVAL, 6, "'precisions' has 0 elements (expected at least 1)", "chip_no_precisions.cfg"},
    {"empty.cfg", SIP_EINVAL, 1, "empty file", "empty.cfg"},
    {"chip_empty.cfg", SIP_EINVAL, 1, "empty file (expected a chiplet type", "chip_empty.cfg"},
    {"chip_binary.cfg", SIP_EPARSE, 1, "binary data (byte 0x00)", "chip_binary.cfg"},
    {"comments_only.cfg", SIP_EINVAL, 1, "empty file", "comments_only.cfg"},
    {"binary_garbage.cfg", SIP_EPARSE, 3, "binary data", "binary_garbage.cfg"},
    {"binary_high_bytes.cfg", SIP_EPARSE, 1, "syntax error", "binary_high_bytes.cfg"},
    {"deep_nesting.cfg", SIP_EPARSE, 2, "nesting deeper than 32 levels", "deep_nesting.cfg"},
    {"deep_groups.cfg", SIP_EPARSE, 33, "nesting deeper", "deep_groups.cfg"},
    {"missing_semicolon.cfg", SIP_EPARSE, 4, "syntax error", "missing_semicolon.cfg"},
    {"unbalanced_quote.cfg", SIP_EPARSE, 6, "unexpected string", "unbalanced_quote.cfg"},
    {"unterminated_string.cfg", SIP_EPARSE, 6, "unterminated string", "unterminated_string.cfg"},
    {"string_as_key.cfg", SIP_EPARSE, 4, "unexpected string", "string_as_key.cfg"},
    {"string_after_value.cfg", SIP_EPARSE, 6, "unexpected string", "string_after_value.cfg"},
    {"include_directive.cfg", SIP_EPARSE, 2, "@include", "include_directive.cfg"},
    {"dup_instance.cfg", SIP_EINVAL, 4, "duplicate instance name 'c0' (expected unique; first at line 3)", "dup_instance.cfg"},
    {"dup_link.cfg", SIP_EINVAL, 7, "duplicate link name 'l0'", "dup_link.cfg"},
    {"chip_dup_port.cfg", SIP_EINVAL, 10, "duplicate name 'e0' in ports (expected unique; first at line 9)", "chip_dup_port.cfg"},
    {"chip_dup_engine.cfg", SIP_EINVAL, 7, "duplicate name 'mxu' in engines", "chip_dup_engine.cfg"},
    {"chip_dup_precision.cfg", SIP_EINVAL, 6, "duplicate type 'int8' in precisions", "chip_dup_precision.cfg"},
    {"dup_block.cfg", SIP_EINVAL, 2, "duplicate block name 'b' (expected unique; first at line 2)", "dup_block.cfg"},
    {"duplicate_setting.cfg", SIP_EPARSE, 3, "duplicate setting name", "duplicate_setting.cfg"},
    {"missing_type.cfg", SIP_ENOTFOUND, 3, "unknown chiplet type 'no_such_die'", "missing_type.cfg"},
    {"missing_type_typo.cfg", SIP_ENOTFOUND, 3, "did you mean 'tiny_compute'", "missing_type_typo.cfg"},
    {"type_path_escape.cfg", SIP_EINVAL, 3, "is not a chiplet type name", "type_path_escape.cfg"},
    {"unknown_port.cfg", SIP_ENOTFOUND, 6, "instance 'c0' (type 'tiny_compute') has no port 'e9' (did you mean 'e0'?)", "unknown_port.cfg"},
    {"unknown_port_no_guess.cfg", SIP_ENOTFOUND, 6, "has no port 'zzzz' (expected one of: w0, w1, e0)", "unknown_port_no_guess.cfg"},
    {"unknown_instance_in_link.cfg", SIP_ENOTFOUND, 6, "from: unknown instance 'cx9'", "unknown_instance_in_link.cfg"},
    {"link_without_dot.cfg", SIP_EINVAL, 6, "to = \"iow0\" is not INSTANCE.PORT", "link_without_dot.cfg"},
    {"link_same_port.cfg", SIP_EINVAL, 6, "to itself", "link_same_port.cfg"},
    {"link_package_mismatch.cfg", SIP_EINVAL, 7, "joins a standard port and an advanced port", "link_package_mismatch.cfg"},
    {"instance_name_dot.cfg", SIP_EINVAL, 3, "contains '.'", "instance_name_dot.cfg"},
    {"name_too_long.cfg", SIP_EINVAL, 3, "'name' is 70 characters long (expected at most 63)", "name_too_long.cfg"},
    {"empty_name.cfg", SIP_EINVAL, 3, "'name' is empty", "empty_name.cfg"},
    {"attach_unknown.cfg", SIP_ENOTFOUND, 4, "attach: unknown instance 'c9' (did you mean 'c0'?)", "attach_unknown.cfg"},
    {"attach_self.cfg", SIP_EINVAL, 4, "attached to itself", "attach_self.cfg"},
    {"base_unknown.cfg", SIP_ENOTFOUND, 3, "unknown chiplet type 'tiny_iox' (did you mean 'tiny_io'?", "base_unknown.cfg"},
    {"block_missing_name.cfg", SIP_EINVAL, 2, "missing required key 'name' in custom", "block_missing_name.cfg"},
    {"block_missing_kind.cfg", SIP_EINVAL, 2, "missing required key 'kind' in custom", "block_missing_kind.cfg"},
    {"block_port_off_narrowed_die.cfg", SIP_EINVAL, 2, "port 'w1': position_mm = 6 is beyond its west edge (expected 0 <= position_mm <= 3 mm)", "block_port_off_narrowed_die.cfg"},
    {"bad_chiplet_in_library.cfg", SIP_EINVAL, 3, "'height_mm' = 0 is out of range", "chiplets/broken_die.cfg"},
    {"bad_enum_flit.cfg", SIP_EINVAL, 6, "flit = \"69b\" is not a valid value (did you mean '68b'?", "bad_enum_flit.cfg"},
    {"bad_enum_substrate.cfg", SIP_EINVAL, 1, "kind = \"ceramic\" is not a valid value (expected organic, interposer or bridge)", "bad_enum_substrate.cfg"},
    {"chip_bad_enum_precision.cfg", SIP_EINVAL, 6, "type = \"in8\" is not a valid value (did you mean 'int8'?", "chip_bad_enum_precision.cfg"},
    {"rotation_45.cfg", SIP_EINVAL, 4, "rotation = 45 (expected 0, 90, 180 or 270)", "rotation_45.cfg"},
    {"rotation_360.cfg", SIP_EINVAL, 4, "'rotation' = 360 is out of range", "rotation_360.cfg"},
    {"missing_x.cfg", SIP_EINVAL, 3, "missing required key 'x_mm' in instance", "missing_x.cfg"},
    {"missing_substrate.cfg", SIP_EINVAL, 1, "missing required key 'substrate' in package", "missing_substrate.cfg"},
    {"missing_instances.cfg", SIP_EINVAL, 1, "missing required key 'instances' in package", "missing_instances.cfg"},
    {"no_instances.cfg", SIP_EINVAL, 2, "'instances' has 0 elements (expected at least 1)", "no_instances.cfg"},
    {"chip_missing_kind.cfg", SIP_EINVAL, 1, "missing required key 'kind' in chiplet", "chip_missing_kind.cfg"},
    {"chip_missing_tdp.cfg", SIP_EINVAL, 3, "missing required key 'tdp_w' in power", "chip_missing_tdp.cfg"},
    {"chip_port_beyond_edge.cfg", SIP_EINVAL, 9, "position_mm = 9.5 is beyond its east edge", "chip_port_beyond_edge.cfg"},
    {"chip_idle_above_tdp.cfg", SIP_EINVAL, 3, "idle_w = 80 is above tdp_w = 60", "chip_idle_above_tdp.cfg"},
    {"chip_block_outside.cfg", SIP_EINVAL, 11, "is not inside the 10 x 8 mm die", "chip_block_outside.cfg"},
    {"chip_block_fractions.cfg", SIP_EINVAL, 11, "fractions sum to 1.4", "chip_block_fractions.cfg"},
    {"thermal_tj_below_ambient.cfg", SIP_EINVAL, 8, "tj_max_c = 30 is not above ambient_c = 40", "thermal_tj_below_ambient.cfg"},
    {"traffic_fraction_above_one.cfg", SIP_EINVAL, 8, "load = 1.5 is above 1", "traffic_fraction_above_one.cfg"},
    {"traffic_hotspot_unknown.cfg", SIP_ENOTFOUND, 7, "hotspots: unknown instance 'c7'", "traffic_hotspot_unknown.cfg"},
    {"traffic_matrix_self.cfg", SIP_EINVAL, 8, "demand from 'io' to itself", "traffic_matrix_self.cfg"},
    {"failed_lanes_too_many.cfg", SIP_EINVAL, 6, "failed_lanes = 40 exceeds the link's 32 lanes", "failed_lanes_too_many.cfg"},
    {"workload_bad_phase.cfg", SIP_EINVAL, 7, "did you mean 'decode'", "workload_bad_phase.cfg"},
};

Test(config_bad, every_malformed_file_fails_at_its_line)
{
    int n = (int)(sizeof bad_cases / sizeof bad_cases[0]);
    cr_assert_geq(n, 45);
    for (int i = 0; i < n; i++) {
        const bad_case_t *c = &bad_cases[i];
        char rel[256];
        snprintf(rel, sizeof rel, "bad/%s", c->file);
        sip_error_t err;
        sip_error_clear(&err);
        sip_status_t st;
        if (strncmp(c->file, "chip_", 5) == 0) {
            char path[1024];
            data_path(path, sizeof path, rel);
            sip_chiplet_type_t t;
            st = sip_chiplet_load(path, &t, &err);
        } else {
            sip_package_t *p = (sip_package_t *)1;
            st = load_fixture(rel, &p, &err);
            cr_expect_null(p, "%s: output not NULL on failure", c->file);
        }
        char msg[1200];
        sip_error_format(&err, msg, sizeof msg);
        cr_expect_eq(st, c->status, "%s: status %s, expected %s (%s)", c->file,
                     sip_status_str(st), sip_status_str(c->status), msg);
        cr_expect_eq(err.status, st, "%s: err.status differs", c->file);
        cr_expect_eq(err.line, c->line, "%s: line %d, expected %d (%s)", c->file, err.line,
                     c->line, msg);
        cr_expect(strstr(err.message, c->fragment) != NULL, "%s: message lacks \"%s\": %s",
                  c->file, c->fragment, msg);
        cr_expect(ends_with(err.path, c->path_end), "%s: path %s, expected .../%s", c->file,
                  err.path, c->path_end);
    }
}

/* Every file in tests/data/bad/ is in the table (no untested fixtures). */
Test(config_bad, table_covers_every_file)
{
    char dir[1024];
    data_path(dir, sizeof dir, "bad");
    DIR *dh = opendir(dir);
    cr_assert(dh != NULL);
    struct dirent *de;
    int n = (int)(sizeof bad_cases / sizeof bad_cases[0]);
    while ((de = readdir(dh))) {
        if (!ends_with(de->d_name, ".cfg"))
            continue;
        bool found = false;
        for (int i = 0; i < n && !found; i++)
            found = strcmp(bad_cases[i].file, de->d_name) == 0;
        cr_expect(found, "tests/data/bad/%s is not in the table", de->d_name);
    }
    closedir(dh);
}

#define TEMP_DIR_TEMPLATE "/tmp/sipsim-config-XXXXXX"

static void make_temp_dir(char out[sizeof TEMP_DIR_TEMPLATE])
{
    memcpy(out, TEMP_DIR_TEMPLATE, sizeof TEMP_DIR_TEMPLATE);
    cr_assert(mkdtemp(out) != NULL);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert(f != NULL, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

static void remove_tree(const char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

Test(config_bad, too_many_instances_stops_before_allocating)
{
    char dir[sizeof TEMP_DIR_TEMPLATE];
    make_temp_dir(dir);
    char path[1200];
    snprintf(path, sizeof path, "%s/many.cfg", dir);
    FILE *f = fopen(path, "w");
    cr_assert(f != NULL);
    fprintf(f, "substrate = { kind = \"organic\"; width_mm = 900.0; height_mm = 900.0; };\n");
    fprintf(f, "instances = (\n");
    for (int i = 0; i <= SIP_MAX_INSTANCES; i++)
        fprintf(f, "  { name = \"c%d\"; type = \"tiny_hbm\"; x_mm = %d.0; y_mm = 0.0; }%s\n", i,
                i % 900, i < SIP_MAX_INSTANCES ? "," : "");
    fprintf(f, ");\n");
    fclose(f);
    char good[1024];
    data_path(good, sizeof good, "good/chiplets");
    const char *dirs[] = {good};
    sip_load_options_t opt = {.library_dirs = dirs, .n_library_dirs = 1, .no_default_dirs = true};
    sip_package_t *p = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_expect_eq(sip_package_load(path, &opt, &p, &err), SIP_ELIMIT, "%s", err.message);
    cr_expect_null(p);
    cr_expect_eq(err.line, 2);
    cr_expect(strstr(err.message, "too many instances: 1025 (expected at most 1024)") != NULL,
              "%s", err.message);
    remove_tree(dir);
}

/* ------------------------------------------------------------------ search path */

static void write_type(const char *dir, const char *name, double width_mm)
{
    char cmd[1200], path[1200], text[400];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    snprintf(path, sizeof path, "%s/%s.cfg", dir, name);
    snprintf(text, sizeof text,
             "kind = \"custom\"; width_mm = %.1f; height_mm = 1.0; power = { tdp_w = 1.0; };\n",
             width_mm);
    write_file(path, text);
}

static double width_of_t(const char *pkg_path, const char *const *dirs, int n_dirs,
                         bool no_default, sip_status_t *st)
{
    sip_load_options_t opt = {.library_dirs = dirs, .n_library_dirs = n_dirs,
                              .no_default_dirs = no_default};
    sip_package_t *p = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    *st = sip_package_load(pkg_path, &opt, &p, &err);
    double w = *st == SIP_OK ? p->types[p->instances[0].type].width_mm : -1.0;
    sip_package_destroy(p);
    return w;
}

Test(config_search, library_dirs_then_beside_then_parents)
{
    char root[sizeof TEMP_DIR_TEMPLATE];
    make_temp_dir(root);
    char l1[1200], l2[1200], beside[1200], parent[1200], grand[1200], pkg[1200], sub[1200];
    snprintf(l1, sizeof l1, "%s/lib1", root);
    snprintf(l2, sizeof l2, "%s/lib2", root);
    snprintf(sub, sizeof sub, "%s/top/reference", root);
    snprintf(beside, sizeof beside, "%s/top/reference/chiplets", root);
    snprintf(parent, sizeof parent, "%s/top/chiplets", root);
    snprintf(grand, sizeof grand, "%s/chiplets", root);
    write_type(l1, "t", 1.0);
    write_type(l2, "t", 2.0);
    write_type(beside, "t", 3.0);
    write_type(parent, "t", 4.0);
    write_type(grand, "t", 5.0);
    snprintf(pkg, sizeof pkg, "%s/top/reference/p.cfg", root);
    write_file(pkg, "substrate = { kind = \"organic\"; width_mm = 10.0; height_mm = 10.0; };\n"
                    "instances = ( { name = \"a\"; type = \"t\"; x_mm = 0.0; y_mm = 0.0; } );\n");
    sip_status_t st;
    const char *d12[] = {l1, l2}, *d21[] = {l2, l1};
    cr_expect_float_eq(width_of_t(pkg, d12, 2, false, &st), 1.0, 1e-12); /* -L in order */
    cr_expect_float_eq(width_of_t(pkg, d21, 2, false, &st), 2.0, 1e-12);
    cr_expect_float_eq(width_of_t(pkg, NULL, 0, false, &st), 3.0, 1e-12); /* beside */
    char path[1300];
    snprintf(path, sizeof path, "%s/t.cfg", beside);
    cr_assert_eq(unlink(path), 0);
    cr_expect_float_eq(width_of_t(pkg, NULL, 0, false, &st), 4.0, 1e-12); /* parent */
    snprintf(path, sizeof path, "%s/t.cfg", parent);
    cr_assert_eq(unlink(path), 0);
    cr_expect_float_eq(width_of_t(pkg, NULL, 0, false, &st), 5.0, 1e-12); /* grandparent */
    /* no_default_dirs: only -L folders. */
    width_of_t(pkg, NULL, 0, true, &st);
    cr_expect_eq(st, SIP_ENOTFOUND);
    cr_expect_float_eq(width_of_t(pkg, d21, 1, true, &st), 2.0, 1e-12);
    remove_tree(root);
}

Test(config_search, relative_package_path_searches_beside_it)
{
    char root[sizeof TEMP_DIR_TEMPLATE];
    make_temp_dir(root);
    char dir[1200], cwd[1024];
    snprintf(dir, sizeof dir, "%s/chiplets", root);
    write_type(dir, "t", 7.0);
    char pkg[1200];
    snprintf(pkg, sizeof pkg, "%s/p.cfg", root);
    write_file(pkg, "substrate = { kind = \"organic\"; width_mm = 10.0; height_mm = 10.0; };\n"
                    "instances = ( { name = \"a\"; type = \"t\"; x_mm = 0.0; y_mm = 0.0; } );\n");
    cr_assert(getcwd(cwd, sizeof cwd) != NULL);
    cr_assert_eq(chdir(root), 0);
    sip_status_t st;
    double w = width_of_t("p.cfg", NULL, 0, false, &st);
    cr_assert_eq(chdir(cwd), 0);
    cr_expect_float_eq(w, 7.0, 1e-12);
    remove_tree(root);
}

/* ------------------------------------------------------------------ help */

Test(config_help, groups_match_schema_tables)
{
    const char *const *groups = sip_help_groups();
    int n = 0;
    for (; sip__schemas[n]; n++) {
        cr_assert_not_null(groups[n], "group list shorter than the schema list");
        cr_expect_str_eq(groups[n], sip__schemas[n]->name);
    }
    cr_expect_null(groups[n], "group list longer than the schema list");
    const char *required[] = {"chiplet", "engine", "precision", "memory", "io", "port", "block",
                              "package", "substrate", "instance", "link", "thermal", "layer",
                              "traffic", "workload", "cost"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        bool found = false;
        for (int j = 0; groups[j] && !found; j++)
            found = strcmp(groups[j], required[i]) == 0;
        cr_expect(found, "help group %s missing", required[i]);
    }
}

Test(config_help, text_covers_every_key_of_every_table)
{
    for (int i = 0; sip__schemas[i]; i++) {
        const sip__schema_t *s = sip__schemas[i];
        char *text = NULL;
        sip_error_t err;
        sip_error_clear(&err);
        cr_assert_eq(sip_help_text(s->name, &text, &err), SIP_OK, "%s", err.message);
        for (int k = 0; k < s->n_fields; k++) {
            const sip__field_t *f = &s->fields[k];
            char needle[128];
            snprintf(needle, sizeof needle, "\n  %s (", f->key);
            cr_expect(strstr(text, needle) != NULL, "help %s lacks key %s", s->name, f->key);
            cr_expect(strstr(text, f->help) != NULL || strlen(f->help) > 80,
                      "help %s lacks the meaning of %s", s->name, f->key);
            if (f->type == SIP__F_ENUM)
                for (int v = 0; v < f->n_names; v++) {
                    char quoted[96];
                    snprintf(quoted, sizeof quoted, "\"%s\"", f->names()[v]);
                    cr_expect(strstr(text, quoted) != NULL, "help %s.%s lacks value %s", s->name,
                              f->key, quoted);
                }
            if (f->type == SIP__F_GROUP || f->type == SIP__F_LIST) {
                char see[96];
                snprintf(see, sizeof see, "`sipsim help %s`", f->sub->name);
                cr_expect(strstr(text, see) != NULL, "help %s.%s does not point to %s", s->name,
                          f->key, f->sub->name);
            }
        }
        free(text);
    }
}

Test(config_help, unknown_group_suggests)
{
    char *text = (char *)1;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_help_text("thermla", &text, &err), SIP_ENOTFOUND);
    cr_assert_null(text);
    cr_assert(strstr(err.message, "did you mean 'thermal'") != NULL, "%s", err.message);
}

/* Every schema key the loader accepts is documented and vice versa: an unknown key is refused
 * even when it is valid in another group. */
Test(config_help, keys_are_scoped_to_their_group)
{
    const char *text = "substrate = { kind = \"organic\"; width_mm = 10.0; height_mm = 10.0; "
                       "modules = 2; };\ninstances = ( { name = \"a\"; type = \"t\"; x_mm = 0.0; "
                       "y_mm = 0.0; } );\n";
    sip_load_options_t opt = {.no_default_dirs = true};
    sip_package_t *p = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_package_load_string(text, "s.cfg", &opt, &p, &err), SIP_EINVAL);
    cr_assert(strstr(err.message, "unknown key 'modules' in substrate") != NULL, "%s",
              err.message);
}

Test(config_util, edit_distance_and_suggestions)
{
    cr_assert_eq(sip__edit_distance("width_mm", "width_mm"), 0);
    cr_assert_eq(sip__edit_distance("widht_mm", "width_mm"), 2);
    cr_assert_eq(sip__edit_distance("", "abc"), 3);
    cr_assert_eq(sip__edit_distance("GBPS", "gbps"), 0);
    const char *keys[] = {"kind", "width_mm", "height_mm"};
    cr_assert_str_eq(sip__closest("hieght_mm", keys, 3), "height_mm");
    cr_assert_null(sip__closest("colour", keys, 3));
    cr_assert_null(sip__closest("x", keys, 3));
}

/* ------------------------------------------------------------------ the help command */

/* Run `sipsim ARGS`, capture stdout; returns the exit status. */
static int run_sipsim(const char *args, char *out, size_t size)
{
    int status;
    char *all = cli_run(NULL, args, &status);
    snprintf(out, size, "%s", all);
    free(all);
    return status;
}

Test(config_cli, help_lists_groups_and_prints_one)
{
    static char out[1 << 16];
    cr_assert_eq(run_sipsim("help", out, sizeof out), 0);
    for (int i = 0; sip__schemas[i]; i++) {
        char line[128];
        snprintf(line, sizeof line, "\n  %-10s %s", sip__schemas[i]->name, sip__schemas[i]->title);
        cr_expect(strstr(out, line) != NULL, "`sipsim help` lacks group %s", sip__schemas[i]->name);
    }
    /* Golden: the port group as documented (regenerate on purpose when the schema changes). */
    cr_assert_eq(run_sipsim("help port", out, sizeof out), 0);
    char golden_path[1024];
    snprintf(golden_path, sizeof golden_path, "%s/tests/expected/help_port.txt", source_root());
    FILE *g = fopen(golden_path, "r");
    cr_assert(g != NULL);
    static char golden[1 << 16];
    size_t n = fread(golden, 1, sizeof golden - 1, g);
    golden[n] = '\0';
    fclose(g);
    cr_expect_str_eq(out, golden);
    cr_assert_eq(run_sipsim("help no_such_group", out, sizeof out), 2);
    cr_expect_str_empty(out);
}
