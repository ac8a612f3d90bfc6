/* HotSpot compatibility: read HotSpot inputs (config options, .flp, .ptrace, .lcf) and build
 * the conductance network of HotSpot 7's grid model (commit f18831e), so that its steady-state
 * numbers are reproduced (shared/peers/hotspot/results.md §2 and §5; HotSpot sources:
 * temperature_grid.c populate_R_model_grid(), find_res(), build_transient_grid_matrix(),
 * set_bgmap(), xlate_vector_b2g(); temperature.c populate_package_R()/populate_package_C()).
 * -detailed_3D on (per-unit materials from floorplan columns 6-7, set_bgmap()'s occupancy rule,
 * find_res()'s half-rz vertical rule) is reproduced; the secondary path, leakage, material names
 * and the detailed package model are not.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "thermal/thermal_internal.h"

#define HS_LINE_MAX 4096
#define HS_MAX_UNITS 4096
/* HotSpot's 12 lumped package nodes (temperature.h EXTRA, SP_W ... SINK_S). */
enum { SP_W, SP_E, SP_N, SP_S, SINK_C_W, SINK_C_E, SINK_C_N, SINK_C_S, SINK_W, SINK_E, SINK_N, SINK_S, HS_EXTRA };
/* temperature.h C_FACTOR: HotSpot's fitting factor on the convection capacitance. */
#define HS_C_FACTOR 0.333

/* The options of HotSpot's thermal_config_t that the grid model reads; defaults are HotSpot's
 * (temperature.c default_thermal_config()). */
typedef struct {
    double t_chip, k_chip, p_chip;
    double c_convec, r_convec;
    double s_sink, t_sink, k_sink, p_sink;
    double s_spreader, t_spreader, k_spreader, p_spreader;
    double t_interface, k_interface, p_interface;
    double ambient_k, thermal_threshold_k;
    int grid_rows, grid_cols;
    bool detailed_3d;
    char flp[SIP_PATH_MAX], ptrace[SIP_PATH_MAX], lcf[SIP_PATH_MAX];
} hs_config_t;

static void hs_config_defaults(hs_config_t *c)
{
    memset(c, 0, sizeof *c);
    c->t_chip = 0.15e-3;
    c->k_chip = 100.0;
    c->p_chip = 1.75e6;
    c->c_convec = 140.4;
    c->r_convec = 0.1;
    c->s_sink = 60e-3;
    c->t_sink = 6.9e-3;
    c->k_sink = 400.0;
    c->p_sink = 3.55e6;
    c->s_spreader = 30e-3;
    c->t_spreader = 1e-3;
    c->k_spreader = 400.0;
    c->p_spreader = 3.55e6;
    c->t_interface = 20e-6;
    c->k_interface = 4.0;
    c->p_interface = 4.0e6;
    c->ambient_k = 45 + 273.15;
    c->thermal_threshold_k = 81.8 + 273.15;
    c->grid_rows = 64;
    c->grid_cols = 64;
}

typedef struct {
    const char *name;
    size_t offset;
} hs_key_t;

static const hs_key_t hs_double_keys[] = {
    {"t_chip", offsetof(hs_config_t, t_chip)},         {"k_chip", offsetof(hs_config_t, k_chip)},
    {"p_chip", offsetof(hs_config_t, p_chip)},         {"c_convec", offsetof(hs_config_t, c_convec)},
    {"r_convec", offsetof(hs_config_t, r_convec)},     {"s_sink", offsetof(hs_config_t, s_sink)},
    {"t_sink", offsetof(hs_config_t, t_sink)},         {"k_sink", offsetof(hs_config_t, k_sink)},
    {"p_sink", offsetof(hs_config_t, p_sink)},         {"s_spreader", offsetof(hs_config_t, s_spreader)},
    {"t_spreader", offsetof(hs_config_t, t_spreader)}, {"k_spreader", offsetof(hs_config_t, k_spreader)},
    {"p_spreader", offsetof(hs_config_t, p_spreader)}, {"t_interface", offsetof(hs_config_t, t_interface)},
    {"k_interface", offsetof(hs_config_t, k_interface)}, {"p_interface", offsetof(hs_config_t, p_interface)},
    {"ambient", offsetof(hs_config_t, ambient_k)},     {"thermal_threshold", offsetof(hs_config_t, thermal_threshold_k)},
};

/* Options that change the model in ways this reproduction does not implement: value that is
 * accepted (anything else is refused). */
static const struct {
    const char *name, *accepted;
} hs_refused[] = {
    {"model_secondary", "0"}, {"package_model_used", "0"},
    {"leakage_used", "0"},    {"model_type", "grid"}, {"use_microchannels", "0"},
};

