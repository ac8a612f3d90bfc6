/* A compute tile from a chiplet type: systolic arrays, vector path, SRAM, attached HBM.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sipsim/kernels.h"

/* Decimal units, as everywhere in sipsim (GB/s = 1e9 B/s): 1 MB = 1e6 B, 1 GB = 1e9 B. */
#define BYTES_PER_MB 1e6
#define BYTES_PER_GB 1e9

void sip_tile_params_init(sip_tile_params_t *p)
{
    p->pj_per_mac = NAN;
    p->sram_pj_per_byte = NAN;
    p->hbm_pj_per_bit = NAN;
    p->sram_GBps = 0.0;
    p->weight_prefetch = false; /* SCALE-Sim v2's schedule, exactly */
    /* The peaks as given: SCALE-Sim v2 cycles and the plain roofline. */
    p->mac_efficiency = 1.0;
    p->vector_efficiency = 1.0;
    p->hbm_efficiency = 1.0;
}

static bool fraction_ok(double f)
{
    return f > 0.0 && f <= 1.0;
}

static double engine_rate(const sip_engine_t *e, sip_precision_t p)
{
    for (int i = 0; i < e->n_rates; i++)
        if (e->rates[i].precision == p)
            return e->rates[i].macs_per_cycle;
    return 0.0;
}

static int engine_lowest_bits(const sip_engine_t *e)
{
    int bits = 1 << 30;
    for (int i = 0; i < e->n_rates; i++) {
        int b = sip_precision_bits(e->rates[i].precision);
        if (b < bits)
            bits = b;
    }
    return bits;
}

/* Vector engines' element rate: norms and softmax run in fp32 where the engine offers it (the
 * usual practice for these reductions), else at its fastest listed precision. */
static double vector_rate(const sip_engine_t *e)
{
    double r = engine_rate(e, SIP_PREC_FP32);
    if (r > 0.0)
        return r;
    for (int i = 0; i < e->n_rates; i++)
        if (e->rates[i].macs_per_cycle > r)
            r = e->rates[i].macs_per_cycle;
    return r;
}

