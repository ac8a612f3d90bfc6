/* Design-rule checks: one registry row per rule, each a small function over the package model.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Adding a rule is one function and one row in `rules[]`.  A rule only reads the package and
 * appends findings; it returns a status only for out-of-memory.  Structural breakage (indices
 * out of range) is caught once, before any rule runs, so rules may index freely.
 */
#include "sipsim/check.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_internal.h"
#include "sipsim/traffic.h"
#include "sipsim/ucie.h"

/* Geometric comparisons tolerate rounding in the file's decimal millimetres: 1 nm. */
#define GEOM_EPS_MM 1e-6

typedef struct {
    const sip_package_t *pkg;
    const struct rule *rule;
    sip_check_result_t *res;
    int cap;
    bool *link_flagged; /* per link: an earlier rule reported it */
} ctx_t;

typedef sip_status_t (*rule_fn)(ctx_t *ctx);

struct rule {
    sip_check_rule_info_t info;
    rule_fn run;
};

static const char *const severity_names[] = {"error", "warning"};

const char *sip_severity_name(sip_severity_t severity)
{
    return (unsigned)severity < SIP_SEVERITY_COUNT ? severity_names[severity] : "?";
}

static sip_status_t add_findingv(ctx_t *ctx, const char *path, int line, const char *fmt,
                                 va_list ap)
{
    sip_check_result_t *r = ctx->res;
    if (r->n_findings == ctx->cap) {
        int cap = ctx->cap ? ctx->cap * 2 : 16;
        sip_finding_t *p = realloc(r->findings, (size_t)cap * sizeof *p);
        if (!p)
            return SIP_ENOMEM;
        r->findings = p;
        ctx->cap = cap;
    }
    sip_finding_t *f = &r->findings[r->n_findings++];
    memset(f, 0, sizeof *f);
    f->rule = ctx->rule->info.id;
    f->severity = ctx->rule->info.severity;
    snprintf(f->path, sizeof f->path, "%s", path ? path : "");
    f->line = line;
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    if (f->severity == SIP_SEVERITY_ERROR)
        r->n_errors++;
    else
        r->n_warnings++;
    return SIP_OK;
}

static sip_status_t add_finding(ctx_t *ctx, const char *path, int line, const char *fmt, ...)
    SIP_PRINTF(4, 5);

static sip_status_t add_finding(ctx_t *ctx, const char *path, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sip_status_t st = add_findingv(ctx, path, line, fmt, ap);
    va_end(ap);
    return st;
}

/* A finding about link k, at the link's line; marks the link so the UCIe parameter rule does
 * not report the same link again. */
static sip_status_t link_finding(ctx_t *ctx, int k, const char *fmt, ...) SIP_PRINTF(3, 4);

static sip_status_t link_finding(ctx_t *ctx, int k, const char *fmt, ...)
{
    ctx->link_flagged[k] = true;
    va_list ap;
    va_start(ap, fmt);
    sip_status_t st = add_findingv(ctx, ctx->pkg->path, ctx->pkg->links[k].line, fmt, ap);
    va_end(ap);
    return st;
}

static const sip_instance_t *inst(const ctx_t *ctx, int i) { return &ctx->pkg->instances[i]; }

static const sip_port_t *port_of(const sip_package_t *pkg, int instance, int port)
{
    return &sip_instance_type(pkg, instance)->ports[port];
}

/* The setting that decides an instance's power: the instance's own power_w, else the type's TDP. */
static void power_origin(const sip_package_t *pkg, int i, const char **path, int *line)
{
    const sip_instance_t *in = &pkg->instances[i];
    if (in->power_w >= 0.0) {
        *path = pkg->path;
        *line = in->line;
    } else {
        const sip_chiplet_type_t *t = sip_instance_type(pkg, i);
        *path = t->path;
        *line = t->line;
    }
}

/* ---- geometry ---- */

static sip_status_t rule_overlap(ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    for (int i = 0; i < pkg->n_instances; i++) {
        sip_rect_t a = sip_instance_rect(pkg, i);
        for (int j = i + 1; j < pkg->n_instances; j++) {
            double mm2 = sip_rect_overlap_mm2(a, sip_instance_rect(pkg, j));
            if (mm2 > GEOM_EPS_MM * GEOM_EPS_MM)
                SIP_TRY(add_finding(ctx, pkg->path, inst(ctx, j)->line,
                                    "die '%s' overlaps die '%s' by %.3f mm^2 (footprints must "
                                    "be disjoint)",
                                    inst(ctx, j)->name, inst(ctx, i)->name, mm2));
        }
    }
    return SIP_OK;
}