static sip_status_t hs_set(hs_config_t *c, const char *key, const char *value, const char *path, int line,
                           sip_error_t *err)
{
    if (key[0] == '-')
        key++;
    for (size_t i = 0; i < sizeof hs_double_keys / sizeof hs_double_keys[0]; i++) {
        if (strcmp(key, hs_double_keys[i].name) == 0) {
            char *end;
            errno = 0;
            double v = strtod(value, &end);
            if (end == value || *end || errno || !isfinite(v))
                return sip_error_set(err, SIP_EPARSE, path, line, "-%s %s: not a number", key, value);
            *(double *)((char *)c + hs_double_keys[i].offset) = v;
            return SIP_OK;
        }
    }
    if (strcmp(key, "grid_rows") == 0 || strcmp(key, "grid_cols") == 0) {
        char *end;
        long v = strtol(value, &end, 10);
        if (end == value || *end || v < 1 || v > SIP_THERMAL_MAX_GRID)
            return sip_error_set(err, SIP_EPARSE, path, line, "-%s %s (expected 1..%d)", key, value, SIP_THERMAL_MAX_GRID);
        *(key[5] == 'r' ? &c->grid_rows : &c->grid_cols) = (int)v;
        return SIP_OK;
    }
    if (strcmp(key, "detailed_3D") == 0) {
        /* HotSpot treats anything but "on" as off (hotspot.c); a typo is refused here instead */
        if (strcmp(value, "on") != 0 && strcmp(value, "off") != 0)
            return sip_error_set(err, SIP_EPARSE, path, line, "-detailed_3D %s (expected on or off)", value);
        c->detailed_3d = strcmp(value, "on") == 0;
        return SIP_OK;
    }
    char *dst = strcmp(key, "f") == 0 ? c->flp : strcmp(key, "p") == 0 ? c->ptrace
              : strcmp(key, "grid_layer_file") == 0 ? c->lcf : NULL;
    if (dst) {
        if (strlen(value) >= SIP_PATH_MAX)
            return sip_error_set(err, SIP_ELIMIT, path, line, "-%s: path too long", key);
        strcpy(dst, value);
        return SIP_OK;
    }
    for (size_t i = 0; i < sizeof hs_refused / sizeof hs_refused[0]; i++)
        if (strcmp(key, hs_refused[i].name) == 0 && strcmp(value, hs_refused[i].accepted) != 0)
            return sip_error_set(err, SIP_EUNSUPPORTED, path, line, "-%s %s is not reproduced (expected %s)", key,
                                 value, hs_refused[i].accepted);
    return SIP_OK; /* options that do not affect the steady grid model (sampling, DTM, output files) */
}

/* Whitespace tokens of the non-comment lines; calls back per line. */
static sip_status_t hs_read_config(hs_config_t *c, const char *path, sip_error_t *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return sip_error_set(err, SIP_EIO, path, 0, "cannot open HotSpot config");
    char line[HS_LINE_MAX];
    int ln = 0;
    sip_status_t st = SIP_OK;
    while (st == SIP_OK && fgets(line, sizeof line, f)) {
        ln++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char key[256], value[SIP_PATH_MAX];
        int n = sscanf(line, "%255s %511s", key, value);
        if (n <= 0)
            continue;
        if (n != 2 || key[0] != '-')
            st = sip_error_set(err, SIP_EPARSE, path, ln, "expected '-name value'");
        else
            st = hs_set(c, key, value, path, ln, err);
    }
    fclose(f);
    return st;
}

/* dir/name into out (SIP_PATH_MAX); a truncated path becomes "" so that opening it fails. */
static void join_path(char *out, const char *dir, const char *name)
{
    int n;
    if (!dir || !*dir || name[0] == '/')
        n = snprintf(out, SIP_PATH_MAX, "%s", name);
    else
        n = snprintf(out, SIP_PATH_MAX, "%s/%s", dir, name);
    if (n < 0 || n >= SIP_PATH_MAX)
        out[0] = 0;
}

typedef struct {
    char name[SIP_NAME_MAX];
    double w_m, h_m, x_m, y_m;
    bool has_material;   /* columns 6-7: the unit's own material (used with -detailed_3D on) */
    double sp, res;      /* volumetric heat capacity J/(m^3 K), resistivity m K / W */
    int line;
} hs_unit_t;

typedef struct {
    int n;
    hs_unit_t *u;
} hs_flp_t;

static sip_status_t hs_read_flp(const char *path, hs_flp_t *flp, sip_error_t *err)
{
    flp->n = 0;
    flp->u = NULL;
    FILE *f = fopen(path, "r");
    if (!f)
        return sip_error_set(err, SIP_EIO, path, 0, "cannot open floorplan");
    char line[HS_LINE_MAX];
    int ln = 0;
    sip_status_t st = SIP_OK;
    while (fgets(line, sizeof line, f)) {
        ln++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char name[256], t2[64], t3[64], t4[64], t5[64], t6[64], t7[64], t8[8];
        int ntok = sscanf(line, "%255s %63s %63s %63s %63s %63s %63s %7s", name, t2, t3, t4, t5, t6, t7, t8);
        if (ntok <= 0)
            continue;
        if (ntok == 3) /* connectivity lines (name name wire_density) carry no geometry */
            continue;
        const char *tok[6] = {t2, t3, t4, t5, t6, t7};
        double v[6];
        bool ok = ntok == 5 || ntok == 7;
        for (int k = 0; ok && k < ntok - 1; k++) {
            char *end;
            v[k] = strtod(tok[k], &end);
            ok = end != tok[k] && !*end && isfinite(v[k]);
        }
        if (!ok || !(v[0] > 0) || !(v[1] > 0)) {
            st = sip_error_set(err, SIP_EPARSE, path, ln, "expected '<name> <width> <height> <left-x> <bottom-y> "
                                                        "[<heat capacity J/(m^3K)> <resistivity m-K/W>]' in metres");
            break;
        }
        if (ntok == 7 && (!(v[4] > 0) || !(v[5] > 0))) {
            st = sip_error_set(err, SIP_EPARSE, path, ln, "unit '%s': heat capacity %s and resistivity %s (expected both > 0)",
                               name, t6, t7);
            break;
        }
        if (strlen(name) >= SIP_NAME_MAX || flp->n >= HS_MAX_UNITS) {
            st = sip_error_set(err, SIP_ELIMIT, path, ln, "unit name longer than %d or more than %d units", SIP_NAME_MAX - 1, HS_MAX_UNITS);
            break;
        }
        hs_unit_t *nu = realloc(flp->u, (size_t)(flp->n + 1) * sizeof *nu);
        if (!nu) {
            st = sip_error_set(err, SIP_ENOMEM, path, ln, "out of memory");
            break;
        }
        flp->u = nu;
        hs_unit_t *u = &flp->u[flp->n++];
        strcpy(u->name, name);
        u->w_m = v[0];
        u->h_m = v[1];
        u->x_m = v[2];
        u->y_m = v[3];
        u->has_material = ntok == 7;
        u->sp = ntok == 7 ? v[4] : 0.0;
        u->res = ntok == 7 ? v[5] : 0.0;
        u->line = ln;
    }
    fclose(f);
    if (st == SIP_OK && flp->n == 0)
        st = sip_error_set(err, SIP_EPARSE, path, 0, "floorplan has no units");
    if (st != SIP_OK) {
        free(flp->u);
        flp->u = NULL;
        flp->n = 0;
    }
    return st;
}

