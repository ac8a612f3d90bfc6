/* Building a variant: a deep copy of the base package with the axis values applied to the model
 * directly (no file is re-read per variant).  Order: plain settings, chiplet types, the number of
 * compute chiplets, then the placement generator, so that structural edits see final settings.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep/sweep_internal.h"

static void *slot_object(sip_package_t *pkg, const sip_setter_slot_t *s)
{
    switch (s->target) {
    case SIP_TARGET_PACKAGE:
        return pkg;
    case SIP_TARGET_TYPE:
        return &pkg->types[s->index];
    case SIP_TARGET_INSTANCE:
        return &pkg->instances[s->index];
    case SIP_TARGET_LINK:
        return &pkg->links[s->index];
    }
    return NULL;
}

static void set_field(sip_package_t *pkg, const sip_sweep_axis_t *ax, double v)
{
    const sip_setter_t *s = &ax->setter;
    for (int i = 0; i < s->n_slots; i++) {
        char *p = (char *)slot_object(pkg, &s->slots[i]) + s->slots[i].offset;
        switch (s->store) {
        case SIP_FIELD_DOUBLE:
            *(double *)(void *)p = v;
            break;
        case SIP_FIELD_INT:
            *(int *)(void *)p = (int)llround(v);
            break;
        case SIP_FIELD_BOOL:
            *(bool *)(void *)p = v != 0.0;
            break;
        case SIP_FIELD_STRING:
            snprintf(p, (size_t)s->size, "%s", ax->words[(int)v]);
            break;
        }
    }
}

/* An instance changes type: links keep their port by name. */
static sip_status_t set_type(sip_package_t *pkg, int inst, int type, sip_error_t *err)
{
    int old = pkg->instances[inst].type;
    if (old == type)
        return SIP_OK;
    const sip_chiplet_type_t *from = &pkg->types[old], *to = &pkg->types[type];
    for (int l = 0; l < pkg->n_links; l++) {
        sip_link_t *k = &pkg->links[l];
        for (int end = 0; end < 2; end++) {
            int *port = end ? &k->to_port : &k->from_port;
            if ((end ? k->to_instance : k->from_instance) != inst)
                continue;
            const char *name = from->ports[*port].name;
            int p = sip_chiplet_find_port(to, name);
            if (p < 0)
                return sip_error_set(err, SIP_EINVAL, NULL, 0,
                                     "instance '%s' as type '%s': no port '%s' for link '%s'",
                                     pkg->instances[inst].name, to->name, name, k->name);
            *port = p;
        }
    }
    pkg->instances[inst].type = type;
    return SIP_OK;
}

static bool is_vertex_compute(const sip_package_t *pkg, int i)
{
    return pkg->instances[i].attached_to < 0 && sip_instance_type(pkg, i)->kind == SIP_KIND_COMPUTE;
}

/* Drop instances with keep[i] false, and every link and demand that touches one. */
static void remove_instances(sip_package_t *pkg, const bool *keep, int *map)
{
    int n = 0;
    for (int i = 0; i < pkg->n_instances; i++)
        map[i] = keep[i] ? n++ : -1;
    for (int i = 0; i < pkg->n_instances; i++)
        if (keep[i]) {
            sip_instance_t inst = pkg->instances[i];
            if (inst.attached_to >= 0)
                inst.attached_to = map[inst.attached_to];
            pkg->instances[map[i]] = inst;
        }
    pkg->n_instances = n;
    int nl = 0;
    for (int l = 0; l < pkg->n_links; l++) {
        sip_link_t k = pkg->links[l];
        if (map[k.from_instance] < 0 || map[k.to_instance] < 0)
            continue;
        k.from_instance = map[k.from_instance];
        k.to_instance = map[k.to_instance];
        pkg->links[nl++] = k;
    }
    pkg->n_links = nl;
    sip_traffic_spec_t *t = &pkg->traffic;
    int nh = 0;
    for (int h = 0; h < t->n_hotspots; h++)
        if (t->hotspots[h] >= 0 && map[t->hotspots[h]] >= 0)
            t->hotspots[nh++] = map[t->hotspots[h]];
    t->n_hotspots = nh;
    int nd = 0;
    for (int d = 0; d < t->n_demands; d++) {
        sip_demand_t dm = t->demands[d];
        if (map[dm.from_instance] < 0 || map[dm.to_instance] < 0)
            continue;
        dm.from_instance = map[dm.from_instance];
        dm.to_instance = map[dm.to_instance];
        t->demands[nd++] = dm;
    }
    t->n_demands = nd;
}

/* A fresh name "<prefix><k>" from a template name's non-digit prefix. */
static void fresh_name(const sip_package_t *pkg, const char *tmpl, char *out)
{
    size_t len = strlen(tmpl);
    while (len > 0 && tmpl[len - 1] >= '0' && tmpl[len - 1] <= '9')
        len--;
    if (len > SIP_NAME_MAX - 12)
        len = SIP_NAME_MAX - 12;
    for (int k = 0;; k++) {
        snprintf(out, SIP_NAME_MAX, "%.*s%d", (int)len, tmpl, k);
        if (sip_package_find_instance(pkg, out) < 0)
            return;
    }
}