static sip_status_t rule_off_substrate(ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    double w = pkg->substrate.width_mm, h = pkg->substrate.height_mm;
    for (int i = 0; i < pkg->n_instances; i++) {
        sip_rect_t r = sip_instance_rect(pkg, i);
        if (r.x0_mm < -GEOM_EPS_MM || r.y0_mm < -GEOM_EPS_MM || r.x1_mm > w + GEOM_EPS_MM ||
            r.y1_mm > h + GEOM_EPS_MM)
            SIP_TRY(add_finding(ctx, pkg->path, inst(ctx, i)->line,
                                "die '%s' spans [%.3f, %.3f] x [%.3f, %.3f] mm, off the %.3f x "
                                "%.3f mm substrate",
                                inst(ctx, i)->name, r.x0_mm, r.x1_mm, r.y0_mm, r.y1_mm, w, h));
    }
    return SIP_OK;
}

/* A silicon interposer is patterned by lithography, one exposure field at a time: the full
 * field of 4x-reduction scanners is 26 x 33 mm (858 mm^2), and an interposer beyond it needs
 * stitched exposures (Semiconductor Engineering, "Reticle Stitching Bumps Up Silicon
 * Interposer Costs", 2024: "interposers typically exceed the reticle limit" and "require
 * stitching together of reticle-sized exposures"). */
#define RETICLE_SHORT_MM 26.0
#define RETICLE_LONG_MM 33.0

static sip_status_t rule_reticle(ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    const sip_substrate_t *s = &pkg->substrate;
    if (s->kind != SIP_SUBSTRATE_INTERPOSER || s->stitched)
        return SIP_OK;
    double a = fmin(s->width_mm, s->height_mm), b = fmax(s->width_mm, s->height_mm);
    if (a > RETICLE_SHORT_MM + GEOM_EPS_MM || b > RETICLE_LONG_MM + GEOM_EPS_MM)
        SIP_TRY(add_finding(ctx, pkg->path, s->line,
                            "silicon interposer %.2f x %.2f mm (%.0f mm^2) exceeds one %.0f x "
                            "%.0f mm reticle field (%.0f mm^2) (expected at most %.0f x %.0f mm, "
                            "or substrate.stitching = \"stitched\")",
                            s->width_mm, s->height_mm, s->width_mm * s->height_mm,
                            RETICLE_SHORT_MM, RETICLE_LONG_MM, RETICLE_SHORT_MM * RETICLE_LONG_MM,
                            RETICLE_SHORT_MM, RETICLE_LONG_MM));
    return SIP_OK;
}

/* ---- ports and shoreline (per chiplet type: the PHYs are part of the die) ---- */

static double edge_length_mm(const sip_chiplet_type_t *t, sip_edge_t edge)
{
    return (edge == SIP_EDGE_NORTH || edge == SIP_EDGE_SOUTH) ? t->width_mm : t->height_mm;
}

static double port_span_mm(const sip_port_t *p)
{
    return p->modules * sip_ucie_module_width_mm(p->package);
}

static bool type_used(const sip_package_t *pkg, int type)
{
    for (int i = 0; i < pkg->n_instances; i++)
        if (pkg->instances[i].type == type)
            return true;
    return false;
}

static sip_status_t rule_shoreline(ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    for (int ti = 0; ti < pkg->n_types; ti++) {
        const sip_chiplet_type_t *t = &pkg->types[ti];
        if (!type_used(pkg, ti))
            continue;
        for (int e = 0; e < SIP_EDGE_COUNT; e++) {
            double need = 0, have = edge_length_mm(t, (sip_edge_t)e);
            int last = -1, modules = 0;
            for (int p = 0; p < t->n_ports; p++) {
                if ((int)t->ports[p].edge != e)
                    continue;
                need += port_span_mm(&t->ports[p]);
                modules += t->ports[p].modules;
                last = p;
            }
            if (last >= 0 && need > have + GEOM_EPS_MM)
                SIP_TRY(add_finding(ctx, t->path, t->ports[last].line,
                                    "chiplet '%s' %s edge: %d UCIe modules need %.4f mm of "
                                    "shoreline, the edge is %.3f mm",
                                    t->name, sip_edge_name((sip_edge_t)e), modules, need, have));
        }
    }
    return SIP_OK;
}