sip_status_t sip_thermal_read_ptrace(const char *path, char (**names_out)[SIP_NAME_MAX], int *n_names_out,
                                     double **rows_out, int *n_rows_out, sip_error_t *err)
{
    *names_out = NULL;
    *rows_out = NULL;
    *n_names_out = *n_rows_out = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return sip_error_set(err, SIP_EIO, path, 0, "cannot open power trace");
    char (*names)[SIP_NAME_MAX] = NULL;
    double *rows = NULL;
    int n_names = 0, n_rows = 0, ln = 0;
    sip_status_t st = SIP_OK;
    char *buf = malloc(1 << 16);
    if (!buf) {
        fclose(f);
        return sip_error_set(err, SIP_ENOMEM, path, 0, "out of memory");
    }
    while (st == SIP_OK && fgets(buf, 1 << 16, f)) {
        ln++;
        char *save = NULL, *tok = strtok_r(buf, " \t\r\n", &save);
        if (!tok || tok[0] == '#')
            continue;
        if (!names) {
            for (; tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
                if (strlen(tok) >= SIP_NAME_MAX || n_names >= HS_MAX_UNITS) {
                    st = sip_error_set(err, SIP_ELIMIT, path, ln, "unit name too long or too many units");
                    break;
                }
                char (*nn)[SIP_NAME_MAX] = realloc(names, (size_t)(n_names + 1) * sizeof *nn);
                if (!nn) {
                    st = sip_error_set(err, SIP_ENOMEM, path, ln, "out of memory");
                    break;
                }
                names = nn;
                strcpy(names[n_names++], tok);
            }
            continue;
        }
        double *nr = realloc(rows, (size_t)(n_rows + 1) * (size_t)n_names * sizeof *nr);
        if (!nr) {
            st = sip_error_set(err, SIP_ENOMEM, path, ln, "out of memory");
            break;
        }
        rows = nr;
        int k = 0;
        for (; tok; tok = strtok_r(NULL, " \t\r\n", &save), k++) {
            char *end;
            double v = strtod(tok, &end);
            if (k >= n_names || *end || end == tok || !isfinite(v) || v < 0) {
                st = sip_error_set(err, SIP_EPARSE, path, ln, "power %d: '%s' (expected %d non-negative numbers)", k + 1, tok, n_names);
                break;
            }
            rows[(size_t)n_rows * n_names + k] = v;
        }
        if (st == SIP_OK && k != n_names)
            st = sip_error_set(err, SIP_EPARSE, path, ln, "%d powers (expected %d, one per name)", k, n_names);
        n_rows++;
    }
    free(buf);
    fclose(f);
    if (st == SIP_OK && (!names || n_rows == 0))
        st = sip_error_set(err, SIP_EPARSE, path, ln, "power trace needs a line of names and at least one line of powers");
    if (st != SIP_OK) {
        free(names);
        free(rows);
        return st;
    }
    *names_out = names;
    *n_names_out = n_names;
    *rows_out = rows;
    *n_rows_out = n_rows;
    return SIP_OK;
}

typedef struct {
    int no;
    bool lateral, power;
    double sp, res, t_m;
    char flp[SIP_PATH_MAX];
} hs_lcf_layer_t;