sip_status_t sip_tile_from_chiplet(const sip_chiplet_type_t *type, sip_precision_t precision,
                                   double hbm_GBps, double hbm_bytes,
                                   const sip_tile_params_t *params, sip_tile_t *out,
                                   sip_error_t *err)
{
    sip_tile_params_t defaults;
    if (!params) {
        sip_tile_params_init(&defaults);
        params = &defaults;
    }
    if ((unsigned)precision >= SIP_PREC_COUNT)
        return sip_error_set(err, SIP_EINVAL, type->path, 0, "precision %d out of range",
                             (int)precision);
    if (!fraction_ok(params->mac_efficiency) || !fraction_ok(params->vector_efficiency) ||
        !fraction_ok(params->hbm_efficiency))
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "efficiency MAC %g, vector %g, HBM %g (expected fractions in (0, 1] "
                             "of the peaks)", params->mac_efficiency, params->vector_efficiency,
                             params->hbm_efficiency);
    sip_tile_t t;
    memset(&t, 0, sizeof t);
    const sip_engine_t *first = NULL;
    double engine_pj = NAN;
    for (int i = 0; i < type->n_engines; i++) {
        const sip_engine_t *e = &type->engines[i];
        if (e->kind == SIP_ENGINE_VECTOR) {
            t.vector_elems_per_s += e->count * vector_rate(e) * e->clock_ghz * 1e9;
            continue;
        }
        const double rate = engine_rate(e, precision);
        if (rate <= 0.0)
            continue;
        if (!first) {
            first = e;
            t.array_rows = e->array_rows;
            t.array_cols = e->array_cols;
            t.dataflow = e->dataflow;
            t.clock_ghz = e->clock_ghz;
            t.macs_per_cell = rate / ((double)e->array_rows * e->array_cols);
            /* The engine's energy is given at its lowest-bit precision only (model.h). */
            if (e->energy_pj_per_mac > 0.0 &&
                sip_precision_bits(precision) == engine_lowest_bits(e))
                engine_pj = e->energy_pj_per_mac;
        }
        /* Arrays of another shape, dataflow, clock or rate do not join this tile: the tile
         * model has one array geometry. */
        if (e->array_rows == t.array_rows && e->array_cols == t.array_cols &&
            e->dataflow == t.dataflow && e->clock_ghz == t.clock_ghz &&
            rate == t.macs_per_cell * e->array_rows * e->array_cols)
            t.n_arrays += e->count;
    }
    if (!first)
        return sip_error_set(err, SIP_EINVAL, type->path, type->line,
                             "chiplet '%s' has no systolic engine with a %s rate (expected an "
                             "engine listing that precision)",
                             type->name, sip_precision_name(precision));
    if (t.array_rows < 1 || t.array_cols < 1 || !(t.clock_ghz > 0.0) || t.n_arrays < 1)
        return sip_error_set(err, SIP_EINVAL, type->path, first->line,
                             "engine '%s' of '%s': array %d x %d, count %d, clock %g GHz "
                             "(expected positive)",
                             first->name, type->name, first->array_rows, first->array_cols,
                             first->count, first->clock_ghz);
    t.precision = precision;
    t.bytes_per_elem = sip_precision_bits(precision) / 8.0;
    if (t.vector_elems_per_s <= 0.0) {
        /* No vector engine: element-wise work drains through the arrays' output edge, one
         * element per array column per cycle (an assumption of this model, stated in
         * kernels.h). */
        t.vector_on_array = true;
        t.vector_elems_per_s = (double)t.n_arrays * t.array_cols * t.clock_ghz * 1e9;
    }
    t.sram_bytes = type->sram_mb * BYTES_PER_MB;
    t.sram_GBps = params->sram_GBps;
    t.peak_hbm_GBps = hbm_GBps;
    t.hbm_GBps = hbm_GBps * params->hbm_efficiency;
    t.hbm_bytes = hbm_bytes;
    t.mac_efficiency = params->mac_efficiency;
    t.vector_elems_per_s *= params->vector_efficiency;
    t.pj_per_mac = isfinite(params->pj_per_mac) ? params->pj_per_mac : engine_pj;
    t.sram_pj_per_byte = params->sram_pj_per_byte;
    t.hbm_pj_per_bit = params->hbm_pj_per_bit;
    t.weight_prefetch = params->weight_prefetch;
    *out = t;
    return SIP_OK;
}

static void add_memories(const sip_chiplet_type_t *type, double *GBps, double *bytes)
{
    for (int i = 0; i < type->n_memories; i++) {
        if (type->memories[i].kind == SIP_MEM_SRAM)
            continue;
        *GBps += type->memories[i].bandwidth_GBps;
        *bytes += type->memories[i].capacity_gb * BYTES_PER_GB;
    }
}

sip_status_t sip_tile_from_instance(const sip_package_t *pkg, int instance,
                                    sip_precision_t precision, const sip_tile_params_t *params,
                                    sip_tile_t *out, sip_error_t *err)
{
    if (instance < 0 || instance >= pkg->n_instances)
        return sip_error_set(err, SIP_EINVAL, pkg->path, 0, "instance %d out of range", instance);
    double GBps = 0.0, bytes = 0.0;
    const sip_chiplet_type_t *type = sip_instance_type(pkg, instance);
    add_memories(type, &GBps, &bytes);
    for (int i = 0; i < pkg->n_instances; i++)
        if (pkg->instances[i].attached_to == instance)
            add_memories(sip_instance_type(pkg, i), &GBps, &bytes);
    sip_status_t st = sip_tile_from_chiplet(type, precision, GBps, bytes, params, out, err);
    if (st != SIP_OK && err && err->line == 0) {
        err->line = pkg->instances[instance].line;
        snprintf(err->path, sizeof err->path, "%s", pkg->path);
    }
    return st;
}

double sip_tile_peak_macs_per_s(const sip_tile_t *t)
{
    return (double)t->n_arrays * t->array_rows * t->array_cols * t->macs_per_cell * t->clock_ghz *
           1e9;
}