static sip_status_t rule_port_span(ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    for (int ti = 0; ti < pkg->n_types; ti++) {
        const sip_chiplet_type_t *t = &pkg->types[ti];
        if (!type_used(pkg, ti))
            continue;
        for (int p = 0; p < t->n_ports; p++) {
            const sip_port_t *a = &t->ports[p];
            double half = port_span_mm(a) / 2, len = edge_length_mm(t, a->edge);
            if (a->position_mm - half < -GEOM_EPS_MM || a->position_mm + half > len + GEOM_EPS_MM) {
                SIP_TRY(add_finding(ctx, t->path, a->line,
                                    "chiplet '%s' port '%s': %d modules span [%.4f, %.4f] mm, "
                                    "off its %s edge [0, %.3f] mm",
                                    t->name, a->name, a->modules, a->position_mm - half,
                                    a->position_mm + half, sip_edge_name(a->edge), len));
                continue;
            }
            for (int q = 0; q < p; q++) {
                const sip_port_t *b = &t->ports[q];
                if (b->edge != a->edge)
                    continue;
                double gap = fabs(a->position_mm - b->position_mm) -
                             (port_span_mm(a) + port_span_mm(b)) / 2;
                if (gap < -GEOM_EPS_MM) {
                    SIP_TRY(add_finding(ctx, t->path, a->line,
                                        "chiplet '%s' port '%s' overlaps port '%s' on the %s "
                                        "edge by %.4f mm",
                                        t->name, a->name, b->name, sip_edge_name(a->edge), -gap));
                    break;
                }
            }
        }
    }
    return SIP_OK;
}

/* ---- links ---- */

static sip_status_t rule_link_endpoint(ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    for (int k = 0; k < pkg->n_links; k++) {
        const sip_link_t *l = &pkg->links[k];
        if (l->from_instance == l->to_instance) {
            SIP_TRY(link_finding(ctx, k,
                                "link '%s' joins die '%s' to itself", l->name,
                                inst(ctx, l->from_instance)->name));
            continue;
        }
        int ends[2] = {l->from_instance, l->to_instance};
        for (int e = 0; e < 2; e++)
            if (inst(ctx, ends[e])->attached_to >= 0)
                SIP_TRY(link_finding(ctx, k,
                                    "link '%s' ends on '%s', a memory stack attached to '%s' "
                                    "(attached stacks use their own PHY, not UCIe)",
                                    l->name, inst(ctx, ends[e])->name,
                                    inst(ctx, inst(ctx, ends[e])->attached_to)->name));
    }
    return SIP_OK;
}

static sip_status_t rule_package_mismatch(ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    for (int k = 0; k < pkg->n_links; k++) {
        const sip_link_t *l = &pkg->links[k];
        const sip_port_t *a = port_of(pkg, l->from_instance, l->from_port);
        const sip_port_t *b = port_of(pkg, l->to_instance, l->to_port);
        if (a->package != l->package || b->package != l->package)
            SIP_TRY(link_finding(ctx, k,
                                "link '%s' is %s but joins a %s port '%s.%s' to a %s port "
                                "'%s.%s' (both ends must match the link)",
                                l->name, sip_ucie_package_name(l->package),
                                sip_ucie_package_name(a->package),
                                inst(ctx, l->from_instance)->name, a->name,
                                sip_ucie_package_name(b->package),
                                inst(ctx, l->to_instance)->name, b->name));
    }
    return SIP_OK;
}

/* Which UCIe package types a substrate carries (facts.md §1.2, UCIe 1.0 [S1]): standard
 * package = traces on an organic substrate; advanced = silicon interposer or silicon bridge. */
static const bool substrate_allows[SIP_SUBSTRATE_COUNT][SIP_UCIE_PACKAGE_COUNT] = {
    [SIP_SUBSTRATE_ORGANIC] = {[SIP_UCIE_STANDARD] = true, [SIP_UCIE_ADVANCED] = false},
    [SIP_SUBSTRATE_INTERPOSER] = {[SIP_UCIE_STANDARD] = false, [SIP_UCIE_ADVANCED] = true},
    [SIP_SUBSTRATE_BRIDGE] = {[SIP_UCIE_STANDARD] = true, [SIP_UCIE_ADVANCED] = true},
};

static sip_status_t rule_package_substrate(ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    for (int k = 0; k < pkg->n_links; k++) {
        const sip_link_t *l = &pkg->links[k];
        if (!substrate_allows[pkg->substrate.kind][l->package])
            SIP_TRY(link_finding(ctx, k,
                                "link '%s' uses the UCIe %s package, which the %s substrate "
                                "does not carry (organic: standard; interposer: advanced; "
                                "bridge: both)",
                                l->name, sip_ucie_package_name(l->package),
                                sip_substrate_name(pkg->substrate.kind)));
    }
    return SIP_OK;
}

static sip_status_t rule_reach(ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    for (int k = 0; k < pkg->n_links; k++) {
        const sip_link_t *l = &pkg->links[k];
        double len = sip_link_length_mm(pkg, k), reach = sip_ucie_reach_mm(l->package);
        if (len > reach + GEOM_EPS_MM)
            SIP_TRY(link_finding(ctx, k,
                                "link '%s' is %.3f mm long, beyond the %.0f mm reach of a UCIe "
                                "%s-package channel",
                                l->name, len, reach, sip_ucie_package_name(l->package)));
    }
    return SIP_OK;
}