/* Layer configuration file: 7 tokens per layer, one per non-comment line (parse_layer_file()). */
static sip_status_t hs_read_lcf(const char *path, hs_lcf_layer_t *layers, int *n_out, sip_error_t *err)
{
    *n_out = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return sip_error_set(err, SIP_EIO, path, 0, "cannot open layer file");
    char line[HS_LINE_MAX];
    int ln = 0, field = 0, n = 0;
    sip_status_t st = SIP_OK;
    while (st == SIP_OK && fgets(line, sizeof line, f)) {
        ln++;
        char tok[SIP_PATH_MAX];
        if (sscanf(line, "%511s", tok) != 1 || tok[0] == '#')
            continue;
        if (field == 0 && n >= SIP_MAX_LAYERS) {
            st = sip_error_set(err, SIP_ELIMIT, path, ln, "more than %d layers", SIP_MAX_LAYERS);
            break;
        }
        hs_lcf_layer_t *L = &layers[n];
        char *end = NULL;
        switch (field) {
        case 0:
            L->no = (int)strtol(tok, &end, 10);
            if (*end || L->no < 0)
                st = sip_error_set(err, SIP_EPARSE, path, ln, "invalid layer number '%s'", tok);
            break;
        case 1:
        case 2:
            if (strchr("YyNn", tok[0]) == NULL || tok[1])
                st = sip_error_set(err, SIP_EPARSE, path, ln, "'%s' (expected Y or N)", tok);
            else if (field == 1)
                L->lateral = tok[0] == 'Y' || tok[0] == 'y';
            else
                L->power = tok[0] == 'Y' || tok[0] == 'y';
            break;
        case 3:
        case 4:
        case 5: {
            double v = strtod(tok, &end);
            if (end == tok || *end || !(v > 0))
                st = sip_error_set(err, field == 3 ? SIP_EUNSUPPORTED : SIP_EPARSE, path, ln,
                                   "'%s' (expected a positive number%s)", tok,
                                   field == 3 ? "; material names are not supported" : "");
            else
                *(field == 3 ? &L->sp : field == 4 ? &L->res : &L->t_m) = v;
            break;
        }
        default:
            if (strlen(tok) >= SIP_PATH_MAX - 1)
                st = sip_error_set(err, SIP_ELIMIT, path, ln, "floorplan path too long");
            else
                strcpy(L->flp, tok);
            n++;
            break;
        }
        field = (field + 1) % 7;
    }
    fclose(f);
    if (st == SIP_OK && (field != 0 || n == 0))
        st = sip_error_set(err, SIP_EPARSE, path, ln, "incomplete layer (7 lines per layer: number, lateral Y/N, power Y/N, "
                                                    "heat capacity, resistivity, thickness, floorplan)");
    for (int i = 0; st == SIP_OK && i < n; i++) {
        bool found = false;
        for (int j = 0; j < n; j++)
            found = found || layers[j].no == i;
        if (!found)
            st = sip_error_set(err, SIP_EPARSE, path, 0, "layer numbers must be 0..%d, each once", n - 1);
    }
    if (st == SIP_OK) {
        /* order by layer number */
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                if (layers[j].no < layers[i].no) {
                    hs_lcf_layer_t t = layers[i];
                    layers[i] = layers[j];
                    layers[j] = t;
                }
        *n_out = n;
    }
    return st;
}

static double getr(double k, double len, double area) { return len / (k * area); }

/* The 12-node periphery of populate_package_R() and the edge-cell couplings of
 * build_transient_grid_matrix(); rows here count from the south, so HotSpot's row 0 (north)
 * is our row rows-1. */
