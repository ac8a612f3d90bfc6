/* The readings of the rule text a compliance engineer has to sign (issue 16): each edge built
 * from a small package written as libconfig text, loaded through the real loader.
 * Rule text: facts.md §2 and the comments of src/tpp/rules.c.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/cli_run.h"
#include "common/files.h"
#include "sipsim.h"
#include "sipsim/config.h"
#include "sipsim/tpp.h"

/* A package from text; the chiplet types are inline blocks so nothing is read from disk. */
static sip_package_t *from_text(const char *text)
{
    sip_package_t *pkg = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    sip_load_options_t lo = {.no_default_dirs = true};
    cr_assert_eq(sip_package_load_string(text, "edge.cfg", &lo, &pkg, &err), SIP_OK, "%s",
                 err.message);
    return pkg;
}

static sip_tpp_result_t *evaluate(const sip_package_t *pkg, const sip_tpp_options_t *o)
{
    sip_tpp_result_t *r = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_tpp_evaluate(pkg, o, &r, &err), SIP_OK, "%s", err.message);
    return r;
}

static const sip_tpp_class_t *class_of(const sip_tpp_result_t *r, const char *rule)
{
    int i = sip_tpp_rule_find(rule);
    cr_assert(i >= 0);
    return &r->classes[i];
}

static bool has_warning(const sip_tpp_result_t *r, const char *needle)
{
    for (int k = 0; k < r->n_warnings; k++)
        if (strstr(r->warnings[k].message, needle))
            return true;
    return false;
}

/* One HBM3 stack (11 x 11 mm, BW GB/s) and, optionally, one more die given as a block. */
static char *hbm_package(double bw_GBps, const char *other_block, const char *other_kind)
{
    static char text[4096];
    snprintf(text, sizeof text,
             "name = \"hbm_edge\";\n"
             "substrate = { kind = \"interposer\"; width_mm = 40.0; height_mm = 20.0; };\n"
             "blocks = (\n"
             "  { name = \"stack\"; kind = \"memory\"; width_mm = 11.0; height_mm = 11.0;\n"
             "    power = { tdp_w = 15.0; };\n"
             "    memory = ( { name = \"hbm\"; kind = \"hbm3\"; stacks = 1; capacity_gb = 16.0;\n"
             "                 bandwidth_GBps = %.6f; } ); }%s%s\n"
             ");\n"
             "instances = (\n"
             "  { name = \"m0\"; type = \"stack\"; x_mm = 1.0; y_mm = 1.0; }%s\n"
             ");\n",
             bw_GBps, other_block ? ",\n" : "", other_block ? other_block : "",
             other_kind ? other_kind : "");
    return text;
}

/* The HBM base die: logic designed as the stack's control interface, with the PHY. */
static const char *base_die =
    "  { name = \"base\"; kind = \"io\"; width_mm = 11.0; height_mm = 11.0; process_nm = 12;\n"
    "    transistor = \"finfet\"; power = { tdp_w = 3.0; }; }";
static const char *base_inst = ",\n  { name = \"b0\"; type = \"base\"; x_mm = 14.0; y_mm = 1.0; }";

static const char *gpu_die =
    "  { name = \"gpu\"; kind = \"compute\"; width_mm = 20.0; height_mm = 15.0; process_nm = 5;\n"
    "    transistor = \"finfet\"; power = { tdp_w = 300.0; };\n"
    "    engines = ( { name = \"t\"; kind = \"systolic\"; count = 1; array = [16, 16];\n"
    "                  clock_ghz = 1.0; precisions = ( { type = \"fp16\"; macs_per_cycle = 1000.0; } ); } ); }";
static const char *gpu_inst = ",\n  { name = \"g0\"; type = \"gpu\"; x_mm = 14.0; y_mm = 1.0; }";