static sip_status_t rule_port_reuse(ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    for (int k = 0; k < pkg->n_links; k++) {
        const sip_link_t *l = &pkg->links[k];
        int ends[2][2] = {{l->from_instance, l->from_port}, {l->to_instance, l->to_port}};
        for (int e = 0; e < 2; e++) {
            if (e == 1 && ends[1][0] == ends[0][0] && ends[1][1] == ends[0][1]) {
                SIP_TRY(link_finding(ctx, k,
                                    "link '%s' uses port '%s.%s' at both ends", l->name,
                                    inst(ctx, ends[0][0])->name,
                                    port_of(pkg, ends[0][0], ends[0][1])->name));
                continue;
            }
            /* Report at the second and later links that claim the port. */
            for (int j = 0; j < k; j++) {
                const sip_link_t *m = &pkg->links[j];
                if ((m->from_instance == ends[e][0] && m->from_port == ends[e][1]) ||
                    (m->to_instance == ends[e][0] && m->to_port == ends[e][1])) {
                    SIP_TRY(link_finding(ctx, k,
                                        "port '%s.%s' is already used by link '%s'",
                                        inst(ctx, ends[e][0])->name,
                                        port_of(pkg, ends[e][0], ends[e][1])->name, m->name));
                    break;
                }
            }
        }
    }
    return SIP_OK;
}

static sip_status_t rule_modules(ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    for (int k = 0; k < pkg->n_links; k++) {
        const sip_link_t *l = &pkg->links[k];
        int ends[2][2] = {{l->from_instance, l->from_port}, {l->to_instance, l->to_port}};
        for (int e = 0; e < 2; e++) {
            const sip_port_t *p = port_of(pkg, ends[e][0], ends[e][1]);
            if (l->modules > p->modules)
                SIP_TRY(link_finding(ctx, k,
                                    "link '%s' uses %d modules, port '%s.%s' offers %d",
                                    l->name, l->modules, inst(ctx, ends[e][0])->name, p->name,
                                    p->modules));
        }
    }
    return SIP_OK;
}

static sip_status_t rule_rate(ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    for (int k = 0; k < pkg->n_links; k++) {
        const sip_link_t *l = &pkg->links[k];
        int ends[2][2] = {{l->from_instance, l->from_port}, {l->to_instance, l->to_port}};
        for (int e = 0; e < 2; e++) {
            const sip_port_t *p = port_of(pkg, ends[e][0], ends[e][1]);
            if (l->rate_gtps > p->max_rate_gtps)
                SIP_TRY(link_finding(ctx, k,
                                    "link '%s' runs at %g GT/s, above the %g GT/s maximum of "
                                    "port '%s.%s'",
                                    l->name, l->rate_gtps, p->max_rate_gtps,
                                    inst(ctx, ends[e][0])->name, p->name));
        }
    }
    return SIP_OK;
}

/* The UCIe model's own parameter rules (rate set, lanes, modules 1/2/4, bump-pitch group,
 * voltage corner, failed lanes), for links no rule above has reported: the model stops at a
 * link's first problem, the rules above name each one. */
static sip_status_t rule_ucie(ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    for (int k = 0; k < pkg->n_links; k++) {
        if (ctx->link_flagged[k])
            continue;
        sip_error_t e;
        sip_error_clear(&e);
        if (sip_ucie_link_validate(pkg, k, &e) != SIP_OK)
            SIP_TRY(link_finding(ctx, k, "%s", e.message));
    }
    return SIP_OK;
}

/* A link whose failed lanes are beyond UCIe repair trains to nothing (sip_ucie_eval:
 * SIP_UCIE_TRAINED_DOWN): advanced modules have 2 spare lanes per 32-lane group ([S1] §4.3),
 * standard x16 modules degrade to one clean x8 half ([S1] §4.3.7), a multi-module link may
 * drop failed modules (§4.7.1); hard faults do not heal at a lower rate (ucie.c).  Links an
 * earlier rule reported are skipped (their parameters may not evaluate). */
static sip_status_t rule_link_down(ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    for (int k = 0; k < pkg->n_links; k++) {
        const sip_link_t *l = &pkg->links[k];
        if (ctx->link_flagged[k] || l->failed_lanes == 0)
            continue;
        sip_ucie_link_result_t r;
        if (sip_ucie_link_eval(pkg, k, &r, NULL) != SIP_OK ||
            r.trained != SIP_UCIE_TRAINED_DOWN)
            continue;
        const char *how =
            l->package == SIP_UCIE_ADVANCED
                ? "every module has a 32-lane group with more failures than its 2 spare lanes"
            : l->lanes_per_module == 8
                ? "the x8 standard module has no narrower width to degrade to"
                : "every module has failures in both x8 halves, so width degrade has no clean half";
        SIP_TRY(link_finding(ctx, k,
                             "link '%s' is down: %d failed lanes are beyond UCIe lane repair "
                             "(%s; expected at most the repairable failures)",
                             l->name, l->failed_lanes, how));
    }
    return SIP_OK;
}