static sip_status_t hs_add_package(sip_thermal_model_t *m, const hs_config_t *c, int sp, int hs, sip_error_t *err)
{
    double w = m->width_mm * 1e-3, h = m->height_mm * 1e-3;
    double Ssp = c->s_spreader, tsp = c->t_spreader, Shs = c->s_sink, ths = c->t_sink;
    double r_sp1_x = getr(c->k_spreader, (Ssp - w) / 4.0, (Ssp + 3 * h) / 4.0 * tsp);
    double r_sp1_y = getr(c->k_spreader, (Ssp - h) / 4.0, (Ssp + 3 * w) / 4.0 * tsp);
    double r_hs1_x = getr(c->k_sink, (Ssp - w) / 4.0, (Ssp + 3 * h) / 4.0 * ths);
    double r_hs1_y = getr(c->k_sink, (Ssp - h) / 4.0, (Ssp + 3 * w) / 4.0 * ths);
    double r_hs2_x = getr(c->k_sink, (Ssp - w) / 4.0, (3 * Ssp + h) / 4.0 * ths);
    double r_hs2_y = getr(c->k_sink, (Ssp - h) / 4.0, (3 * Ssp + w) / 4.0 * ths);
    double r_hs = getr(c->k_sink, (Shs - Ssp) / 4.0, (Shs + 3 * Ssp) / 4.0 * ths);
    double a_x = (Ssp + h) * (Ssp - w) / 4.0, a_y = (Ssp + w) * (Ssp - h) / 4.0;
    double a_out = (Shs * Shs - Ssp * Ssp) / 4.0;
    double r_sp_per_x = getr(c->k_spreader, tsp, a_x), r_sp_per_y = getr(c->k_spreader, tsp, a_y);
    double r_hs_c_per_x = getr(c->k_sink, ths, a_x), r_hs_c_per_y = getr(c->k_sink, ths, a_y);
    double r_hs_per = getr(c->k_sink, ths, a_out);
    double r_amb_c_per_x = c->r_convec * Shs * Shs / a_x, r_amb_c_per_y = c->r_convec * Shs * Shs / a_y;
    double r_amb_per = c->r_convec * Shs * Shs / a_out;

    int base = m->n_layers * m->rows * m->cols;
    int nr = m->rows, nc = m->cols;
    double cw = w / nc, ch = h / nr;
    const int layer_of[2] = {sp, hs};
    for (int which = 0; which < 2; which++) {
        int l = layer_of[which];
        double k = m->layers[l].k_w_per_mk, t = m->layers[l].thickness_um * 1e-6;
        double rx = cw / (k * ch * t), ry = ch / (k * cw * t);
        double r1x = which ? r_hs1_x : r_sp1_x, r1y = which ? r_hs1_y : r_sp1_y;
        int nw = base + (which ? SINK_C_W : SP_W), ne = base + (which ? SINK_C_E : SP_E);
        int nn = base + (which ? SINK_C_N : SP_N), ns = base + (which ? SINK_C_S : SP_S);
        for (int r = 0; r < nr; r++) {
            SIP_TRY(sip__thermal_edge_add(m, sip__thermal_node(m, l, r, 0), nw, 1.0 / (rx / 2.0 + nr * r1x), err));
            SIP_TRY(sip__thermal_edge_add(m, sip__thermal_node(m, l, r, nc - 1), ne, 1.0 / (rx / 2.0 + nr * r1x), err));
        }
        for (int col = 0; col < nc; col++) {
            SIP_TRY(sip__thermal_edge_add(m, sip__thermal_node(m, l, nr - 1, col), nn, 1.0 / (ry / 2.0 + nc * r1y), err));
            SIP_TRY(sip__thermal_edge_add(m, sip__thermal_node(m, l, 0, col), ns, 1.0 / (ry / 2.0 + nc * r1y), err));
        }
    }
    for (int s = 0; s < 4; s++) {
        bool x = s < 2; /* W, E use the x resistances */
        SIP_TRY(sip__thermal_edge_add(m, base + SP_W + s, base + SINK_C_W + s, 1.0 / (x ? r_sp_per_x : r_sp_per_y), err));
        SIP_TRY(sip__thermal_edge_add(m, base + SINK_C_W + s, base + SINK_W + s, 1.0 / ((x ? r_hs2_x : r_hs2_y) + r_hs), err));
        m->g_amb[base + SINK_C_W + s] = 1.0 / (x ? r_hs_c_per_x + r_amb_c_per_x : r_hs_c_per_y + r_amb_c_per_y);
        m->g_amb[base + SINK_W + s] = 1.0 / (r_hs_per + r_amb_per);
        /* populate_package_C() */
        double a = x ? a_x : a_y;
        m->c_j_per_k[base + SP_W + s] = c->p_spreader * tsp * a;
        m->c_j_per_k[base + SINK_C_W + s] = c->p_sink * ths * a + HS_C_FACTOR * c->c_convec / (Shs * Shs) * a;
        m->c_j_per_k[base + SINK_W + s] = c->p_sink * ths * a_out + HS_C_FACTOR * c->c_convec / (Shs * Shs) * a_out;
    }
    return SIP_OK;
}

/* temperature_grid.h OCCUPANCY_THRESHOLD: a unit covering this share of a cell gives the cell its
 * material outright ("lock"); below it, the units' conductances add in parallel, each scaled by
 * its share (new_blist(), blist_append()). */
#define HS_OCCUPANCY_LOCK 0.95
/* util.h DELTA: tolerance of eq(), tolerant_ceil() and tolerant_floor(). */
#define HS_DELTA 1.0e-6

static int hs_tfloor(double v)
{
    double n = floor(v + 0.5);
    return fabs(v - n) < HS_DELTA ? (int)n : (int)floor(v);
}

static int hs_tceil(double v)
{
    double n = floor(v + 0.5);
    return fabs(v - n) < HS_DELTA ? (int)n : (int)ceil(v);
}

/* -detailed_3D on: per-cell conductivity k_cell and heat capacity cap_cell (J/K) of one layer
 * from its floorplan, exactly as set_bgmap() builds the cell values that find_res_3D() and
 * find_cap_3D() return.  Units are visited in file order over the cells they touch; a cell takes
 * the first unit covering >= 95 % of it, else the sum of occupancy x k of the units touching it
 * (so a cell only partly covered conducts less), and its heat capacity is the locking unit's or
 * else the layer's.  Every cell must be touched: HotSpot dereferences a NULL cell list
 * otherwise.  Rows here count from the south; HotSpot's row i is our row rows-1-i. */