static sip_status_t set_compute_count(sip_package_t *pkg, int want, bool generator, sip_error_t *err)
{
    int present = 0, last = -1;
    for (int i = 0; i < pkg->n_instances; i++)
        if (is_vertex_compute(pkg, i)) {
            present++;
            last = i;
        }
    if (want == present)
        return SIP_OK;
    if (want > present) {
        if (!generator || last < 0)
            return sip_error_set(err, SIP_EINVAL, NULL, 0,
                                 "compute_chiplets = %d exceeds the base's %d compute chiplets "
                                 "(expected a placement axis mesh, ring or star to add dies)",
                                 want, present);
        /* Copies of the last compute die and its stacks; the generator places and wires them. */
        int n0 = pkg->n_instances;
        for (int c = present; c < want; c++) {
            sip_instance_t host = pkg->instances[last];
            fresh_name(pkg, pkg->instances[last].name, host.name);
            int h = sip_package_add_instance(pkg, &host, err);
            if (h < 0)
                return err ? err->status : SIP_ELIMIT;
            for (int i = 0; i < n0; i++)
                if (pkg->instances[i].attached_to == last) {
                    sip_instance_t st = pkg->instances[i];
                    fresh_name(pkg, pkg->instances[i].name, st.name);
                    st.attached_to = h;
                    if (sip_package_add_instance(pkg, &st, err) < 0)
                        return err ? err->status : SIP_ELIMIT;
                }
        }
        return SIP_OK;
    }
    bool *keep = malloc((size_t)pkg->n_instances * sizeof *keep);
    int *map = malloc((size_t)pkg->n_instances * sizeof *map);
    if (!keep || !map) {
        free(keep);
        free(map);
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory");
    }
    int seen = 0;
    for (int i = 0; i < pkg->n_instances; i++) {
        keep[i] = true;
        if (is_vertex_compute(pkg, i) && seen++ >= want)
            keep[i] = false;
    }
    for (int i = 0; i < pkg->n_instances; i++)
        if (pkg->instances[i].attached_to >= 0 && !keep[pkg->instances[i].attached_to])
            keep[i] = false;
    remove_instances(pkg, keep, map);
    free(keep);
    free(map);
    return SIP_OK;
}

/* sip_package_add_* grow arrays when the count reaches a power of two, assuming that capacity;
 * sip_package_clone allocates exactly n_* elements.  Round the clone's instance and link arrays
 * up before structural edits append to them. */
static sip_status_t pow2_capacity(void **array, int n, size_t size, sip_error_t *err)
{
    size_t cap = 4;
    while (cap < (size_t)n)
        cap *= 2;
    void *p = realloc(*array, cap * size);
    if (!p)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory");
    *array = p;
    return SIP_OK;
}

sip_status_t sip_sweep_variant_build(const sip_sweep_spec_t *spec, const double *values,
                                     sip_package_t **out, sip_error_t *err)
{
    *out = NULL;
    sip_package_t *pkg = NULL;
    SIP_TRY(sip_package_clone(spec->base, &pkg, err));
    int compute = -1;
    sip_placement_t placement = SIP_PLACEMENT_BASE;
    sip_status_t st = SIP_OK;
    for (int a = 0; a < spec->n_axes && st == SIP_OK; a++) {
        const sip_sweep_axis_t *ax = &spec->axes[a];
        switch (ax->setter.kind) {
        case SIP_SETTER_FIELD:
            set_field(pkg, ax, values[a]);
            break;
        case SIP_SETTER_COMPUTE:
            compute = (int)llround(values[a]);
            break;
        case SIP_SETTER_PLACEMENT:
            placement = (sip_placement_t)(int)values[a];
            break;
        default:
            break;
        }
    }
    for (int a = 0; a < spec->n_axes && st == SIP_OK; a++) {
        const sip_sweep_axis_t *ax = &spec->axes[a];
        if (ax->setter.kind != SIP_SETTER_TYPE)
            continue;
        for (int i = 0; i < ax->setter.n_slots && st == SIP_OK; i++)
            st = set_type(pkg, ax->setter.slots[i].index, (int)values[a], err);
    }
    /* A port's package type may have changed: links follow their ports when both agree. */
    for (int l = 0; l < pkg->n_links && st == SIP_OK; l++) {
        sip_link_t *k = &pkg->links[l];
        const sip_port_t *pa = &sip_instance_type(pkg, k->from_instance)->ports[k->from_port];
        const sip_port_t *pb = &sip_instance_type(pkg, k->to_instance)->ports[k->to_port];
        if (pa->package == pb->package)
            k->package = pa->package;
    }
    sip_link_t tmpl;
    bool have_tmpl = pkg->n_links > 0;
    if (have_tmpl)
        tmpl = pkg->links[0];
    if (st == SIP_OK && (compute >= 0 || placement != SIP_PLACEMENT_BASE)) {
        st = pow2_capacity((void **)&pkg->instances, pkg->n_instances, sizeof *pkg->instances, err);
        if (st == SIP_OK)
            st = pow2_capacity((void **)&pkg->links, pkg->n_links, sizeof *pkg->links, err);
    }
    if (st == SIP_OK && compute >= 0)
        st = set_compute_count(pkg, compute, placement != SIP_PLACEMENT_BASE, err);
    if (st == SIP_OK && placement != SIP_PLACEMENT_BASE)
        st = sip__placement_apply(pkg, placement, spec->placement_gap_mm, have_tmpl ? &tmpl : NULL, err);
    if (st != SIP_OK) {
        sip_package_destroy(pkg);
        return st;
    }
    *out = pkg;
    return SIP_OK;
}