/* ---- connectivity (UCIe graph: instances not attached to a host) ---- */

static int uf_find(int *parent, int i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

/* Component root of every instance through the links; attached stacks get -1. */
static int *components(const sip_package_t *pkg)
{
    int n = pkg->n_instances;
    int *parent = malloc((size_t)(n ? n : 1) * sizeof *parent);
    if (!parent)
        return NULL;
    for (int i = 0; i < n; i++)
        parent[i] = i;
    for (int k = 0; k < pkg->n_links; k++) {
        const sip_link_t *l = &pkg->links[k];
        int a = uf_find(parent, l->from_instance), b = uf_find(parent, l->to_instance);
        if (a != b)
            parent[a < b ? b : a] = a < b ? a : b; /* smaller index is the root: deterministic */
    }
    for (int i = 0; i < n; i++)
        parent[i] = pkg->instances[i].attached_to >= 0 ? -1 : uf_find(parent, i);
    return parent;
}

static sip_status_t rule_disconnected(ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    int *comp = components(pkg);
    if (!comp)
        return SIP_ENOMEM;
    sip_status_t st = SIP_OK;
    int main_root = -1;
    for (int i = 0; i < pkg->n_instances && main_root < 0; i++)
        main_root = comp[i];
    for (int i = 0; i < pkg->n_instances && st == SIP_OK; i++) {
        if (comp[i] != i || i == main_root)
            continue; /* report each other component once, at its first instance */
        int members = 0;
        for (int j = 0; j < pkg->n_instances; j++)
            members += comp[j] == i;
        st = add_finding(ctx, pkg->path, inst(ctx, i)->line,
                         "die '%s'%s has no UCIe path to die '%s' (the package must be one "
                         "connected graph)",
                         inst(ctx, i)->name,
                         members > 1 ? " and the dies linked to it" : "",
                         inst(ctx, main_root)->name);
    }
    free(comp);
    return st;
}

/* An I/O die: kind io, or any die that carries off-package I/O (PCIe, CXL, Ethernet, ...). */
static bool is_io(const sip_package_t *pkg, int i)
{
    const sip_chiplet_type_t *t = sip_instance_type(pkg, i);
    return t->kind == SIP_KIND_IO || t->n_ios > 0;
}

static sip_status_t rule_no_io_path(ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    int *comp = components(pkg);
    if (!comp)
        return SIP_ENOMEM;
    sip_status_t st = SIP_OK;
    for (int i = 0; i < pkg->n_instances && st == SIP_OK; i++) {
        if (comp[i] < 0 || sip_instance_type(pkg, i)->kind != SIP_KIND_COMPUTE)
            continue;
        bool found = false;
        for (int j = 0; j < pkg->n_instances && !found; j++)
            found = comp[j] == comp[i] && is_io(pkg, j);
        if (!found)
            st = add_finding(ctx, pkg->path, inst(ctx, i)->line,
                             "compute die '%s' has no UCIe path to an I/O die (kind io or a "
                             "die with off-package io)",
                             inst(ctx, i)->name);
    }
    free(comp);
    return st;
}

/* ---- power ---- */

static sip_status_t rule_power_density(ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    double limit = pkg->thermal.power_density_limit_w_per_mm2;
    if (!(limit > 0))
        return SIP_OK; /* no limit configured */
    for (int i = 0; i < pkg->n_instances; i++) {
        sip_rect_t r = sip_instance_rect(pkg, i);
        double area = (r.x1_mm - r.x0_mm) * (r.y1_mm - r.y0_mm);
        double w = sip_instance_power_w(pkg, i);
        if (area > 0 && w / area > limit) {
            const char *path;
            int line;
            power_origin(pkg, i, &path, &line);
            SIP_TRY(add_finding(ctx, path, line,
                                "die '%s' dissipates %.1f W on %.1f mm^2 = %.3f W/mm^2, above "
                                "the %.3f W/mm^2 limit (thermal.power_density_limit_w_per_mm2)",
                                inst(ctx, i)->name, w, area, w / area, limit));
        }
    }
    return SIP_OK;
}

static sip_status_t rule_power_budget(ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    double budget = pkg->thermal.power_budget_w;
    if (budget < 0)
        return SIP_OK; /* no budget configured */
    double total = sip_package_total_power_w(pkg);
    if (total > budget)
        SIP_TRY(add_finding(ctx, pkg->path, pkg->thermal.line,
                            "dies dissipate %.1f W in total, above the %.1f W budget "
                            "(thermal.power_budget_w)",
                            total, budget));
    return SIP_OK;
}

/* ---- traffic ---- */

/* The package's own traffic (its traffic section, else uniform at 0.1 of injection bandwidth:
 * what `sipsim traffic FILE` and the report evaluate) over minimal routing: a link direction
 * above 100 % cannot carry it.  Channel loads only (no VC model: they are linear in the demand).
 * A package whose network cannot be built (a link the UCIe rules refuse) or whose pattern
 * needs the workload is left to the other rules and to `sipsim traffic`. */
static sip_status_t rule_link_overload(ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    const char *pattern = pkg->traffic.pattern[0] ? pkg->traffic.pattern : "uniform";
    if (strcmp(pattern, "workload") == 0 || pkg->n_links == 0)
        return SIP_OK;
    sip_network_t *net = NULL;
    sip_routes_t *routes = NULL;
    sip_demand_matrix_t *d = NULL;
    sip_traffic_result_t *res = NULL;
    sip_pattern_params_t params;
    sip_error_t err;
    sip_error_clear(&err);
    const sip_traffic_options_t no_vcs = {.vcs = -1};
    sip_status_t st = SIP_OK;
    /* Dies without an engine clock have no router clock: assume 1 GHz for them (it sets
     * router latency only, which can move minimal-latency routes, never a channel's capacity). */
    const sip_network_options_t clocked = {.router_clock_ghz = 1.0};
    if (sip_network_from_package(pkg, NULL, &net, &err) != SIP_OK) {
        if (err.status == SIP_ENOMEM)
            return SIP_ENOMEM;
        sip_error_clear(&err);
        (void)sip_network_from_package(pkg, &clocked, &net, &err);
    }
    if (!net || sip_pattern_params_from_package(net, pkg, &params, &err) != SIP_OK ||
        sip_routes_compute(net, SIP_ROUTING_MINIMAL, NULL, &routes, &err) != SIP_OK ||
        sip_demand_build(net, pattern, &params, &d, &err) != SIP_OK ||
        sip_traffic_evaluate(net, routes, d, &no_vcs, &res, &err) != SIP_OK) {
        st = err.status == SIP_ENOMEM ? SIP_ENOMEM : SIP_OK;
        goto out;
    }
    for (int k = 0; k < pkg->n_links && st == SIP_OK; k++) {
        int worst = -1;
        for (int c = 0; c < net->n_channels; c++)
            if (net->channels[c].link == k && (worst < 0 || res->channel_util[c] > res->channel_util[worst]))
                worst = c;
        if (worst < 0 || !(res->channel_util[worst] > 1.0))
            continue;
        const sip_channel_t *ch = &net->channels[worst];
        st = add_finding(ctx, pkg->path, pkg->links[k].line,
                         "link '%s' is offered %.1f GB/s from %s to %s, %.0f %% of its %.1f GB/s "
                         "(the package's traffic: %s at load %g; see `sipsim traffic`)",
                         pkg->links[k].name, res->channel_GBps[worst], net->nodes[ch->from].name,
                         net->nodes[ch->to].name, 100.0 * res->channel_util[worst],
                         ch->capacity_GBps, pattern, d->load);
    }
out:
    sip_traffic_result_destroy(res);
    sip_demand_destroy(d);
    sip_routes_destroy(routes);
    sip_network_destroy(net);
    return st;
}

/* ---- memory stacks ---- */

/* Adjacent: the two footprints face each other across one gap (their projections on the
 * other axis overlap) and no third die sits in that gap.  Overlapping footprints are left to
 * the overlap rule. */
static bool adjacent(const sip_package_t *pkg, int a, int b)
{
    sip_rect_t ra = sip_instance_rect(pkg, a), rb = sip_instance_rect(pkg, b);
    if (sip_rect_overlap_mm2(ra, rb) > 0)
        return true;
    double ox = fmin(ra.x1_mm, rb.x1_mm) - fmax(ra.x0_mm, rb.x0_mm);
    double oy = fmin(ra.y1_mm, rb.y1_mm) - fmax(ra.y0_mm, rb.y0_mm);
    sip_rect_t gap;
    if (oy > GEOM_EPS_MM && ox <= GEOM_EPS_MM) /* side by side: gap spans x */
        gap = (sip_rect_t){fmin(ra.x1_mm, rb.x1_mm), fmax(ra.y0_mm, rb.y0_mm),
                           fmax(ra.x0_mm, rb.x0_mm), fmin(ra.y1_mm, rb.y1_mm)};
    else if (ox > GEOM_EPS_MM && oy <= GEOM_EPS_MM) /* one above the other: gap spans y */
        gap = (sip_rect_t){fmax(ra.x0_mm, rb.x0_mm), fmin(ra.y1_mm, rb.y1_mm),
                           fmin(ra.x1_mm, rb.x1_mm), fmax(ra.y0_mm, rb.y0_mm)};
    else
        return false; /* diagonal: no facing edges */
    for (int i = 0; i < pkg->n_instances; i++)
        if (i != a && i != b &&
            sip_rect_overlap_mm2(gap, sip_instance_rect(pkg, i)) > GEOM_EPS_MM * GEOM_EPS_MM)
            return false;
    return true;
}

static sip_status_t rule_memory_adjacent(ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    for (int i = 0; i < pkg->n_instances; i++) {
        int host = inst(ctx, i)->attached_to;
        if (host >= 0 && !adjacent(pkg, i, host))
            SIP_TRY(add_finding(ctx, pkg->path, inst(ctx, i)->line,
                                "memory stack '%s' is not adjacent to its host '%s' (they must "
                                "face each other with no die in between)",
                                inst(ctx, i)->name, inst(ctx, host)->name));
    }
    return SIP_OK;
}

/* The registry: one row per rule, in report order. */
static const struct rule rules[] = {
    {{"overlap", SIP_SEVERITY_ERROR, "two dies' footprints overlap"}, rule_overlap},
    {{"off-substrate", SIP_SEVERITY_ERROR, "a die extends past the substrate"}, rule_off_substrate},
    {{"shoreline", SIP_SEVERITY_ERROR,
      "UCIe modules on a die edge need more shoreline than the edge has"}, rule_shoreline},
    {{"port-span", SIP_SEVERITY_ERROR,
      "a port's modules run off its edge or overlap another port"}, rule_port_span},
    {{"link-endpoint", SIP_SEVERITY_ERROR,
      "a link joins a die to itself or ends on an attached memory stack"}, rule_link_endpoint},
    {{"package-mismatch", SIP_SEVERITY_ERROR,
      "a link's UCIe package type differs from one of its ports'"}, rule_package_mismatch},
    {{"package-substrate", SIP_SEVERITY_ERROR,
      "a link's UCIe package type is not carried by the substrate"}, rule_package_substrate},
    {{"reach", SIP_SEVERITY_ERROR,
      "a link is longer than the UCIe reach of its package type"}, rule_reach},
    {{"port-reuse", SIP_SEVERITY_ERROR, "a port is used by more than one link end"}, rule_port_reuse},
    {{"modules", SIP_SEVERITY_ERROR, "a link uses more modules than a port offers"}, rule_modules},
    {{"rate", SIP_SEVERITY_ERROR, "a link's rate is above either port's maximum"}, rule_rate},
    {{"ucie", SIP_SEVERITY_ERROR,
      "a link breaks a UCIe parameter rule (rate set, lanes, modules, bump-pitch group, "
      "voltage)"}, rule_ucie},
    {{"link-down", SIP_SEVERITY_ERROR,
      "a link's failed lanes are beyond UCIe lane repair, width degrade and module drop"},
     rule_link_down},
    {{"disconnected", SIP_SEVERITY_ERROR, "the UCIe graph is not connected"}, rule_disconnected},
    {{"no-io-path", SIP_SEVERITY_ERROR, "a compute die has no path to an I/O die"}, rule_no_io_path},
    {{"power-density", SIP_SEVERITY_ERROR,
      "a die's power per area is above thermal.power_density_limit_w_per_mm2"}, rule_power_density},
    {{"power-budget", SIP_SEVERITY_ERROR,
      "total power is above thermal.power_budget_w"}, rule_power_budget},
    {{"memory-adjacent", SIP_SEVERITY_WARNING,
      "an attached memory stack does not sit next to its host"}, rule_memory_adjacent},
    {{"reticle", SIP_SEVERITY_ERROR,
      "a silicon interposer is larger than one 26 x 33 mm reticle field without stitching"},
     rule_reticle},
    {{"link-overload", SIP_SEVERITY_WARNING,
      "a link direction is above 100 % utilization under the package's own traffic"},
     rule_link_overload},
};
#define N_RULES ((int)(sizeof rules / sizeof rules[0]))

int sip_check_rule_count(void) { return N_RULES; }

const sip_check_rule_info_t *sip_check_rule(int index)
{
    return (index >= 0 && index < N_RULES) ? &rules[index].info : NULL;
}

/* Indices the rules rely on; the loader guarantees them, code-built packages may not. */
static sip_status_t validate_structure(const sip_package_t *pkg, sip_error_t *err)
{
    if (pkg->substrate.kind < 0 || pkg->substrate.kind >= SIP_SUBSTRATE_COUNT)
        return sip_error_set(err, SIP_EINVAL, pkg->path, pkg->substrate.line,
                             "unknown substrate kind %d", (int)pkg->substrate.kind);
    for (int i = 0; i < pkg->n_instances; i++)
        SIP_TRY(sip__instance_check_indices(pkg, i, err));
    for (int t = 0; t < pkg->n_types; t++)
        for (int p = 0; p < pkg->types[t].n_ports; p++) {
            const sip_port_t *port = &pkg->types[t].ports[p];
            if (port->edge < 0 || port->edge >= SIP_EDGE_COUNT || port->package < 0 ||
                port->package >= SIP_UCIE_PACKAGE_COUNT)
                return sip_error_set(err, SIP_EINVAL, pkg->types[t].path, port->line,
                                     "port '%s' has an unknown edge or package type", port->name);
        }
    for (int k = 0; k < pkg->n_links; k++) {
        const sip_link_t *l = &pkg->links[k];
        for (int e = 0; e < 2; e++)
            SIP_TRY(sip__link_check_end(pkg, k, e, err));
        if (l->package < 0 || l->package >= SIP_UCIE_PACKAGE_COUNT)
            return sip_error_set(err, SIP_EINVAL, pkg->path, l->line,
                                 "link '%s' has an unknown package type", l->name);
    }
    return SIP_OK;
}

/* Errors first, then warnings, each group in the order the rules ran (a stable partition). */
static sip_status_t errors_first(sip_check_result_t *res)
{
    if (res->n_findings < 2)
        return SIP_OK;
    sip_finding_t *sorted = malloc((size_t)res->n_findings * sizeof *sorted);
    if (!sorted)
        return SIP_ENOMEM;
    int n = 0;
    for (int s = 0; s < SIP_SEVERITY_COUNT; s++)
        for (int i = 0; i < res->n_findings; i++)
            if ((int)res->findings[i].severity == s)
                sorted[n++] = res->findings[i];
    free(res->findings);
    res->findings = sorted;
    return SIP_OK;
}

sip_status_t sip_check_run(const sip_package_t *pkg, sip_check_result_t **out, sip_error_t *err)
{
    *out = NULL;
    SIP_TRY(validate_structure(pkg, err));
    sip_check_result_t *res = calloc(1, sizeof *res);
    if (!res)
        return sip_error_set(err, SIP_ENOMEM, pkg->path, 0, "cannot allocate check result");
    ctx_t ctx = {.pkg = pkg, .res = res};
    ctx.link_flagged = calloc(pkg->n_links ? (size_t)pkg->n_links : 1, sizeof *ctx.link_flagged);
    if (!ctx.link_flagged) {
        sip_check_result_destroy(res);
        return sip_error_set(err, SIP_ENOMEM, pkg->path, 0, "cannot allocate check result");
    }
    for (int i = 0; i < N_RULES; i++) {
        ctx.rule = &rules[i];
        if (rules[i].run(&ctx) != SIP_OK) {
            free(ctx.link_flagged);
            sip_check_result_destroy(res);
            return sip_error_set(err, SIP_ENOMEM, pkg->path, 0,
                                 "out of memory in design rule '%s'", rules[i].info.id);
        }
        res->n_rules_run++;
    }
    free(ctx.link_flagged);
    if (errors_first(res) != SIP_OK) {
        sip_check_result_destroy(res);
        return sip_error_set(err, SIP_ENOMEM, pkg->path, 0, "cannot allocate check result");
    }
    *out = res;
    return SIP_OK;
}

void sip_check_result_destroy(sip_check_result_t *result)
{
    if (!result)
        return;
    free(result->findings);
    free(result);
}

int sip_check_result_count(const sip_check_result_t *result, const char *rule)
{
    int n = 0;
    for (int i = 0; result && i < result->n_findings; i++)
        n += strcmp(result->findings[i].rule, rule) == 0;
    return n;
}

sip_status_t sip_check_result_to_json(const sip_check_result_t *result, char **out,
                                      sip_error_t *err)
{
    *out = NULL;
    json_t *root = json_object(), *list = json_array();
    bool ok = root && list && json_object_set_new(root, "errors", json_integer(result->n_errors)) == 0 &&
              json_object_set_new(root, "warnings", json_integer(result->n_warnings)) == 0 &&
              json_object_set(root, "findings", list) == 0;
    for (int i = 0; ok && i < result->n_findings; i++) {
        const sip_finding_t *f = &result->findings[i];
        json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:s}", "rule", f->rule, "severity",
                              sip_severity_name(f->severity), "path", f->path, "line", f->line,
                              "message", f->message);
        ok = o && json_array_append_new(list, o) == 0;
    }
    char *text = ok ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(list);
    json_decref(root);
    if (!text)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "cannot build check JSON");
    *out = text;
    return SIP_OK;
}