static sip_status_t hs_detailed_cells(const sip_thermal_model_t *m, const hs_flp_t *flp, const char *flp_path, int layer,
                                      double minx, double miny, double *k_cell, double *cap_cell, sip_error_t *err)
{
    const sip_thermal_layer_t *L = &m->layers[layer];
    int rows = m->rows, cols = m->cols;
    double w = m->width_mm * 1e-3, h = m->height_mm * 1e-3, cw = w / cols, ch = h / rows, t = L->thickness_um * 1e-6;
    size_t n = (size_t)rows * cols;
    unsigned char *state = calloc(n, 1); /* 0 untouched, 1 shared, 2 locked */
    if (!state)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (detailed_3D cells)");
    for (size_t k = 0; k < n; k++)
        k_cell[k] = 0.0;
    sip_status_t st = SIP_OK;
    for (int u = 0; u < flp->n && st == SIP_OK; u++) {
        const hs_unit_t *U = &flp->u[u];
        double lu = U->x_m - minx, ru = lu + U->w_m, bu = U->y_m - miny, tu = bu + U->h_m;
        /* far outside (or NaN): refuse before the cell indices are converted to int */
        if (!(lu / cw >= -1.0 && bu / ch >= -1.0 && ru / cw <= cols + 1.0 && tu / ch <= rows + 1.0)) {
            st = sip_error_set(err, SIP_EINVAL, flp_path, U->line, "unit '%s' lies outside the layer's footprint", U->name);
            break;
        }
        int i1 = rows - hs_tceil(tu / ch), i2 = rows - hs_tfloor(bu / ch);
        int j1 = hs_tfloor(lu / cw), j2 = hs_tceil(ru / cw);
        if (i1 < 0 || j1 < 0 || i2 > rows || j2 > cols || i1 >= i2 || j1 >= j2) {
            st = sip_error_set(err, SIP_EINVAL, flp_path, U->line, "unit '%s' lies outside the layer's footprint", U->name);
            break;
        }
        double k_u = U->has_material ? 1.0 / U->res : L->k_w_per_mk;
        double sp_u = U->has_material ? U->sp : L->heat_capacity_j_per_m3k;
        for (int i = i1; i < i2; i++) {
            for (int j = j1; j < j2; j++) {
                double occ = 1.0;
                if (!(i > i1 && i < i2 - 1 && j > j1 && j < j2 - 1)) {
                    double tc = h - i * ch, bc = h - (i + 1) * ch, lc = j * cw, rc = (j + 1) * cw;
                    double oh = fmin(tu, tc) - fmax(bu, bc), ow = fmin(ru, rc) - fmax(lu, lc);
                    if (fabs(oh / ch) < HS_DELTA)
                        oh = 0.0;
                    else if (fabs(oh / ch - 1.0) < HS_DELTA)
                        oh = ch;
                    if (fabs(ow / cw) < HS_DELTA)
                        ow = 0.0;
                    else if (fabs(ow / cw - 1.0) < HS_DELTA)
                        ow = cw;
                    occ = oh * ow / (ch * cw);
                }
                size_t cell = (size_t)(rows - 1 - i) * cols + j;
                if (state[cell] == 2)
                    continue;
                if (occ >= HS_OCCUPANCY_LOCK) {
                    state[cell] = 2;
                    k_cell[cell] = k_u;
                    cap_cell[cell] = sp_u * t * cw * ch;
                } else {
                    state[cell] = 1;
                    k_cell[cell] += k_u * occ;
                }
            }
        }
    }
    for (size_t k = 0; k < n && st == SIP_OK; k++) {
        if (state[k] == 0 || !(k_cell[k] > 0.0))
            st = sip_error_set(err, SIP_EINVAL, flp_path, 0, "-detailed_3D on: grid cell (row %zu, column %zu from the south-west) "
                               "is covered by no unit of this floorplan (HotSpot needs a unit over every cell)", k / cols, k % cols);
        else if (state[k] == 1)
            cap_cell[k] = L->heat_capacity_j_per_m3k * t * cw * ch; /* find_cap_3D(): the layer's */
    }
    free(state);
    return st;
}

typedef struct {
    hs_flp_t flp[SIP_THERMAL_MAX_STACK];
    hs_lcf_layer_t lcf[SIP_MAX_LAYERS];
    char (*names)[SIP_NAME_MAX];
    double *rows;
} hs_inputs_t;