Test(tpp_hbm, stack_with_its_own_phy_controller_logic_die_is_3a090c)
{
    /* 819.2 GB/s over 121 mm2 = 6.77 GB/s/mm2 > 2.  The only other die is the stack's control
     * interface and PHY: the note to 3A090.c keeps it controlled ("this control does include
     * HBM permanently affixed to a logic integrated circuit designed as a control interface
     * and incorporating a physical layer (PHY) function").  The old "no logic die" test said
     * not 3A090.c here. */
    sip_package_t *pkg = from_text(hbm_package(819.2, base_die, base_inst));
    sip_tpp_result_t *r = evaluate(pkg, NULL);
    cr_assert_float_eq(r->metrics.value[SIP_METRIC_LOGIC_DIES], 1.0, 0.0);
    cr_assert_float_eq(r->metrics.value[SIP_METRIC_PROCESSING_DIES], 0.0, 0.0);
    const sip_tpp_class_t *c = class_of(r, "bis-2024-hbm");
    cr_assert_str_eq(c->class_name, "3A090.c");
    /* 6.77 >= 3.3: License Exception HBM is out on its density term. */
    cr_assert_eq(c->n_exceptions, 1);
    cr_assert_eq(c->exceptions[0].state, SIP_TPP_FALSE);
    sip_tpp_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(tpp_hbm, stack_copackaged_with_a_processing_die_is_not_3a090c)
{
    sip_package_t *pkg = from_text(hbm_package(819.2, gpu_die, gpu_inst));
    sip_tpp_result_t *r = evaluate(pkg, NULL);
    cr_assert_str_eq(class_of(r, "bis-2024-hbm")->class_name, "not 3A090.c");
    cr_assert_eq(class_of(r, "bis-2024-hbm")->n_exceptions, 0);
    sip_tpp_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(tpp_hbm, license_exception_density_term_holds_below_3_3_and_the_rest_is_not_evaluated)
{
    /* 3.3 x 121 = 399.3 GB/s is the exception's edge (strict <); 2 x 121 = 242 the control's
     * edge (strict >). */
    sip_package_t *pkg = from_text(hbm_package(399.3 * (1 - 1e-6), base_die, base_inst));
    sip_tpp_result_t *r = evaluate(pkg, NULL);
    const sip_tpp_class_t *c = class_of(r, "bis-2024-hbm");
    cr_assert_str_eq(c->class_name, "3A090.c");
    cr_assert_eq(c->exceptions[0].state, SIP_TPP_TRUE);
    const sip_rule_t *rule = sip_tpp_rule(c->rule);
    cr_assert(rule->exceptions[0].n_unevaluated >= 1, "conditions beyond density are listed");
    sip_tpp_result_destroy(r);
    sip_package_destroy(pkg);

    pkg = from_text(hbm_package(399.3, base_die, base_inst));
    r = evaluate(pkg, NULL);
    cr_assert_eq(class_of(r, "bis-2024-hbm")->exceptions[0].state, SIP_TPP_FALSE);
    sip_tpp_result_destroy(r);
    sip_package_destroy(pkg);

    pkg = from_text(hbm_package(242.0, base_die, base_inst));
    r = evaluate(pkg, NULL);
    cr_assert_str_eq(class_of(r, "bis-2024-hbm")->class_name, "not 3A090.c");
    sip_tpp_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(tpp_hbm, block_has_no_duplicated_conditions)
{
    sip_package_t *pkg = from_text(hbm_package(819.2, base_die, base_inst));
    sip_tpp_result_t *r = evaluate(pkg, NULL);
    for (int k = 0; k < r->n_classes; k++) {
        const sip_tpp_class_t *c = &r->classes[k];
        const sip_rule_t *rule = sip_tpp_rule(c->rule);
        for (int i = 0; i < c->n_margins; i++)
            for (int j = i + 1; j < c->n_margins; j++) {
                const sip_condition_t *a =
                    &rule->clauses[c->margins[i].clause].conditions[c->margins[i].condition];
                const sip_condition_t *b =
                    &rule->clauses[c->margins[j].clause].conditions[c->margins[j].condition];
                bool same_clause_name =
                    strcmp(rule->clauses[c->margins[i].clause].name,
                           rule->clauses[c->margins[j].clause].name) == 0;
                cr_assert_not(same_clause_name && a->metric == b->metric && a->cmp == b->cmp &&
                                  a->threshold == b->threshold,
                              "%s prints %s %s %g twice", rule->id, sip_metric_name(a->metric),
                              sip_cmp_symbol(a->cmp), a->threshold);
            }
    }
    cr_assert_eq(class_of(r, "bis-2024-hbm")->n_margins, 2);
    cr_assert_str_eq(sip_metric_label(SIP_METRIC_HBM_DENSITY), "memory bandwidth density");
    sip_tpp_result_destroy(r);
    sip_package_destroy(pkg);
}

/* A compute die of TPP 2000 (fp16, 1 GHz) on 200 mm2, plus a die of 500 mm2 whose transistor
 * line is TRANSISTOR_LINE (empty = not stated) and process line PROCESS_LINE. */
static sip_package_t *unknown_die_package(const char *transistor_line, const char *process_line)
{
    char text[4096];
    snprintf(text, sizeof text,
             "name = \"unknown_edge\";\n"
             "substrate = { kind = \"organic\"; width_mm = 60.0; height_mm = 30.0; };\n"
             "blocks = (\n"
             "  { name = \"npu\"; kind = \"compute\"; width_mm = 20.0; height_mm = 10.0; process_nm = 5;\n"
             "    transistor = \"finfet\"; power = { tdp_w = 100.0; };\n"
             "    engines = ( { name = \"t\"; kind = \"systolic\"; count = 1; array = [16, 16];\n"
             "                  clock_ghz = 1.0;\n"
             "                  precisions = ( { type = \"fp16\"; macs_per_cycle = 62500.0; } ); } ); },\n"
             "  { name = \"iod\"; kind = \"io\"; width_mm = 25.0; height_mm = 20.0; %s %s\n"
             "    power = { tdp_w = 20.0; }; }\n"
             ");\n"
             "instances = (\n"
             "  { name = \"n0\"; type = \"npu\"; x_mm = 1.0; y_mm = 1.0; },\n"
             "  { name = \"io\"; type = \"iod\"; x_mm = 25.0; y_mm = 1.0; }\n"
             ");\n",
             process_line, transistor_line);
    return from_text(text);
}

Test(tpp_planar, die_without_transistor_key_gets_the_stricter_reading_and_a_warning)
{
    /* TPP 2 x 62500 x 1e9 x 16 / 1e12 = 2000.  I/O die counted: PD 2000 / 700 = 2.857 (< 3.2:
     * not 3A090); left out: PD 2000 / 200 = 10 >= 5.92 with TPP >= 1600: 3A090.a.2.  Counting
     * an unknown die was the lenient reading; the answer is a.2, both readings are kept. */
    sip_package_t *pkg = unknown_die_package("", "");
    sip_tpp_result_t *r = evaluate(pkg, NULL);
    cr_assert_float_eq(r->metrics.value[SIP_METRIC_TPP], 2000.0, 1e-9);
    cr_assert_str_eq(class_of(r, "bis-2023")->class_name, "3A090.a.2");
    cr_assert_float_eq(r->metrics.value[SIP_METRIC_PD], 10.0, 1e-9);
    cr_assert_not(r->metrics.unknown_counted);
    bool lenient_seen = false;
    for (int k = 0; k < r->n_readings; k++)
        if (r->readings[k].unknown_counted) {
            cr_assert_float_eq(r->readings[k].metrics.value[SIP_METRIC_PD], 2000.0 / 700.0, 1e-9);
            cr_assert_str_eq(r->readings[k].classes[sip_tpp_rule_find("bis-2023")].class_name,
                             "not 3A090");
            lenient_seen = true;
        }
    cr_assert(lenient_seen, "the counted reading is kept");
    cr_assert(has_warning(r, "'iod'"), "the die is named in a warning");
    cr_assert(has_warning(r, "no process_nm either"));
    cr_assert(has_warning(r, "edge.cfg:"), "the warning points at the file");
    cr_assert(has_warning(r, "not 3A090"), "the lenient class is printed too");
    /* The fast path gives the same stricter metrics. */
    sip_tpp_metrics_t m;
    cr_assert_eq(sip_tpp_metrics(pkg, NULL, &m, NULL), SIP_OK);
    cr_assert_float_eq(m.value[SIP_METRIC_PD], 10.0, 1e-9);
    sip_tpp_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(tpp_planar, only_unknown_logic_is_counted_when_leaving_it_out_would_empty_the_area)
{
    /* A single compute die with no key: leaving it out leaves no applicable area (PD 0, no
     * PD clause can fire); counting it gives PD 1600 / 200 = 8: a.2.  Stricter = counted. */
    char text[2048];
    snprintf(text, sizeof text,
             "name = \"solo\";\n"
             "substrate = { kind = \"organic\"; width_mm = 30.0; height_mm = 30.0; };\n"
             "blocks = ( { name = \"npu\"; kind = \"compute\"; width_mm = 20.0; height_mm = 10.0;\n"
             "    process_nm = 5; power = { tdp_w = 100.0; };\n"
             "    engines = ( { name = \"t\"; kind = \"systolic\"; count = 1; array = [16, 16];\n"
             "                  clock_ghz = 1.0;\n"
             "                  precisions = ( { type = \"int8\"; macs_per_cycle = 100000.0; } ); } ); } );\n"
             "instances = ( { name = \"n0\"; type = \"npu\"; x_mm = 1.0; y_mm = 1.0; } );\n");
    sip_package_t *pkg = from_text(text);
    sip_tpp_result_t *r = evaluate(pkg, NULL);
    cr_assert_float_eq(r->metrics.value[SIP_METRIC_TPP], 1600.0, 1e-9);
    cr_assert_str_eq(class_of(r, "bis-2023")->class_name, "3A090.a.2");
    cr_assert(r->metrics.unknown_counted);
    sip_tpp_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(tpp_planar, planarity_comes_from_the_transistor_key_not_the_node)
{
    /* A 5 nm die declared planar leaves the area; the node number does not pull it back. */
    sip_package_t *pkg = unknown_die_package("transistor = \"planar\";", "process_nm = 5;");
    sip_tpp_result_t *r = evaluate(pkg, NULL);
    cr_assert_float_eq(r->metrics.applicable_area_mm2, 200.0, 1e-9);
    cr_assert_eq(r->n_warnings, 1, "only the I/O warning; planarity is stated");
    sip_tpp_result_destroy(r);
    sip_package_destroy(pkg);
    /* A 28 nm die declared gaa (hypothetical) counts. */
    pkg = unknown_die_package("transistor = \"gaa\";", "process_nm = 28;");
    r = evaluate(pkg, NULL);
    cr_assert_float_eq(r->metrics.applicable_area_mm2, 700.0, 1e-9);
    sip_tpp_result_destroy(r);
    sip_package_destroy(pkg);
    /* Deriving from the node is the caller's explicit assumption, and it is reported. */
    pkg = unknown_die_package("", "process_nm = 28;");
    sip_tpp_options_t o;
    sip_tpp_options_init(&o);
    o.nonplanar_max_nm = 16;
    r = evaluate(pkg, &o);
    cr_assert_float_eq(r->metrics.applicable_area_mm2, 200.0, 1e-9);
    cr_assert_eq(r->metrics.n_unknown_transistor_dies, 0);
    cr_assert(has_warning(r, "an assumption"));
    sip_tpp_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(tpp_planar, bad_transistor_value_is_a_file_line_error)
{
    const char *text =
        "name = \"bad\";\n"
        "substrate = { kind = \"organic\"; width_mm = 30.0; height_mm = 30.0; };\n"
        "blocks = ( { name = \"d\"; kind = \"io\"; width_mm = 5.0; height_mm = 5.0;\n"
        "    transistor = \"finFET\"; power = { tdp_w = 1.0; }; } );\n"
        "instances = ( { name = \"i\"; type = \"d\"; x_mm = 1.0; y_mm = 1.0; } );\n";
    sip_package_t *pkg = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    sip_load_options_t lo = {.no_default_dirs = true};
    cr_assert_neq(sip_package_load_string(text, "bad.cfg", &lo, &pkg, &err), SIP_OK);
    cr_assert_null(pkg);
    cr_assert_not_null(strstr(err.message, "finfet"), "%s", err.message);
    cr_assert_eq(err.line, 4, "%s (line %d)", err.message, err.line);
}

/* Die A: int8 only, TPP 3000; die B: fp16 only, TPP 2000; 500 mm2 each (PD base 1000 mm2). */
static sip_package_t *mixed_package(void)
{
    return from_text(
        "name = \"mixed\";\n"
        "substrate = { kind = \"organic\"; width_mm = 60.0; height_mm = 30.0; };\n"
        "blocks = (\n"
        "  { name = \"a\"; kind = \"compute\"; width_mm = 25.0; height_mm = 20.0; transistor = \"finfet\";\n"
        "    power = { tdp_w = 100.0; };\n"
        "    engines = ( { name = \"mxu\"; kind = \"systolic\"; count = 1; array = [16, 16]; clock_ghz = 1.0;\n"
        "      precisions = ( { type = \"int8\"; macs_per_cycle = 187500.0; } ); } ); },\n"
        "  { name = \"b\"; kind = \"compute\"; width_mm = 25.0; height_mm = 20.0; transistor = \"finfet\";\n"
        "    power = { tdp_w = 100.0; };\n"
        "    engines = ( { name = \"mxu\"; kind = \"systolic\"; count = 1; array = [16, 16]; clock_ghz = 1.0;\n"
        "      precisions = ( { type = \"fp16\"; macs_per_cycle = 62500.0; } ); } ); }\n"
        ");\n"
        "instances = (\n"
        "  { name = \"da\"; type = \"a\"; x_mm = 1.0; y_mm = 1.0; },\n"
        "  { name = \"db\"; type = \"b\"; x_mm = 30.0; y_mm = 1.0; }\n"
        ");\n");
}

Test(tpp_precision, mixed_precisions_sum_every_processing_unit)
{
    /* Sum over units: 3000 + 2000 = 5000 -> a.1.  Best single precision: int8 3000, PD 3.0 ->
     * b.1 (the old default, which printed die db as TPP 0.0).  Answer a.1, both shown. */
    sip_package_t *pkg = mixed_package();
    sip_tpp_result_t *r = evaluate(pkg, NULL);
    cr_assert_float_eq(r->metrics.value[SIP_METRIC_TPP], 5000.0, 1e-9);
    cr_assert_float_eq(r->metrics.tpp_max_of_sums, 3000.0, 1e-9);
    cr_assert_str_eq(class_of(r, "bis-2023")->class_name, "3A090.a.1");
    cr_assert_float_eq(r->instance_tpp[1], 2000.0, 1e-9, "no die is dropped");
    cr_assert(has_warning(r, "3A090.b.1"), "the other reading's class is printed");
    /* Asking for the alternative reading still gives the stricter class. */
    sip_tpp_options_t o;
    sip_tpp_options_init(&o);
    o.aggregation = SIP_TPP_MAX_OF_SUMS;
    sip_tpp_result_destroy(r);
    r = evaluate(pkg, &o);
    cr_assert_eq(r->readings[0].aggregation, SIP_TPP_MAX_OF_SUMS);
    cr_assert_str_eq(r->readings[0].classes[sip_tpp_rule_find("bis-2023")].class_name, "3A090.b.1");
    cr_assert_str_eq(class_of(r, "bis-2023")->class_name, "3A090.a.1");
    sip_tpp_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(tpp_precision, a_tie_between_precisions_is_not_a_winner)
{
    /* The default package: int8 = fp8 = fp16 = bf16 = 2359.296 (topologies/default.cfg). */
    sip_package_t *pkg = test_load_package("topologies/default.cfg");
    sip_tpp_metrics_t m;
    cr_assert_eq(sip_tpp_metrics(pkg, NULL, &m, NULL), SIP_OK);
    cr_assert_eq(m.n_tied, 4);
    sip_package_destroy(pkg);
    pkg = mixed_package();
    cr_assert_eq(sip_tpp_metrics(pkg, NULL, &m, NULL), SIP_OK);
    cr_assert_eq(m.n_tied, 1);
    cr_assert_eq(m.tied[0], SIP_PREC_INT8);
    sip_package_destroy(pkg);
    int status = 0;
    char *out = cli_run(cli_source_root(), "tpp topologies/default.cfg", &status);
    cr_assert_eq(status, 0);
    cr_assert_not_null(strstr(out, "precisions tie: int8 = fp8 = fp16 = bf16"), "%s", out);
    cr_assert_null(strstr(out, "best precision"), "a tie printed as a winner");
    free(out);
}

Test(tpp_margins, positive_means_the_condition_holds_for_both_bounds)
{
    /* TPP 3000 against b.1: TPP >= 2400 holds by +600, TPP < 4800 holds by +1800; a.1's
     * TPP >= 4800 fails by -1800. */
    sip_package_t *pkg = mixed_package();
    sip_tpp_options_t o;
    sip_tpp_options_init(&o);
    o.aggregation = SIP_TPP_MAX_OF_SUMS;
    sip_tpp_metrics_t m;
    cr_assert_eq(sip_tpp_metrics(pkg, &o, &m, NULL), SIP_OK);
    sip_tpp_class_t c;
    sip_tpp_classify(&m, sip_tpp_rule_find("bis-2023"), true, &c);
    int seen = 0;
    for (int k = 0; k < c.n_margins; k++) {
        const sip_rule_t *rule = sip_tpp_rule(c.rule);
        const sip_condition_t *cd = &rule->clauses[c.margins[k].clause].conditions[c.margins[k].condition];
        cr_assert_eq(c.margins[k].holds, c.margins[k].margin > 0.0, "sign follows holds");
        if (cd->metric == SIP_METRIC_TPP && cd->cmp == SIP_CMP_LT) {
            cr_assert_float_eq(c.margins[k].margin, 1800.0, 1e-9);
            seen++;
        }
        if (cd->metric == SIP_METRIC_TPP && cd->cmp == SIP_CMP_GE && cd->threshold == 4800.0) {
            cr_assert_float_eq(c.margins[k].margin, -1800.0, 1e-9);
            seen++;
        }
    }
    cr_assert_eq(seen, 2);
    sip_package_destroy(pkg);
}

static const sip_tpp_limit_t *find_limit(const sip_tpp_result_t *r, sip_knob_t knob,
                                         const char *rule, int clause, int condition)
{
    int ri = sip_tpp_rule_find(rule);
    for (int i = 0; i < r->n_limits; i++)
        if (r->limits[i].knob == knob && r->limits[i].rule == ri && r->limits[i].clause == clause &&
            r->limits[i].condition == condition)
            return &r->limits[i];
    return NULL;
}

Test(tpp_whatif, clock_of_the_dominant_die_alone_and_of_all_engines)
{
    /* Mixed package at 1 GHz: 3000 (da, dominant) + 2000 (db).  a.1 TPP >= 4800:
     *   all engines: 5000 k >= 4800 -> k = 0.96 (already past: limit 0.96 GHz, controlled now);
     *   da alone: 2000 + 3000 k >= 4800 -> k = 0.9333 GHz. */
    sip_package_t *pkg = mixed_package();
    sip_tpp_result_t *r = evaluate(pkg, NULL);
    cr_assert_eq(r->dominant_instance, 0);
    const sip_tpp_limit_t *all = find_limit(r, SIP_KNOB_CLOCK, "bis-2023", 0, 0);
    const sip_tpp_limit_t *die = find_limit(r, SIP_KNOB_CLOCK_DIE, "bis-2023", 0, 0);
    cr_assert_not_null(all);
    cr_assert_not_null(die);
    cr_assert_float_eq(all->limit, 0.96, 1e-9);
    cr_assert_float_eq(die->limit, 2800.0 / 3000.0, 1e-9);
    cr_assert_float_eq(die->current, 1.0, 1e-12);
    /* Check the die-alone claim by moving that die's clock only. */
    int da = pkg->instances[0].type;
    pkg->types[da].engines[0].clock_ghz = 2800.0 / 3000.0 * (1 - 1e-6);
    sip_tpp_metrics_t m;
    cr_assert_eq(sip_tpp_metrics(pkg, NULL, &m, NULL), SIP_OK);
    cr_assert(m.value[SIP_METRIC_TPP] < 4800.0);
    pkg->types[da].engines[0].clock_ghz = 2800.0 / 3000.0;
    cr_assert_eq(sip_tpp_metrics(pkg, NULL, &m, NULL), SIP_OK);
    cr_assert(m.value[SIP_METRIC_TPP] >= 4800.0 * (1 - 1e-9));
    sip_tpp_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(tpp_io, class_2022_is_not_evaluated_without_modelled_io)
{
    /* Mixed package: TPP 5000 >= 4800 and no `io` block: the 2022 I/O term is unknown. */
    sip_package_t *pkg = mixed_package();
    sip_tpp_result_t *r = evaluate(pkg, NULL);
    const sip_tpp_class_t *c = class_of(r, "bis-2022");
    cr_assert_str_eq(c->class_name, "not evaluated");
    cr_assert_not(c->evaluated);
    cr_assert(has_warning(r, "not modelled"));
    bool unknown_margin = false;
    for (int k = 0; k < c->n_margins; k++)
        unknown_margin = unknown_margin || (!c->margins[k].known && isnan(c->margins[k].margin));
    cr_assert(unknown_margin);
    /* No what-if can promise it stays uncontrolled under a rule it cannot evaluate. */
    const sip_tpp_limit_t *l = find_limit(r, SIP_KNOB_CLOCK, "bis-2022", -1, -1);
    cr_assert_not_null(l);
    cr_assert(isnan(l->limit), "limit %g", l->limit);
    /* The I/O knob supplies the missing term: 600 GB/s (exclusive) at TPP 5000. */
    l = find_limit(r, SIP_KNOB_IO, "bis-2022", -1, -1);
    cr_assert_float_eq(l->limit, 600.0, 1e-9);
    sip_tpp_result_destroy(r);
    /* Given by the caller (a system file's links), it is evaluated. */
    sip_tpp_options_t o;
    sip_tpp_options_init(&o);
    o.io_given = true;
    o.io_GBps = 600.0;
    r = evaluate(pkg, &o);
    cr_assert_str_eq(class_of(r, "bis-2022")->class_name, "3A090.a (2022)");
    sip_tpp_result_destroy(r);
    o.io_GBps = 599.0;
    r = evaluate(pkg, &o);
    cr_assert_str_eq(class_of(r, "bis-2022")->class_name, "not 3A090 (2022)");
    sip_tpp_result_destroy(r);
    /* TPP below 4800 decides the 2022 class without the I/O term. */
    pkg->types[0].engines[0].clock_ghz = 0.5;
    pkg->types[1].engines[0].clock_ghz = 0.5;
    r = evaluate(pkg, NULL);
    cr_assert_str_eq(class_of(r, "bis-2022")->class_name, "not 3A090 (2022)");
    sip_tpp_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(tpp_rules, every_rule_table_carries_source_and_dates_oldest_first)
{
    const char *prev = "";
    for (int i = 0; i < sip_tpp_rule_count(); i++) {
        const sip_rule_t *r = sip_tpp_rule(i);
        cr_assert_not_null(r->citation);
        cr_assert(strstr(r->citation, " FR ") != NULL, "%s: Federal Register citation", r->id);
        cr_assert_not_null(r->source);
        cr_assert_not_null(r->published);
        cr_assert_not_null(r->effective);
        int y, mo, d;
        cr_assert_eq(sscanf(r->effective, "%4d-%2d-%2d", &y, &mo, &d), 3, "%s", r->effective);
        cr_assert_eq(strlen(r->effective), 10);
        cr_assert(strcmp(prev, r->effective) < 0, "%s out of order", r->id);
        prev = r->effective;
        for (int c = 0; c < r->n_clauses; c++)
            cr_assert_not_null(r->clauses[c].source, "%s %s", r->id, r->clauses[c].name);
        for (int x = 0; x < r->n_exceptions; x++)
            cr_assert(r->exceptions[x].clause >= 0 && r->exceptions[x].clause < r->n_clauses);
    }
}

Test(tpp_cli, json_carries_readings_warnings_and_unmodelled_terms)
{
    json_t *j = cli_run_json(cli_source_root(), "tpp topologies/reference/mi300x.cfg --json");
    cr_assert(json_is_null(json_object_get(j, "io_GBps")), "I/O not modelled is null, not 0");
    cr_assert(json_is_false(json_object_get(j, "io_modelled")));
    /* "classes" keyed by rule id, as in `sipsim report --json` (issue 19). */
    json_t *rule2022 = json_object_get(json_object_get(j, "classes"), "bis-2022");
    cr_assert_str_eq(json_string_value(json_object_get(rule2022, "class")), "not evaluated");
    cr_assert_str_eq(json_string_value(json_object_get(rule2022, "published")), "2022-10-13");
    cr_assert(json_array_size(json_object_get(j, "readings")) >= 2);
    cr_assert(json_array_size(json_object_get(j, "warnings")) >= 1);
    json_decref(j);
}