sip_status_t sip_thermal_model_create_hotspot(const char *dir, const char *config, const char *const *opts, int n_opts,
                                              int grid_rows, int grid_cols, sip_thermal_model_t **out, sip_error_t *err)
{
    *out = NULL;
    hs_config_t c;
    hs_config_defaults(&c);
    if (config)
        SIP_TRY(hs_read_config(&c, config, err));
    if (n_opts % 2)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "HotSpot options come in '-name value' pairs");
    for (int i = 0; i < n_opts; i += 2)
        SIP_TRY(hs_set(&c, opts[i], opts[i + 1], NULL, 0, err));
    if (grid_rows > 0)
        c.grid_rows = grid_rows;
    if (grid_cols > 0)
        c.grid_cols = grid_cols;
    /* Lengths, conductivities, heat capacities and the convection terms must be positive: a zero
     * gives an infinite conductance and NaN temperatures (found by fuzz/: `-r_convec 0.`). */
    for (size_t i = 0; i < sizeof hs_double_keys / sizeof hs_double_keys[0]; i++) {
        size_t off = hs_double_keys[i].offset;
        double v = *(const double *)((const char *)&c + off);
        if (off != offsetof(hs_config_t, ambient_k) && off != offsetof(hs_config_t, thermal_threshold_k) &&
            !(v > 0))
            return sip_error_set(err, SIP_EINVAL, NULL, 0, "-%s %g (expected > 0)", hs_double_keys[i].name, v);
    }
    if (!c.ptrace[0])
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "HotSpot case needs a power trace (-p)");

    hs_inputs_t in;
    memset(&in, 0, sizeof in);
    sip_thermal_model_t *m = NULL;
    sip_status_t st = SIP_OK;
    char path[SIP_PATH_MAX];
    int n_chip_layers = 0, n_names = 0, n_rows = 0;
    double *kcell = NULL, *capcell = NULL;
    sip_thermal_layer_t layers[SIP_THERMAL_MAX_STACK];
    memset(layers, 0, sizeof layers);

    if (c.lcf[0]) {
        join_path(path, dir, c.lcf);
        if ((st = hs_read_lcf(path, in.lcf, &n_chip_layers, err)) != SIP_OK)
            goto out;
        for (int l = 0; l < n_chip_layers; l++) {
            snprintf(layers[l].name, SIP_NAME_MAX, "layer%d", l);
            layers[l].thickness_um = in.lcf[l].t_m * 1e6;
            layers[l].k_w_per_mk = 1.0 / in.lcf[l].res;
            layers[l].heat_capacity_j_per_m3k = in.lcf[l].sp;
            layers[l].lateral = in.lcf[l].lateral;
            layers[l].has_power = in.lcf[l].power;
            join_path(path, dir, in.lcf[l].flp);
            if ((st = hs_read_flp(path, &in.flp[l], err)) != SIP_OK)
                goto out;
        }
    } else if (c.detailed_3d) {
        st = sip_error_set(err, SIP_EINVAL, config, 0, "-detailed_3D on needs a layer file (-grid_layer_file), as in HotSpot");
        goto out;
    } else {
        /* populate_default_layers(): silicon (power) under the interface material, one floorplan */
        if (!c.flp[0]) {
            st = sip_error_set(err, SIP_EINVAL, NULL, 0, "HotSpot case needs a floorplan (-f) or a layer file (-grid_layer_file)");
            goto out;
        }
        n_chip_layers = 2;
        layers[0] = (sip_thermal_layer_t){"silicon", c.t_chip * 1e6, c.k_chip, c.p_chip, true, true};
        layers[1] = (sip_thermal_layer_t){"interface", c.t_interface * 1e6, c.k_interface, c.p_interface, true, false};
        join_path(path, dir, c.flp);
        if ((st = hs_read_flp(path, &in.flp[0], err)) != SIP_OK)
            goto out;
    }
    /* append_package_layers() */
    int sp = n_chip_layers, hs = n_chip_layers + 1;
    layers[sp] = (sip_thermal_layer_t){"spreader", c.t_spreader * 1e6, c.k_spreader, c.p_spreader, true, false};
    layers[hs] = (sip_thermal_layer_t){"sink", c.t_sink * 1e6, c.k_sink, c.p_sink, true, false};

    /* footprint: the first layer's floorplan bounding box (HotSpot requires every layer to match) */
    double minx = 1e300, miny = 1e300, maxx = -1e300, maxy = -1e300;
    for (int u = 0; u < in.flp[0].n; u++) {
        const hs_unit_t *U = &in.flp[0].u[u];
        minx = fmin(minx, U->x_m);
        miny = fmin(miny, U->y_m);
        maxx = fmax(maxx, U->x_m + U->w_m);
        maxy = fmax(maxy, U->y_m + U->h_m);
    }
    double w_m = maxx - minx, h_m = maxy - miny;
    if (w_m > c.s_spreader || h_m > c.s_spreader || w_m > c.s_sink || h_m > c.s_sink || c.s_sink < c.s_spreader) {
        st = sip_error_set(err, SIP_EINVAL, config, 0, "floorplan %.4g x %.4g m does not fit the spreader (%.4g m) and sink (%.4g m) "
                           "(HotSpot: inordinate floorplan size)%s", w_m, h_m, c.s_spreader, c.s_sink,
                           config ? "" : "; no config file was given, so these are HotSpot's code defaults");
        goto out;
    }
    if ((st = sip__thermal_model_alloc(c.grid_rows, c.grid_cols, n_chip_layers + 2, HS_EXTRA, &m, err)) != SIP_OK)
        goto out;
    m->hotspot = true;
    memcpy(m->layers, layers, sizeof layers);
    m->x0_mm = minx * 1e3;
    m->y0_mm = miny * 1e3;
    m->width_mm = w_m * 1e3;
    m->height_mm = h_m * 1e3;
    m->ambient_c = c.ambient_k - 273.15;
    m->tj_max_c = c.thermal_threshold_k - 273.15; /* HotSpot's own limit (DTM threshold) */
    m->c_j_per_k = calloc((size_t)m->n_nodes, sizeof *m->c_j_per_k);
    if (!m->c_j_per_k) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory");
        goto out;
    }

    /* populate_R_model_grid(): per-layer rx, ry, rz; sink rz carries its share of r_convec.
     * find_res(), default mode: layers n and n+1 couple through the full rz of layer n.
     * -detailed_3D on: the chip layers' cells carry their own k (hs_detailed_cells()), lateral
     * couplings use them even in a layer marked "N" (find_res_3D() reads the cell, not the
     * layer's LARGENUM), and layers n, n+1 couple through rz_n/2 + rz_n+1/2, or rz_0 + rz_1/2
     * from layer 0.  The sink's rz keeps its convection share in that sum, so half of it is
     * counted again between spreader and sink: shared/peers/hotspot/results.md §4.4 measures
     * +50 K on case b from this.  HotSpot mode reproduces it; the native model does not. */
    double cw = w_m / m->cols, ch = h_m / m->rows, A = cw * ch;
    size_t ncell = (size_t)m->rows * m->cols;
    if (c.detailed_3d) {
        kcell = malloc((size_t)n_chip_layers * ncell * sizeof *kcell);
        capcell = malloc((size_t)n_chip_layers * ncell * sizeof *capcell);
        if (!kcell || !capcell) {
            st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (detailed_3D cells)");
            goto out;
        }
        for (int l = 0; l < n_chip_layers; l++) {
            join_path(path, dir, in.lcf[l].flp);
            if ((st = hs_detailed_cells(m, &in.flp[l], path, l, minx, miny, kcell + (size_t)l * ncell, capcell + (size_t)l * ncell,
                                        err)) != SIP_OK)
                goto out;
            m->layers[l].lateral = true;
        }
    }
    for (int l = 0; l < m->n_layers; l++) {
        const double *kc = c.detailed_3d && l < n_chip_layers ? kcell + (size_t)l * ncell : NULL;
        if ((st = sip__thermal_add_lateral(m, l, kc, err)) != SIP_OK)
            goto out;
        double t = m->layers[l].thickness_um * 1e-6;
        double cap = m->layers[l].heat_capacity_j_per_m3k * t * A; /* populate_C_model_grid() */
        double conv = l == hs ? c.r_convec * c.s_sink * c.s_sink / A : 0.0;
        if (l == hs)
            cap += HS_C_FACTOR * c.c_convec * A / (c.s_sink * c.s_sink);
        for (int r = 0; r < m->rows; r++)
            for (int col = 0; col < m->cols; col++) {
                size_t cell = (size_t)r * m->cols + col;
                int node = sip__thermal_node(m, l, r, col);
                double rz = getr(kc ? kc[cell] : m->layers[l].k_w_per_mk, t, A) + conv;
                m->c_j_per_k[node] = kc ? capcell[(size_t)l * ncell + cell] : cap;
                if (l + 1 == m->n_layers) {
                    m->g_amb[node] = 1.0 / rz;
                    continue;
                }
                double R = rz;
                if (c.detailed_3d) {
                    const double *ku = l + 1 < n_chip_layers ? kcell + (size_t)(l + 1) * ncell : NULL;
                    double t_up = m->layers[l + 1].thickness_um * 1e-6;
                    double rz_up = getr(ku ? ku[cell] : m->layers[l + 1].k_w_per_mk, t_up, A) +
                                   (l + 1 == hs ? c.r_convec * c.s_sink * c.s_sink / A : 0.0);
                    R = (l == 0 ? rz : rz / 2.0) + rz_up / 2.0;
                }
                if ((st = sip__thermal_edge_add(m, node, sip__thermal_node(m, l + 1, r, col), 1.0 / R, err)) != SIP_OK)
                    goto out;
            }
    }
    if ((st = hs_add_package(m, &c, sp, hs, err)) != SIP_OK)
        goto out;

    /* dies = the units of every power layer; steady power = the trace's average (hotspot.c) */
    join_path(path, dir, c.ptrace);
    if ((st = sip_thermal_read_ptrace(path, &in.names, &n_names, &in.rows, &n_rows, err)) != SIP_OK)
        goto out;
    int n_dies = 0;
    for (int l = 0; l < n_chip_layers; l++)
        if (layers[l].has_power)
            n_dies += in.flp[l].n;
    m->dies = calloc((size_t)n_dies + 1, sizeof *m->dies);
    m->default_power = calloc((size_t)n_dies + 1, sizeof *m->default_power);
    if (!m->dies || !m->default_power) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory");
        goto out;
    }
    m->power_layer = -1;
    for (int l = 0; l < n_chip_layers; l++) {
        if (!layers[l].has_power)
            continue;
        if (m->power_layer < 0)
            m->power_layer = l;
        for (int u = 0; u < in.flp[l].n; u++) {
            const hs_unit_t *U = &in.flp[l].u[u];
            thermal_die_t *d = &m->dies[m->n_dies++];
            memcpy(d->name, U->name, sizeof d->name);
            d->x0_mm = U->x_m * 1e3;
            d->y0_mm = U->y_m * 1e3;
            d->x1_mm = (U->x_m + U->w_m) * 1e3;
            d->y1_mm = (U->y_m + U->h_m) * 1e3;
            d->layer = l;
            if ((st = sip__thermal_die_add_rect(m, d, d->x0_mm, d->y0_mm, d->x1_mm, d->y1_mm, 1.0, true, err)) != SIP_OK ||
                (st = sip__thermal_die_add_rect(m, d, d->x0_mm, d->y0_mm, d->x1_mm, d->y1_mm, -1.0, true, err)) != SIP_OK)
                goto out;
        }
    }
    if (m->power_layer < 0) {
        st = sip_error_set(err, SIP_EINVAL, c.lcf, 0, "no layer dissipates power");
        goto out;
    }
    for (int k = 0; k < n_names; k++) {
        int d = 0;
        while (d < m->n_dies && strcmp(m->dies[d].name, in.names[k]) != 0)
            d++;
        if (d == m->n_dies) {
            st = sip_error_set(err, SIP_ENOTFOUND, c.ptrace, 1, "unit '%s' is in no power layer's floorplan", in.names[k]);
            goto out;
        }
        double sum = 0.0;
        for (int r = 0; r < n_rows; r++)
            sum += in.rows[(size_t)r * n_names + k];
        m->dies[d].default_power_w = m->default_power[d] = sum / n_rows;
    }
out:
    free(kcell);
    free(capcell);
    for (int l = 0; l < SIP_THERMAL_MAX_STACK; l++)
        free(in.flp[l].u);
    free(in.names);
    free(in.rows);
    if (st != SIP_OK) {
        sip_thermal_model_destroy(m);
        return st;
    }
    *out = m;
    return SIP_OK;
}
