/* An ONNX model graph read into a kernel sequence (include/sipsim/import.h).  The file is a
 * protobuf ModelProto; its C reader is generated at build time by protoc-c from Debian's
 * onnx.proto (libonnx-dev), see src/kernels/meson.build.
 *
 * The graph is walked in node order (onnx.proto: "nodes ... MUST be topologically sorted"),
 * shapes inferred from the graph inputs and initializers with the operator definitions of
 * onnx/docs/Operators.md; a node whose shape this file does not infer takes its outputs from
 * value_info when the model carries them.  Small int64 tensors (shapes being computed:
 * Shape -> Gather -> Concat -> Reshape, as exporters write them) are carried by value and fold
 * away.  Then a second pass fuses MatMul(Q, K^T) [Div|Mul|Add|Sub] Softmax MatMul(., V) into
 * one attention kernel.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/onnx.pb-c.h"
#include "sipsim/import.h"

#define MAX_RANK 8
/* int64 tensors up to this many values are carried by value (shape arithmetic). */
#define MAX_VALS 16
/* Sanity bound on one tensor's elements (2^50): beyond any real model, far inside double's
 * exact integers, so products of dimensions never overflow int64. */
#define MAX_ELEMS (INT64_C(1) << 50)
#define MAX_KOPS_PER_NODE 2
/* Softmax over a row: max, exp and sum, scale (the attention kernel's count, kernel.c). */
#define SOFTMAX_PASSES 3.0
/* Inference BatchNormalization folds its statistics: one multiply and one add per element. */
#define BATCHNORM_OPS 2.0

static const char *const kop_names[] = {"gemm", "attention", "norm", "elementwise"};

const char *sip_kop_kind_name(sip_kop_kind_t kind)
{
    return (unsigned)kind < SIP_KOP_COUNT ? kop_names[kind] : "?";
}

void sip_kernel_seq_fini(sip_kernel_seq_t *seq)
{
    if (!seq)
        return;
    free(seq->ops);
    seq->ops = NULL;
    seq->n_ops = 0;
}

/* ------------------------------------------------------------------ tensors */

typedef struct {
    const char *name;
    int rank;                   /* -1: not known */
    int64_t dims[MAX_RANK];
    const char *unknown_dim;    /* why not known (a symbolic dimension's name), or NULL */
    bool weight;                /* initializer */
    bool input;                 /* graph input that is not an initializer */
    bool defined;               /* produced (or given) before the current node */
    int n_vals;                 /* -1: values not known */
    int64_t vals[MAX_VALS];
    int producer;               /* node index, -1 for inputs and initializers */
    int consumers;
    const Onnx__ValueInfoProto *vi;
} tensor_t;

typedef struct {
    int n_kops;
    sip_kop_t kops[MAX_KOPS_PER_NODE];
    bool shape_only;
    bool fused;
    sip_kop_t fused_kop;        /* set on the last node of a fused pattern */
    bool has_fused_kop;
} node_info_t;

typedef struct {
    const char *path;
    const sip_onnx_options_t *opts;
    sip_error_t *err;
    const Onnx__GraphProto *g;
    tensor_t *t;
    int n_t, cap_t;
    int *slots;                 /* hash table of tensor indices, -1 empty */
    size_t n_slots;             /* power of two */
    node_info_t *info;
    int cur;                    /* node being read */
    int64_t opset;              /* version of the default operator set */
} ctx_t;

static const char *str(const char *s)
{
    return s ? s : "";
}

static uint64_t hash_name(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static tensor_t *find(const ctx_t *c, const char *name)
{
    for (size_t i = hash_name(name) & (c->n_slots - 1);; i = (i + 1) & (c->n_slots - 1)) {
        if (c->slots[i] < 0)
            return NULL;
        if (strcmp(c->t[c->slots[i]].name, name) == 0)
            return &c->t[c->slots[i]];
    }
}

/* The tensor called name, created when absent (capacity sized from the graph up front). */
static tensor_t *get(ctx_t *c, const char *name)
{
    size_t i = hash_name(name) & (c->n_slots - 1);
    for (; c->slots[i] >= 0; i = (i + 1) & (c->n_slots - 1))
        if (strcmp(c->t[c->slots[i]].name, name) == 0)
            return &c->t[c->slots[i]];
    if (c->n_t == c->cap_t)
        return NULL; /* cannot happen: cap counts every name the graph can hold */
    tensor_t *t = &c->t[c->n_t];
    memset(t, 0, sizeof *t);
    t->name = name;
    t->rank = -1;
    t->n_vals = -1;
    t->producer = -1;
    c->slots[i] = c->n_t++;
    return t;
}

static const char *node_name(const ctx_t *c, int idx, char *buf, size_t size)
{
    const Onnx__NodeProto *n = c->g->node[idx];
    if (n->name && n->name[0])
        snprintf(buf, size, "%s", n->name);
    else
        snprintf(buf, size, "#%d", idx);
    return buf;
}

static sip_status_t fail(const ctx_t *c, sip_status_t st, const char *fmt, ...) SIP_PRINTF(3, 4);
static sip_status_t fail(const ctx_t *c, sip_status_t st, const char *fmt, ...)
{
    char msg[SIP_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->cur < 0)
        return sip_error_set(c->err, st, c->path, 0, "%s", msg);
    char nm[SIP_NAME_MAX];
    return sip_error_set(c->err, st, c->path, 0, "node '%s' (index %d, %s): %s",
                         node_name(c, c->cur, nm, sizeof nm), c->cur,
                         str(c->g->node[c->cur]->op_type), msg);
}

static int64_t elems_of(const tensor_t *t)
{
    int64_t n = 1;
    for (int i = 0; i < t->rank; i++)
        n *= t->dims[i];
    return n;
}

static void fmt_dims(const tensor_t *t, char *buf, size_t size)
{
    size_t u = 0;
    buf[0] = '\0';
    u += (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < t->rank && u < size; i++)
        u += (size_t)snprintf(buf + u, size - u, "%s%lld", i ? ", " : "", (long long)t->dims[i]);
    if (u < size)
        snprintf(buf + u, size - u, "]");
}

static sip_status_t check_elems(const ctx_t *c, const tensor_t *t);

/* Dims from a TypeProto (value_info, graph inputs), symbolic ones from the bindings. */
static sip_status_t dims_from_type(ctx_t *c, const Onnx__ValueInfoProto *vi, tensor_t *t)
{
    const Onnx__TypeProto *tp = vi->type;
    if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type ||
        !tp->tensor_type->shape) {
        t->unknown_dim = "(no shape)";
        return SIP_OK;
    }
    const Onnx__TensorShapeProto *sh = tp->tensor_type->shape;
    if (sh->n_dim > MAX_RANK)
        return fail(c, SIP_EUNSUPPORTED, "tensor '%s' has rank %zu (expected at most %d)",
                    t->name, sh->n_dim, MAX_RANK);
    int64_t dims[MAX_RANK];
    for (size_t i = 0; i < sh->n_dim; i++) {
        const Onnx__TensorShapeProto__Dimension *d = sh->dim[i];
        if (d && d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
            d->dim_value >= 0) {
            dims[i] = d->dim_value;
            continue;
        }
        const char *param = d && d->value_case ==
                                     ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM
                                ? str(d->dim_param)
                                : "";
        bool bound = false;
        for (int b = 0; param[0] && c->opts && b < c->opts->n_dims; b++) {
            const char *eq = strchr(c->opts->dims[b], '=');
            if (eq && (size_t)(eq - c->opts->dims[b]) == strlen(param) &&
                strncmp(c->opts->dims[b], param, strlen(param)) == 0) {
                char *end;
                long long v = strtoll(eq + 1, &end, 10);
                if (end == eq + 1 || *end || v < 1)
                    return fail(c, SIP_EINVAL, "binding '%s' (expected NAME=N, N >= 1)",
                                c->opts->dims[b]);
                dims[i] = v;
                bound = true;
            }
        }
        if (!bound) {
            t->unknown_dim = param[0] ? param : "(unnamed)";
            return SIP_OK;
        }
    }
    t->rank = (int)sh->n_dim;
    memcpy(t->dims, dims, sh->n_dim * sizeof dims[0]);
    return check_elems(c, t);
}

static sip_status_t check_elems(const ctx_t *c, const tensor_t *t)
{
    double n = 1.0;
    for (int i = 0; i < t->rank; i++) {
        if (t->dims[i] < 0)
            return fail(c, SIP_EINVAL, "tensor '%s' dimension %d is %lld (expected >= 0)",
                        t->name, i, (long long)t->dims[i]);
        n *= (double)t->dims[i];
    }
    if (n > (double)MAX_ELEMS)
        return fail(c, SIP_ELIMIT, "tensor '%s' has %.3g elements (expected at most 2^50)",
                    t->name, n);
    return SIP_OK;
}

/* Int64 contents of a small initializer or Constant (raw little-endian or int64_data). */
static void tensor_vals(const Onnx__TensorProto *tp, tensor_t *t)
{
    if (!tp->has_data_type || tp->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__INT64)
        return;
    const int64_t n = elems_of(t);
    if (n > MAX_VALS || t->rank > 1)
        return;
    if (tp->n_int64_data == (size_t)n) {
        for (int64_t i = 0; i < n; i++)
            t->vals[i] = tp->int64_data[i];
        t->n_vals = (int)n;
    } else if (tp->has_raw_data && tp->raw_data.len == (size_t)n * 8) {
        for (int64_t i = 0; i < n; i++) {
            uint64_t v = 0;
            for (int b = 7; b >= 0; b--)
                v = v << 8 | tp->raw_data.data[i * 8 + b];
            t->vals[i] = (int64_t)v;
        }
        t->n_vals = (int)n;
    }
}

static sip_status_t tensor_from_proto(ctx_t *c, const Onnx__TensorProto *tp, tensor_t *t)
{
    if (tp->n_dims > MAX_RANK)
        return fail(c, SIP_EUNSUPPORTED, "tensor '%s' has rank %zu (expected at most %d)",
                    t->name, tp->n_dims, MAX_RANK);
    t->rank = (int)tp->n_dims;
    for (size_t i = 0; i < tp->n_dims; i++)
        t->dims[i] = tp->dims[i];
    SIP_TRY(check_elems(c, t));
    tensor_vals(tp, t);
    return SIP_OK;
}

/* ------------------------------------------------------------------ node helpers */

static const Onnx__AttributeProto *attr(const Onnx__NodeProto *n, const char *name)
{
    for (size_t i = 0; i < n->n_attribute; i++)
        if (n->attribute[i] && strcmp(str(n->attribute[i]->name), name) == 0)
            return n->attribute[i];
    return NULL;
}

static int64_t attr_int(const Onnx__NodeProto *n, const char *name, int64_t dflt)
{
    const Onnx__AttributeProto *a = attr(n, name);
    return a && a->has_i ? a->i : dflt;
}

static size_t attr_ints(const Onnx__NodeProto *n, const char *name, const int64_t **out)
{
    const Onnx__AttributeProto *a = attr(n, name);
    *out = a ? a->ints : NULL;
    return a ? a->n_ints : 0;
}

static bool attr_str_is(const Onnx__NodeProto *n, const char *name, const char *value)
{
    const Onnx__AttributeProto *a = attr(n, name);
    if (!a || !a->has_s)
        return false;
    return a->s.len == strlen(value) && memcmp(a->s.data, value, a->s.len) == 0;
}

/* Input i of the current node: NULL for an absent optional input (""), an error for a name
 * nothing defined before this node. */
static sip_status_t input(ctx_t *c, int i, bool required, tensor_t **out)
{
    const Onnx__NodeProto *n = c->g->node[c->cur];
    *out = NULL;
    if ((size_t)i >= n->n_input || !n->input[i] || !n->input[i][0]) {
        if (required)
            return fail(c, SIP_EINVAL, "missing input %d (expected %s)", i,
                        i == 0 ? "a data input" : "the operator's inputs");
        return SIP_OK;
    }
    tensor_t *t = find(c, n->input[i]);
    if (!t || !t->defined)
        return fail(c, SIP_EINVAL, "input '%s' is produced by no earlier node (expected a graph "
                    "input, an initializer or an output of a node before this one)",
                    n->input[i]);
    *out = t;
    return SIP_OK;
}

/* An input whose shape must be known. */
static sip_status_t known(ctx_t *c, int i, tensor_t **out)
{
    SIP_TRY(input(c, i, true, out));
    tensor_t *t = *out;
    if (t->rank < 0) {
        if (t->unknown_dim && strcmp(t->unknown_dim, "(no shape)") != 0)
            return fail(c, SIP_EINVAL, "input '%s' has symbolic dimension '%s' (expected a "
                        "number: bind it, e.g. --onnx-dim %s=1)", t->name, t->unknown_dim,
                        t->unknown_dim);
        return fail(c, SIP_EINVAL, "input '%s' has an unknown shape (expected a shape this "
                    "reader infers, or a value_info entry for it)", t->name);
    }
    return SIP_OK;
}

static tensor_t *output(ctx_t *c, int i)
{
    const Onnx__NodeProto *n = c->g->node[c->cur];
    if ((size_t)i >= n->n_output || !n->output[i] || !n->output[i][0])
        return NULL;
    return find(c, n->output[i]);
}

static sip_status_t set_out(ctx_t *c, int i, int rank, const int64_t *dims)
{
    tensor_t *t = output(c, i);
    if (!t)
        return SIP_OK;
    if (rank > MAX_RANK)
        return fail(c, SIP_EUNSUPPORTED, "output '%s' of rank %d (expected at most %d)",
                    t->name, rank, MAX_RANK);
    t->rank = rank;
    if (rank > 0)
        memcpy(t->dims, dims, (size_t)rank * sizeof *dims);
    return check_elems(c, t);
}

static sip_status_t same_as(ctx_t *c, int out_i, const tensor_t *in)
{
    SIP_TRY(set_out(c, out_i, in->rank, in->dims));
    tensor_t *o = output(c, out_i);
    if (o && in->n_vals >= 0) {
        o->n_vals = in->n_vals;
        memcpy(o->vals, in->vals, sizeof o->vals);
    }
    return SIP_OK;
}

static sip_kop_t *new_kop(ctx_t *c, sip_kop_kind_t kind)
{
    node_info_t *ni = &c->info[c->cur];
    sip_kop_t *k = &ni->kops[ni->n_kops++];
    memset(k, 0, sizeof *k);
    k->kind = kind;
    node_name(c, c->cur, k->name, sizeof k->name);
    snprintf(k->op_type, sizeof k->op_type, "%s", str(c->g->node[c->cur]->op_type));
    k->node = c->cur;
    k->n_nodes = 1;
    return k;
}

static void elementwise(ctx_t *c, int64_t elems, double ops, int n_inputs, bool reads_hbm)
{
    if (elems <= 0)
        return; /* an empty tensor costs nothing */
    sip_kop_t *k = new_kop(c, SIP_KOP_ELEMENTWISE);
    k->elems = elems;
    k->ops_per_elem = ops;
    k->n_inputs = n_inputs;
    k->a_from_input = reads_hbm;
    k->out_elems = (double)elems;
}

static int norm_axis(int64_t axis, int rank)
{
    return (int)(axis < 0 ? axis + rank : axis);
}

/* numpy broadcasting of two shapes into out (Operators.md "Broadcasting"). */
static sip_status_t broadcast(ctx_t *c, const int64_t *a, int ra, const int64_t *b, int rb,
                              int64_t *out, int *ro)
{
    const int r = ra > rb ? ra : rb;
    for (int i = 0; i < r; i++) {
        const int64_t da = i - (r - ra) >= 0 ? a[i - (r - ra)] : 1;
        const int64_t db = i - (r - rb) >= 0 ? b[i - (r - rb)] : 1;
        if (da != db && da != 1 && db != 1)
            return fail(c, SIP_EINVAL, "dimension %d: %lld and %lld do not broadcast (expected "
                        "equal sizes or 1)", i, (long long)da, (long long)db);
        out[i] = da == 1 ? db : da;
    }
    *ro = r;
    return SIP_OK;
}

/* ------------------------------------------------------------------ operators */

static sip_status_t op_matmul(ctx_t *c)
{
    tensor_t *a, *b;
    SIP_TRY(known(c, 0, &a));
    SIP_TRY(known(c, 1, &b));
    if (a->rank < 1 || b->rank < 1)
        return fail(c, SIP_EINVAL, "operands of rank %d and %d (expected >= 1)", a->rank,
                    b->rank);
    /* Operators.md MatMul: numpy.matmul (rank-1 operands are promoted and the added axis
     * removed again). */
    const int64_t m = a->rank == 1 ? 1 : a->dims[a->rank - 2], k = a->dims[a->rank - 1];
    const int64_t k2 = b->rank == 1 ? b->dims[0] : b->dims[b->rank - 2];
    const int64_t n = b->rank == 1 ? 1 : b->dims[b->rank - 1];
    if (k != k2) {
        char da[128], db[128];
        fmt_dims(a, da, sizeof da);
        fmt_dims(b, db, sizeof db);
        return fail(c, SIP_EINVAL, "inner dimensions differ: '%s' %s x '%s' %s (expected "
                    "A [..., M, K] x B [..., K, N])", a->name, da, b->name, db);
    }
    int64_t bd[MAX_RANK], od[MAX_RANK];
    int rb_batch, ro = 0;
    const int ra_batch = a->rank > 2 ? a->rank - 2 : 0, rbb = b->rank > 2 ? b->rank - 2 : 0;
    SIP_TRY(broadcast(c, a->dims, ra_batch, b->dims, rbb, bd, &rb_batch));
    int64_t batch = 1, b_batch = 1;
    double batch_d = 1.0;
    for (int i = 0; i < rb_batch; i++) {
        batch_d *= (double)bd[i];
        od[ro++] = bd[i];
    }
    if (batch_d > (double)MAX_ELEMS)
        return fail(c, SIP_ELIMIT, "%.3g batched products (expected at most 2^50)", batch_d);
    for (int i = 0; i < rb_batch; i++)
        batch *= bd[i];
    for (int i = 0; i < rbb; i++)
        b_batch *= b->dims[i];
    if (a->rank > 1)
        od[ro++] = m;
    if (b->rank > 1)
        od[ro++] = n;
    SIP_TRY(set_out(c, 0, ro, od));
    if (batch == 0 || m == 0 || n == 0 || k == 0)
        return SIP_OK;
    sip_kop_t *kp = new_kop(c, SIP_KOP_GEMM);
    kp->b_is_weight = b->weight;
    kp->a_from_input = a->input;
    kp->b_from_input = b->input;
    if (b_batch == 1) {
        /* One B for every batch member (a linear layer over tokens): stack the rows. */
        kp->batch = 1;
        kp->m = batch * m;
    } else {
        kp->batch = batch;
        kp->m = m;
    }
    kp->n = n;
    kp->k = k;
    kp->macs = (double)batch * m * n * k;
    kp->a_hbm_elems = (double)batch * m * k;
    kp->out_elems = (double)batch * m * n;
    return SIP_OK;
}

static sip_status_t op_gemm(ctx_t *c)
{
    tensor_t *a, *b, *bias;
    SIP_TRY(known(c, 0, &a));
    SIP_TRY(known(c, 1, &b));
    SIP_TRY(input(c, 2, false, &bias));
    if (a->rank != 2 || b->rank != 2)
        return fail(c, SIP_EINVAL, "operands of rank %d and %d (expected 2-D A and B)", a->rank,
                    b->rank);
    const Onnx__NodeProto *nd = c->g->node[c->cur];
    const bool ta = attr_int(nd, "transA", 0) != 0, tb = attr_int(nd, "transB", 0) != 0;
    const int64_t m = ta ? a->dims[1] : a->dims[0], k = ta ? a->dims[0] : a->dims[1];
    const int64_t k2 = tb ? b->dims[1] : b->dims[0], n = tb ? b->dims[0] : b->dims[1];
    if (k != k2)
        return fail(c, SIP_EINVAL, "inner dimensions differ: %lld and %lld (expected A' [M, K] "
                    "x B' [K, N] after transA %d, transB %d)", (long long)k, (long long)k2, ta,
                    tb);
    const int64_t od[2] = {m, n};
    SIP_TRY(set_out(c, 0, 2, od));
    if (m == 0 || n == 0 || k == 0)
        return SIP_OK;
    sip_kop_t *kp = new_kop(c, SIP_KOP_GEMM);
    kp->batch = 1;
    kp->m = m;
    kp->n = n;
    kp->k = k;
    kp->b_is_weight = b->weight;
    kp->a_from_input = a->input;
    kp->b_from_input = b->input;
    kp->macs = (double)m * n * k;
    kp->a_hbm_elems = (double)m * k;
    kp->out_elems = (double)m * n;
    /* + beta C: one add per output element (alpha, beta scalings fold into it). */
    if (bias)
        elementwise(c, m * n, 1.0, 2, false);
    return SIP_OK;
}

/* Output size of a sliding window (Conv, pools; Operators.md Conv/MaxPool). */
static sip_status_t window_out(ctx_t *c, const tensor_t *x, const int64_t *kernel, int64_t *out)
{
    const Onnx__NodeProto *nd = c->g->node[c->cur];
    const int sp = x->rank - 2;
    const int64_t *strides, *pads, *dil;
    const size_t ns = attr_ints(nd, "strides", &strides), np = attr_ints(nd, "pads", &pads),
                 nd_ = attr_ints(nd, "dilations", &dil);
    if ((ns && ns != (size_t)sp) || (np && np != 2 * (size_t)sp) || (nd_ && nd_ != (size_t)sp))
        return fail(c, SIP_EINVAL, "strides/pads/dilations of %zu/%zu/%zu values (expected %d, "
                    "%d and %d for %d spatial axes)", ns, np, nd_, sp, 2 * sp, sp, sp);
    const bool same = attr_str_is(nd, "auto_pad", "SAME_UPPER") ||
                      attr_str_is(nd, "auto_pad", "SAME_LOWER");
    const bool valid = attr_str_is(nd, "auto_pad", "VALID");
    const bool ceil_mode = attr_int(nd, "ceil_mode", 0) != 0;
    for (int i = 0; i < sp; i++) {
        const int64_t in = x->dims[2 + i], s = ns ? strides[i] : 1, d = nd_ ? dil[i] : 1;
        const int64_t pb = np ? pads[i] : 0, pe = np ? pads[i + sp] : 0;
        if (s > INT32_MAX || d > INT32_MAX || kernel[i] > INT32_MAX || pb < 0 || pe < 0 ||
            pb > INT32_MAX || pe > INT32_MAX)
            return fail(c, SIP_EINVAL, "axis %d: kernel %lld, stride %lld, dilation %lld, pads "
                        "%lld, %lld (expected each below 2^31, pads >= 0)", i,
                        (long long)kernel[i], (long long)s, (long long)d, (long long)pb,
                        (long long)pe);
        if (s < 1 || d < 1 || kernel[i] < 1)
            return fail(c, SIP_EINVAL, "axis %d: kernel %lld, stride %lld, dilation %lld "
                        "(expected >= 1)", i, (long long)kernel[i], (long long)s, (long long)d);
        const int64_t span = (kernel[i] - 1) * d + 1;
        int64_t o;
        if (same)
            o = (in + s - 1) / s;
        else {
            const int64_t p = valid ? 0 : pb + pe;
            const int64_t num = in + p - span;
            if (num < 0)
                return fail(c, SIP_EINVAL, "axis %d: window %lld larger than the padded input "
                            "%lld (expected a window that fits)", i, (long long)span,
                            (long long)(in + p));
            o = (ceil_mode ? (num + s - 1) / s : num / s) + 1;
        }
        out[i] = o;
    }
    return SIP_OK;
}

static sip_status_t op_conv(ctx_t *c)
{
    tensor_t *x, *w, *bias;
    SIP_TRY(known(c, 0, &x));
    SIP_TRY(known(c, 1, &w));
    SIP_TRY(input(c, 2, false, &bias));
    if (x->rank < 3 || x->rank > 5 || w->rank != x->rank)
        return fail(c, SIP_EUNSUPPORTED, "input of rank %d, weights of rank %d (expected "
                    "[N, C, spatial...] with 1 to 3 spatial axes and W of the same rank)",
                    x->rank, w->rank);
    const Onnx__NodeProto *nd = c->g->node[c->cur];
    const int sp = x->rank - 2;
    const int64_t group = attr_int(nd, "group", 1);
    const int64_t N = x->dims[0], C = x->dims[1], M = w->dims[0];
    if (group < 1 || C % group != 0 || M % group != 0 || w->dims[1] * group != C)
        return fail(c, SIP_EINVAL, "%lld channels, %lld filters of %lld channels, group %lld "
                    "(expected W [M, C / group, ...] with group dividing C and M)",
                    (long long)C, (long long)M, (long long)w->dims[1], (long long)group);
    const int64_t *ks;
    const size_t nk = attr_ints(nd, "kernel_shape", &ks);
    int64_t kernel[3];
    for (int i = 0; i < sp; i++) {
        kernel[i] = w->dims[2 + i];
        if (nk && (nk != (size_t)sp || ks[i] != kernel[i]))
            return fail(c, SIP_EINVAL, "kernel_shape differs from the weights' spatial "
                        "dimensions (expected W [M, C / group, k...] with kernel_shape = k...)");
    }
    int64_t os[3];
    SIP_TRY(window_out(c, x, kernel, os));
    int64_t od[MAX_RANK] = {N, M};
    int64_t pixels = N, kprod = 1;
    double pixels_d = (double)N;
    for (int i = 0; i < sp; i++) {
        od[2 + i] = os[i];
        pixels_d *= (double)os[i];
    }
    if (pixels_d > (double)MAX_ELEMS)
        return fail(c, SIP_ELIMIT, "%.3g output pixels (expected at most 2^50)", pixels_d);
    for (int i = 0; i < sp; i++) {
        pixels *= os[i];
        kprod *= kernel[i]; /* the weights' dims: bounded by their element count */
    }
    SIP_TRY(set_out(c, 0, x->rank, od));
    if (pixels == 0 || M == 0)
        return SIP_OK;
    /* im2col lowering (SCALE-Sim topology_utils.py, sip_conv_lower): one GEMM per group,
     * M = output pixels, N = filters of the group, K = kernel window x channels of the group. */
    sip_kop_t *kp = new_kop(c, SIP_KOP_GEMM);
    kp->batch = group;
    kp->m = pixels;
    kp->n = M / group;
    kp->k = w->dims[1] * kprod;
    kp->b_is_weight = w->weight;
    kp->a_from_input = x->input;
    kp->b_from_input = w->input;
    kp->macs = (double)group * kp->m * kp->n * kp->k;
    kp->a_hbm_elems = (double)elems_of(x); /* as sip_kernel_conv: the feature map, once */
    kp->out_elems = (double)pixels * M;
    if (bias)
        elementwise(c, pixels * M, 1.0, 2, false);
    return SIP_OK;
}

static sip_status_t op_pool(ctx_t *c, bool global)
{
    tensor_t *x;
    SIP_TRY(known(c, 0, &x));
    if (x->rank < 3 || x->rank > 5)
        return fail(c, SIP_EUNSUPPORTED, "input of rank %d (expected [N, C, spatial...] with 1 "
                    "to 3 spatial axes)", x->rank);
    const int sp = x->rank - 2;
    int64_t od[MAX_RANK] = {x->dims[0], x->dims[1]}, out_elems = x->dims[0] * x->dims[1];
    double kprod = 1.0;
    if (global) {
        for (int i = 0; i < sp; i++)
            od[2 + i] = 1;
        SIP_TRY(set_out(c, 0, x->rank, od));
        /* One add (or compare) per input element. */
        elementwise(c, elems_of(x), 1.0, 1, x->input);
        return SIP_OK;
    }
    const int64_t *ks;
    if (attr_ints(c->g->node[c->cur], "kernel_shape", &ks) != (size_t)sp)
        return fail(c, SIP_EINVAL, "kernel_shape missing or not %d values", sp);
    int64_t os[3];
    SIP_TRY(window_out(c, x, ks, os));
    for (int i = 0; i < sp; i++) {
        od[2 + i] = os[i];
        kprod *= (double)ks[i];
    }
    SIP_TRY(set_out(c, 0, x->rank, od)); /* bounds the output elements */
    for (int i = 0; i < sp; i++)
        out_elems *= os[i];
    /* One compare or add per window element of every output. */
    elementwise(c, out_elems, kprod, 1, x->input);
    return SIP_OK;
}

static sip_status_t op_unary(ctx_t *c, double ops)
{
    tensor_t *x;
    SIP_TRY(known(c, 0, &x));
    SIP_TRY(same_as(c, 0, x));
    if (x->n_vals < 0)
        elementwise(c, elems_of(x), ops, 1, x->input);
    return SIP_OK;
}

/* Binary (and variadic: Sum, Max, ...) element-wise ops with broadcasting.  Shape arithmetic
 * on small int64 tensors is evaluated (Add, Sub, Mul, Div) and costs no kernel. */
static sip_status_t op_broadcast(ctx_t *c)
{
    const Onnx__NodeProto *nd = c->g->node[c->cur];
    int64_t od[MAX_RANK];
    int ro = 0, n_in = 0;
    bool all_vals = true, any_input = false;
    tensor_t *ins[8] = {0};
    for (size_t i = 0; i < nd->n_input; i++) {
        tensor_t *t;
        SIP_TRY(input(c, (int)i, i == 0, &t));
        if (!t)
            continue;
        SIP_TRY(known(c, (int)i, &t));
        int64_t tmp[MAX_RANK];
        int rt;
        SIP_TRY(broadcast(c, od, ro, t->dims, t->rank, tmp, &rt));
        memcpy(od, tmp, sizeof tmp);
        ro = rt;
        if (n_in < 8)
            ins[n_in] = t;
        n_in++;
        all_vals = all_vals && t->n_vals >= 0;
        any_input = any_input || t->input;
    }
    SIP_TRY(set_out(c, 0, ro, od));
    tensor_t *o = output(c, 0);
    const char *op = str(nd->op_type);
    if (all_vals && n_in == 2 && o && elems_of(o) <= MAX_VALS && ro <= 1) {
        const int64_t n = elems_of(o);
        bool ok = true;
        for (int64_t i = 0; i < n && ok; i++) {
            const int64_t x = ins[0]->vals[ins[0]->n_vals == 1 ? 0 : i];
            const int64_t y = ins[1]->vals[ins[1]->n_vals == 1 ? 0 : i];
            /* A file may hold any int64: overflow means "not a shape", not a wrapped value. */
            if (strcmp(op, "Add") == 0)
                ok = !__builtin_add_overflow(x, y, &o->vals[i]);
            else if (strcmp(op, "Sub") == 0)
                ok = !__builtin_sub_overflow(x, y, &o->vals[i]);
            else if (strcmp(op, "Mul") == 0)
                ok = !__builtin_mul_overflow(x, y, &o->vals[i]);
            else if (strcmp(op, "Div") == 0 && y != 0 && !(x == INT64_MIN && y == -1))
                o->vals[i] = x / y;
            else
                ok = false;
        }
        if (ok)
            o->n_vals = (int)n;
    }
    if (all_vals)
        return SIP_OK; /* constant folding: shape arithmetic */
    elementwise(c, o ? elems_of(o) : 0, n_in > 2 ? n_in - 1 : 1.0, n_in, any_input);
    return SIP_OK;
}

static sip_status_t op_softmax(ctx_t *c)
{
    tensor_t *x;
    SIP_TRY(known(c, 0, &x));
    SIP_TRY(same_as(c, 0, x));
    elementwise(c, elems_of(x), SOFTMAX_PASSES, 1, x->input);
    return SIP_OK;
}

static sip_status_t op_layernorm(ctx_t *c)
{
    tensor_t *x;
    SIP_TRY(known(c, 0, &x));
    const int axis = norm_axis(attr_int(c->g->node[c->cur], "axis", -1), x->rank);
    if (axis < 0 || axis >= x->rank)
        return fail(c, SIP_EINVAL, "axis %lld of a rank-%d input (expected -%d..%d)",
                    (long long)attr_int(c->g->node[c->cur], "axis", -1), x->rank, x->rank,
                    x->rank - 1);
    SIP_TRY(same_as(c, 0, x));
    /* Mean and InvStdDev: the leading axes, ones after. */
    int64_t sd[MAX_RANK];
    int64_t rows = 1, cols = 1;
    for (int i = 0; i < x->rank; i++) {
        sd[i] = i < axis ? x->dims[i] : 1;
        if (i < axis)
            rows *= x->dims[i];
        else
            cols *= x->dims[i];
    }
    SIP_TRY(set_out(c, 1, x->rank, sd));
    SIP_TRY(set_out(c, 2, x->rank, sd));
    if (rows * cols == 0)
        return SIP_OK;
    sip_kop_t *kp = new_kop(c, SIP_KOP_NORM);
    kp->norm = SIP_NORM_LAYER;
    kp->rows = rows;
    kp->cols = cols;
    kp->a_from_input = x->input;
    kp->out_elems = (double)rows * cols;
    return SIP_OK;
}

static sip_status_t op_instancenorm(ctx_t *c)
{
    tensor_t *x;
    SIP_TRY(known(c, 0, &x));
    if (x->rank < 3)
        return fail(c, SIP_EINVAL, "input of rank %d (expected [N, C, spatial...])", x->rank);
    SIP_TRY(same_as(c, 0, x));
    const int64_t rows = x->dims[0] * x->dims[1], cols = rows ? elems_of(x) / rows : 0;
    if (rows * cols == 0)
        return SIP_OK;
    /* Statistics over the spatial axes of each (sample, channel): a LayerNorm per row. */
    sip_kop_t *kp = new_kop(c, SIP_KOP_NORM);
    kp->norm = SIP_NORM_LAYER;
    kp->rows = rows;
    kp->cols = cols;
    kp->a_from_input = x->input;
    kp->out_elems = (double)rows * cols;
    return SIP_OK;
}

static sip_status_t op_batchnorm(ctx_t *c)
{
    tensor_t *x;
    SIP_TRY(known(c, 0, &x));
    const Onnx__NodeProto *nd = c->g->node[c->cur];
    if (attr_int(nd, "training_mode", 0) != 0 || (nd->n_output > 1 && output(c, 1)))
        return fail(c, SIP_EUNSUPPORTED, "training mode (expected inference: one output)");
    SIP_TRY(same_as(c, 0, x));
    elementwise(c, elems_of(x), BATCHNORM_OPS, 1, x->input);
    return SIP_OK;
}

/* Axes from the attribute (older opsets) or input 1 (newer), as values. */
static sip_status_t axes_of(ctx_t *c, int64_t *axes, int *n_axes)
{
    const int64_t *a;
    size_t n = attr_ints(c->g->node[c->cur], "axes", &a);
    if (n) {
        if (n > MAX_RANK)
            return fail(c, SIP_EINVAL, "%zu axes (expected at most %d)", n, MAX_RANK);
        memcpy(axes, a, n * sizeof *a);
        *n_axes = (int)n;
        return SIP_OK;
    }
    tensor_t *t;
    SIP_TRY(input(c, 1, false, &t));
    if (!t) {
        *n_axes = 0;
        return SIP_OK;
    }
    if (t->n_vals < 0 || t->n_vals > MAX_RANK)
        return fail(c, SIP_EINVAL, "axes '%s' are not constant (expected an initializer or "
                    "Constant)", t->name);
    memcpy(axes, t->vals, (size_t)t->n_vals * sizeof *axes);
    *n_axes = t->n_vals;
    return SIP_OK;
}

static sip_status_t op_reduce(ctx_t *c)
{
    tensor_t *x;
    SIP_TRY(known(c, 0, &x));
    int64_t axes[MAX_RANK];
    int n_axes;
    SIP_TRY(axes_of(c, axes, &n_axes));
    const bool keep = attr_int(c->g->node[c->cur], "keepdims", 1) != 0;
    if (n_axes == 0 && attr_int(c->g->node[c->cur], "noop_with_empty_axes", 0) != 0)
        return same_as(c, 0, x); /* no axes: the identity */
    bool red[MAX_RANK] = {0};
    for (int i = 0; i < n_axes; i++) {
        const int a = norm_axis(axes[i], x->rank);
        if (a < 0 || a >= x->rank)
            return fail(c, SIP_EINVAL, "axis %lld of a rank-%d input", (long long)axes[i],
                        x->rank);
        red[a] = true;
    }
    int64_t od[MAX_RANK];
    int ro = 0;
    for (int i = 0; i < x->rank; i++) {
        const bool r = n_axes == 0 || red[i];
        if (!r)
            od[ro++] = x->dims[i];
        else if (keep)
            od[ro++] = 1;
    }
    SIP_TRY(set_out(c, 0, ro, od));
    elementwise(c, elems_of(x), 1.0, 1, x->input);
    return SIP_OK;
}

static sip_status_t op_reshape(ctx_t *c)
{
    tensor_t *x, *s;
    SIP_TRY(known(c, 0, &x));
    SIP_TRY(input(c, 1, true, &s));
    if (s->n_vals < 0)
        return fail(c, SIP_EINVAL, "shape '%s' is not constant (expected an initializer, a "
                    "Constant or shape arithmetic on known sizes; or value_info for the output)",
                    s->name);
    if (s->n_vals > MAX_RANK)
        return fail(c, SIP_EUNSUPPORTED, "target rank %d (expected at most %d)", s->n_vals,
                    MAX_RANK);
    const bool allowzero = attr_int(c->g->node[c->cur], "allowzero", 0) != 0;
    int64_t od[MAX_RANK], known_prod = 1;
    int infer = -1;
    for (int i = 0; i < s->n_vals; i++) {
        int64_t v = s->vals[i];
        if (v == 0 && !allowzero) {
            if (i >= x->rank)
                return fail(c, SIP_EINVAL, "shape[%d] = 0 copies a dimension the rank-%d input "
                            "does not have", i, x->rank);
            v = x->dims[i];
        }
        if (v == -1) {
            if (infer >= 0)
                return fail(c, SIP_EINVAL, "two -1 entries in the shape (expected at most one)");
            infer = i;
            v = 1;
        } else if (v < 0) {
            return fail(c, SIP_EINVAL, "shape[%d] = %lld (expected >= -1)", i, (long long)v);
        }
        od[i] = v;
        if (v > MAX_ELEMS || __builtin_mul_overflow(known_prod, v, &known_prod))
            return fail(c, SIP_ELIMIT, "shape[%d] = %lld (expected a tensor of at most 2^50 "
                        "elements)", i, (long long)v);
    }
    const int64_t n = elems_of(x);
    if (infer >= 0) {
        if (known_prod == 0 || n % known_prod != 0)
            return fail(c, SIP_EINVAL, "cannot infer the -1 dimension: %lld elements over %lld",
                        (long long)n, (long long)known_prod);
        od[infer] = n / known_prod;
    } else if (known_prod != n) {
        return fail(c, SIP_EINVAL, "shape of %lld elements for an input of %lld (expected the "
                    "same count)", (long long)known_prod, (long long)n);
    }
    SIP_TRY(set_out(c, 0, s->n_vals, od));
    tensor_t *o = output(c, 0);
    if (o && x->n_vals >= 0 && s->n_vals <= 1) {
        o->n_vals = x->n_vals;
        memcpy(o->vals, x->vals, sizeof o->vals);
    }
    return SIP_OK;
}

static sip_status_t op_flatten(ctx_t *c)
{
    tensor_t *x;
    SIP_TRY(known(c, 0, &x));
    const int axis = norm_axis(attr_int(c->g->node[c->cur], "axis", 1), x->rank);
    if (axis < 0 || axis > x->rank)
        return fail(c, SIP_EINVAL, "axis out of range for rank %d", x->rank);
    int64_t od[2] = {1, 1};
    for (int i = 0; i < x->rank; i++)
        od[i < axis ? 0 : 1] *= x->dims[i];
    return set_out(c, 0, 2, od);
}

static sip_status_t op_transpose(ctx_t *c)
{
    tensor_t *x;
    SIP_TRY(known(c, 0, &x));
    const int64_t *perm;
    const size_t np = attr_ints(c->g->node[c->cur], "perm", &perm);
    if (np && np != (size_t)x->rank)
        return fail(c, SIP_EINVAL, "perm of %zu values for a rank-%d input", np, x->rank);
    int64_t od[MAX_RANK];
    bool used[MAX_RANK] = {0};
    for (int i = 0; i < x->rank; i++) {
        const int64_t p = np ? perm[i] : x->rank - 1 - i;
        if (p < 0 || p >= x->rank || used[p])
            return fail(c, SIP_EINVAL, "perm is not a permutation of 0..%d", x->rank - 1);
        used[p] = true;
        od[i] = x->dims[p];
    }
    return set_out(c, 0, x->rank, od);
}

static sip_status_t op_squeeze(ctx_t *c, bool unsqueeze)
{
    tensor_t *x;
    SIP_TRY(known(c, 0, &x));
    int64_t axes[MAX_RANK];
    int n_axes;
    SIP_TRY(axes_of(c, axes, &n_axes));
    int64_t od[MAX_RANK];
    int ro = 0;
    if (unsqueeze) {
        const int r = x->rank + n_axes;
        if (n_axes == 0 || r > MAX_RANK)
            return fail(c, SIP_EINVAL, "%d axes on rank %d (expected 1 to %d)", n_axes, x->rank,
                        MAX_RANK - x->rank);
        bool ins[MAX_RANK] = {0};
        for (int i = 0; i < n_axes; i++) {
            const int a = norm_axis(axes[i], r);
            if (a < 0 || a >= r || ins[a])
                return fail(c, SIP_EINVAL, "axis %lld for output rank %d", (long long)axes[i],
                            r);
            ins[a] = true;
        }
        for (int i = 0, j = 0; i < r; i++)
            od[ro++] = ins[i] ? 1 : x->dims[j++];
    } else {
        bool rm[MAX_RANK] = {0};
        for (int i = 0; i < n_axes; i++) {
            const int a = norm_axis(axes[i], x->rank);
            if (a < 0 || a >= x->rank || x->dims[a] != 1)
                return fail(c, SIP_EINVAL, "axis %lld is not a size-1 axis of the input",
                            (long long)axes[i]);
            rm[a] = true;
        }
        for (int i = 0; i < x->rank; i++)
            if (!(n_axes ? rm[i] : x->dims[i] == 1))
                od[ro++] = x->dims[i];
    }
    SIP_TRY(set_out(c, 0, ro, od));
    tensor_t *o = output(c, 0);
    if (o && x->n_vals >= 0) {
        o->n_vals = x->n_vals;
        memcpy(o->vals, x->vals, sizeof o->vals);
    }
    return SIP_OK;
}

static sip_status_t op_concat(ctx_t *c)
{
    const Onnx__NodeProto *nd = c->g->node[c->cur];
    tensor_t *first;
    SIP_TRY(known(c, 0, &first));
    const int axis = norm_axis(attr_int(nd, "axis", 0), first->rank);
    if (axis < 0 || axis >= first->rank)
        return fail(c, SIP_EINVAL, "axis out of range for rank %d", first->rank);
    int64_t od[MAX_RANK];
    memcpy(od, first->dims, sizeof od);
    od[axis] = 0;
    bool vals = true;
    int64_t v[MAX_VALS];
    int nv = 0;
    for (size_t i = 0; i < nd->n_input; i++) {
        tensor_t *t;
        SIP_TRY(known(c, (int)i, &t));
        if (t->rank != first->rank)
            return fail(c, SIP_EINVAL, "input '%s' of rank %d (expected rank %d)", t->name,
                        t->rank, first->rank);
        for (int d = 0; d < t->rank; d++)
            if (d != axis && t->dims[d] != first->dims[d])
                return fail(c, SIP_EINVAL, "input '%s' dimension %d is %lld (expected %lld)",
                            t->name, d, (long long)t->dims[d], (long long)first->dims[d]);
        od[axis] += t->dims[axis];
        if (t->n_vals < 0 || nv + t->n_vals > MAX_VALS || t->rank != 1)
            vals = false;
        else {
            memcpy(v + nv, t->vals, (size_t)t->n_vals * sizeof *v);
            nv += t->n_vals;
        }
    }
    SIP_TRY(set_out(c, 0, first->rank, od));
    tensor_t *o = output(c, 0);
    if (o && vals) {
        o->n_vals = nv;
        memcpy(o->vals, v, (size_t)nv * sizeof *v);
    }
    return SIP_OK;
}

static sip_status_t op_constant(ctx_t *c)
{
    tensor_t *o = output(c, 0);
    if (!o)
        return SIP_OK;
    const Onnx__NodeProto *nd = c->g->node[c->cur];
    const Onnx__AttributeProto *a;
    if ((a = attr(nd, "value")) && a->t)
        return tensor_from_proto(c, a->t, o);
    if ((a = attr(nd, "value_int")) && a->has_i) {
        o->rank = 0;
        o->n_vals = 1;
        o->vals[0] = a->i;
        return SIP_OK;
    }
    if ((a = attr(nd, "value_ints"))) {
        o->rank = 1;
        o->dims[0] = (int64_t)a->n_ints;
        if (a->n_ints <= MAX_VALS) {
            o->n_vals = (int)a->n_ints;
            memcpy(o->vals, a->ints, a->n_ints * sizeof *a->ints);
        }
        return SIP_OK;
    }
    if ((a = attr(nd, "value_float")) && a->has_f) {
        o->rank = 0;
        return SIP_OK;
    }
    if ((a = attr(nd, "value_floats"))) {
        o->rank = 1;
        o->dims[0] = (int64_t)a->n_floats;
        return SIP_OK;
    }
    return fail(c, SIP_EUNSUPPORTED, "no value, value_int(s) or value_float(s) attribute "
                "(expected a dense constant)");
}

static sip_status_t op_shape(ctx_t *c)
{
    tensor_t *x;
    SIP_TRY(known(c, 0, &x));
    const Onnx__NodeProto *nd = c->g->node[c->cur];
    int start = norm_axis(attr_int(nd, "start", 0), x->rank);
    int end = (int)attr_int(nd, "end", x->rank);
    end = norm_axis(end, x->rank);
    start = start < 0 ? 0 : (start > x->rank ? x->rank : start);
    end = end < start ? start : (end > x->rank ? x->rank : end);
    const int64_t od[1] = {end - start};
    SIP_TRY(set_out(c, 0, 1, od));
    tensor_t *o = output(c, 0);
    if (o) {
        o->n_vals = end - start;
        for (int i = start; i < end; i++)
            o->vals[i - start] = x->dims[i];
    }
    return SIP_OK;
}

static sip_status_t op_gather(ctx_t *c)
{
    tensor_t *x, *idx;
    SIP_TRY(known(c, 0, &x));
    SIP_TRY(known(c, 1, &idx));
    const int axis = norm_axis(attr_int(c->g->node[c->cur], "axis", 0), x->rank);
    if (axis < 0 || axis >= x->rank || x->rank - 1 + idx->rank > MAX_RANK)
        return fail(c, SIP_EINVAL, "axis out of range for rank %d", x->rank);
    int64_t od[MAX_RANK];
    int ro = 0;
    for (int i = 0; i < axis; i++)
        od[ro++] = x->dims[i];
    for (int i = 0; i < idx->rank; i++)
        od[ro++] = idx->dims[i];
    for (int i = axis + 1; i < x->rank; i++)
        od[ro++] = x->dims[i];
    SIP_TRY(set_out(c, 0, ro, od));
    tensor_t *o = output(c, 0);
    if (x->n_vals >= 0 && idx->n_vals >= 0 && x->rank == 1 && o) {
        for (int i = 0; i < idx->n_vals; i++) {
            int64_t j = idx->vals[i] < 0 ? idx->vals[i] + x->n_vals : idx->vals[i];
            if (j < 0 || j >= x->n_vals)
                return fail(c, SIP_EINVAL, "index %lld out of range [0, %d)",
                            (long long)idx->vals[i], x->n_vals);
            o->vals[i] = x->vals[j];
        }
        o->n_vals = idx->n_vals;
        return SIP_OK;
    }
    /* An embedding lookup: one copy per output element, rows read from the weights in HBM. */
    if (o)
        elementwise(c, elems_of(o), 1.0, 1, x->weight || x->input);
    return SIP_OK;
}

static sip_status_t op_passthrough(ctx_t *c)
{
    tensor_t *x;
    SIP_TRY(known(c, 0, &x));
    SIP_TRY(same_as(c, 0, x));
    return same_as(c, 1, x); /* Dropout's mask */
}

/* Ops whose outputs this reader does not infer: value_info must give them. */
static sip_status_t op_from_value_info(ctx_t *c)
{
    const Onnx__NodeProto *nd = c->g->node[c->cur];
    for (size_t i = 0; i < nd->n_output; i++) {
        tensor_t *o = output(c, (int)i);
        if (!o)
            continue;
        if (o->vi)
            SIP_TRY(dims_from_type(c, o->vi, o));
        if (o->rank < 0)
            return fail(c, SIP_EUNSUPPORTED, "output '%s' needs a value_info entry (this reader "
                        "does not infer %s shapes; expected a model saved after "
                        "onnx.shape_inference.infer_shapes)", o->name, str(nd->op_type));
    }
    return SIP_OK;
}

typedef enum { K_UNARY, K_BROADCAST, K_OTHER } op_class_t;

typedef struct {
    const char *op;
    op_class_t cls;
    sip_status_t (*fn)(ctx_t *c);
} op_row_t;

static sip_status_t op_maxavgpool(ctx_t *c)
{
    return op_pool(c, false);
}

static sip_status_t op_globalpool(ctx_t *c)
{
    return op_pool(c, true);
}

static sip_status_t op_squeeze_(ctx_t *c)
{
    return op_squeeze(c, false);
}

static sip_status_t op_unsqueeze(ctx_t *c)
{
    return op_squeeze(c, true);
}

/* One row per supported op.  Unary element-wise ops count one vector op per element (an
 * activation or a conversion on the special-function path, as workload.c counts SiLU). */
static const op_row_t op_table[] = {
    {"MatMul", K_OTHER, op_matmul},
    {"Gemm", K_OTHER, op_gemm},
    {"Conv", K_OTHER, op_conv},
    {"MaxPool", K_OTHER, op_maxavgpool},
    {"AveragePool", K_OTHER, op_maxavgpool},
    {"LpPool", K_OTHER, op_maxavgpool},
    {"GlobalAveragePool", K_OTHER, op_globalpool},
    {"GlobalMaxPool", K_OTHER, op_globalpool},
    {"Softmax", K_OTHER, op_softmax},
    {"LogSoftmax", K_OTHER, op_softmax},
    {"LayerNormalization", K_OTHER, op_layernorm},
    {"InstanceNormalization", K_OTHER, op_instancenorm},
    {"BatchNormalization", K_OTHER, op_batchnorm},
    {"ReduceMean", K_OTHER, op_reduce},
    {"ReduceSum", K_OTHER, op_reduce},
    {"ReduceMax", K_OTHER, op_reduce},
    {"ReduceMin", K_OTHER, op_reduce},
    {"Reshape", K_OTHER, op_reshape},
    {"Flatten", K_OTHER, op_flatten},
    {"Transpose", K_OTHER, op_transpose},
    {"Squeeze", K_OTHER, op_squeeze_},
    {"Unsqueeze", K_OTHER, op_unsqueeze},
    {"Concat", K_OTHER, op_concat},
    {"Constant", K_OTHER, op_constant},
    {"Shape", K_OTHER, op_shape},
    {"Gather", K_OTHER, op_gather},
    {"Identity", K_OTHER, op_passthrough},
    {"Dropout", K_OTHER, op_passthrough},
    {"Slice", K_OTHER, op_from_value_info},
    {"Split", K_OTHER, op_from_value_info},
    {"Tile", K_OTHER, op_from_value_info},
    {"Expand", K_OTHER, op_from_value_info},
    {"Pad", K_OTHER, op_from_value_info},
    {"Range", K_OTHER, op_from_value_info},
    {"ConstantOfShape", K_OTHER, op_from_value_info},
    {"Add", K_BROADCAST, NULL}, {"Sub", K_BROADCAST, NULL}, {"Mul", K_BROADCAST, NULL},
    {"Div", K_BROADCAST, NULL}, {"Pow", K_BROADCAST, NULL}, {"Max", K_BROADCAST, NULL},
    {"Min", K_BROADCAST, NULL}, {"Sum", K_BROADCAST, NULL}, {"Mean", K_BROADCAST, NULL},
    {"PRelu", K_UNARY, NULL}, {"Where", K_BROADCAST, NULL}, {"Equal", K_BROADCAST, NULL},
    {"Less", K_BROADCAST, NULL}, {"Greater", K_BROADCAST, NULL}, {"And", K_BROADCAST, NULL},
    {"Or", K_BROADCAST, NULL}, {"Mod", K_BROADCAST, NULL},
    {"Relu", K_UNARY, NULL}, {"LeakyRelu", K_UNARY, NULL}, {"Sigmoid", K_UNARY, NULL},
    {"HardSigmoid", K_UNARY, NULL}, {"HardSwish", K_UNARY, NULL}, {"Tanh", K_UNARY, NULL},
    {"Elu", K_UNARY, NULL}, {"Selu", K_UNARY, NULL}, {"Celu", K_UNARY, NULL},
    {"Softplus", K_UNARY, NULL}, {"Softsign", K_UNARY, NULL}, {"Exp", K_UNARY, NULL},
    {"Log", K_UNARY, NULL}, {"Sqrt", K_UNARY, NULL}, {"Reciprocal", K_UNARY, NULL},
    {"Neg", K_UNARY, NULL}, {"Abs", K_UNARY, NULL}, {"Erf", K_UNARY, NULL},
    {"Gelu", K_UNARY, NULL}, {"Clip", K_UNARY, NULL}, {"Cast", K_UNARY, NULL},
    {"Not", K_UNARY, NULL}, {"Floor", K_UNARY, NULL}, {"Ceil", K_UNARY, NULL},
    {"Sin", K_UNARY, NULL}, {"Cos", K_UNARY, NULL}, {"ThresholdedRelu", K_UNARY, NULL},
};

static sip_status_t read_node(ctx_t *c)
{
    const Onnx__NodeProto *nd = c->g->node[c->cur];
    const char *op = str(nd->op_type);
    if (nd->domain && nd->domain[0] && strcmp(nd->domain, "ai.onnx") != 0)
        return fail(c, SIP_EUNSUPPORTED, "operator domain '%s' (expected the default ONNX "
                    "domain)", nd->domain);
    const op_row_t *row = NULL;
    for (size_t i = 0; i < sizeof op_table / sizeof op_table[0]; i++)
        if (strcmp(op_table[i].op, op) == 0)
            row = &op_table[i];
    if (!row)
        return fail(c, SIP_EUNSUPPORTED, "unsupported operator '%s' (expected MatMul, Gemm, "
                    "Conv, pooling, Softmax, normalisation, element-wise or shape operators)",
                    op);
    /* Cast of shape values keeps the values (int64 -> int64 arithmetic stays exact). */
    if (row->cls == K_UNARY) {
        SIP_TRY(op_unary(c, 1.0));
    } else if (row->cls == K_BROADCAST) {
        SIP_TRY(op_broadcast(c));
    } else {
        SIP_TRY(row->fn(c));
    }
    node_info_t *ni = &c->info[c->cur];
    ni->shape_only = ni->n_kops == 0;
    /* Every named output must now have a shape: prefer value_info over nothing. */
    for (size_t i = 0; i < nd->n_output; i++) {
        tensor_t *o = output(c, (int)i);
        if (!o)
            continue;
        if (o->rank < 0 && o->vi)
            SIP_TRY(dims_from_type(c, o->vi, o));
        o->defined = true;
        o->producer = c->cur;
    }
    return SIP_OK;
}

/* ------------------------------------------------------------------ attention fusion */

static const tensor_t *node_in(const ctx_t *c, int node, int i)
{
    const Onnx__NodeProto *nd = c->g->node[node];
    if ((size_t)i >= nd->n_input || !nd->input[i] || !nd->input[i][0])
        return NULL;
    return find(c, nd->input[i]);
}

static bool is_op(const ctx_t *c, int node, const char *op)
{
    return node >= 0 && strcmp(str(c->g->node[node]->op_type), op) == 0;
}

/* Softmax node s: MatMul(Q, K^T) -> up to 3 of Div/Mul/Add/Sub (scale, mask) -> Softmax ->
 * MatMul(P, V), every intermediate used once, Q K V activations: one attention kernel. */
static void fuse_attention(ctx_t *c, int s)
{
    const node_info_t *si = &c->info[s];
    if (si->n_kops != 1 || c->g->node[s]->n_output < 1)
        return;
    const tensor_t *x = node_in(c, s, 0);
    /* Softmax before opset 13 flattened from `axis` (default 1) on: only the last axis is a
     * softmax over each score row. */
    const int axis_attr = (int)attr_int(c->g->node[s], "axis", c->opset >= 13 ? -1 : 1);
    if (!x || x->rank < 2 || norm_axis(axis_attr, x->rank) != x->rank - 1)
        return;
    int n_between = 0;
    int p = x->producer;
    const tensor_t *cur = x;
    while (p >= 0 && cur->consumers == 1 && !is_op(c, p, "MatMul") && n_between < 3 &&
           (is_op(c, p, "Div") || is_op(c, p, "Mul") || is_op(c, p, "Add") ||
            is_op(c, p, "Sub"))) {
        n_between++;
        /* Follow the input that carries the scores (the one a MatMul or a scale produced). */
        const tensor_t *a = node_in(c, p, 0), *b = node_in(c, p, 1);
        const tensor_t *nx = a && a->producer >= 0 && (is_op(c, a->producer, "MatMul") ||
                                                        c->info[a->producer].n_kops == 1)
                                 ? a
                                 : b;
        if (!nx)
            return;
        cur = nx;
        p = nx->producer;
    }
    if (!is_op(c, p, "MatMul") || cur->consumers != 1 || c->info[p].n_kops != 1)
        return;
    const sip_kop_t *qk = &c->info[p].kops[0];
    if (qk->b_is_weight || node_in(c, p, 0)->weight)
        return;
    /* Softmax output feeds exactly one MatMul as its left operand. */
    const tensor_t *sm = find(c, c->g->node[s]->output[0]);
    if (!sm || sm->consumers != 1)
        return;
    int pv = -1;
    for (size_t j = (size_t)s + 1; j < c->g->n_node; j++) {
        const Onnx__NodeProto *nd = c->g->node[j];
        for (size_t i = 0; i < nd->n_input; i++)
            if (nd->input[i] && strcmp(nd->input[i], sm->name) == 0)
                pv = (int)j;
        if (pv >= 0)
            break;
    }
    if (pv < 0 || !is_op(c, pv, "MatMul") || c->info[pv].n_kops != 1 ||
        node_in(c, pv, 0) != sm)
        return;
    const sip_kop_t *av = &c->info[pv].kops[0];
    if (av->b_is_weight || av->batch != qk->batch || av->m != qk->m || av->k != qk->n ||
        av->n != qk->k)
        return;
    sip_kop_t k = *qk;
    k.kind = SIP_KOP_ATTENTION;
    snprintf(k.op_type, sizeof k.op_type, "MatMul+Softmax+MatMul");
    k.n_nodes = 3 + n_between;
    /* Heads fold into the batch: one (sequence, head) pair per GEMM, q_heads = kv_heads. */
    k.att = (sip_attention_t){.batch = qk->batch, .q_heads = 1, .kv_heads = 1,
                              .head_dim = qk->k, .q_tokens = qk->m, .kv_tokens = qk->n,
                              .kv_in_hbm = node_in(c, p, 1)->input || node_in(c, pv, 1)->input};
    k.macs = qk->macs + av->macs;
    k.out_elems = av->out_elems;
    c->info[p].fused = true;
    c->info[s].fused = true;
    c->info[pv].fused = true;
    c->info[pv].fused_kop = k;
    c->info[pv].has_fused_kop = true;
}

/* ------------------------------------------------------------------ the graph */

static sip_status_t walk(ctx_t *c, sip_kernel_seq_t *seq)
{
    const Onnx__GraphProto *g = c->g;
    size_t names = g->n_initializer + g->n_input + g->n_value_info + g->n_output + 16;
    for (size_t i = 0; i < g->n_node; i++) {
        if (!g->node[i])
            return fail(c, SIP_EPARSE, "empty node %zu", i);
        names += g->node[i]->n_output + g->node[i]->n_input;
    }
    c->cap_t = (int)names;
    c->n_slots = 16;
    while (c->n_slots < 2 * names)
        c->n_slots *= 2;
    c->t = calloc(names, sizeof *c->t);
    c->slots = malloc(c->n_slots * sizeof *c->slots);
    c->info = calloc(g->n_node + 1, sizeof *c->info);
    if (!c->t || !c->slots || !c->info)
        return sip_error_set(c->err, SIP_ENOMEM, c->path, 0, "out of memory (graph of %zu "
                             "nodes)", g->n_node);
    for (size_t i = 0; i < c->n_slots; i++)
        c->slots[i] = -1;
    c->cur = -1;
    double weight_elems = 0.0;
    for (size_t i = 0; i < g->n_initializer; i++) {
        const Onnx__TensorProto *tp = g->initializer[i];
        if (!tp || !tp->name || !tp->name[0])
            return fail(c, SIP_EINVAL, "initializer %zu has no name (expected a named tensor)",
                        i);
        tensor_t *t = get(c, tp->name);
        SIP_TRY(tensor_from_proto(c, tp, t));
        t->weight = true;
        t->defined = true;
    }
    for (size_t i = 0; i < g->n_value_info; i++)
        if (g->value_info[i] && g->value_info[i]->name && g->value_info[i]->name[0])
            get(c, g->value_info[i]->name)->vi = g->value_info[i];
    for (size_t i = 0; i < g->n_output; i++)
        if (g->output[i] && g->output[i]->name && g->output[i]->name[0]) {
            tensor_t *t = get(c, g->output[i]->name);
            if (!t->vi)
                t->vi = g->output[i];
        }
    for (size_t i = 0; i < g->n_input; i++) {
        const Onnx__ValueInfoProto *vi = g->input[i];
        if (!vi || !vi->name || !vi->name[0])
            return fail(c, SIP_EINVAL, "graph input %zu has no name", i);
        tensor_t *t = get(c, vi->name);
        if (t->weight)
            continue; /* an initializer listed as an input (IR < 4): its data wins */
        SIP_TRY(dims_from_type(c, vi, t));
        t->input = true;
        t->defined = true;
    }
    for (size_t i = 0; i < g->n_node; i++)
        for (size_t j = 0; j < g->node[i]->n_output; j++)
            if (g->node[i]->output[j] && g->node[i]->output[j][0])
                get(c, g->node[i]->output[j]);
    for (size_t i = 0; i < g->n_node; i++) {
        c->cur = (int)i;
        SIP_TRY(read_node(c));
        const Onnx__NodeProto *nd = g->node[i];
        for (size_t j = 0; j < nd->n_input; j++) {
            tensor_t *t = nd->input[j] && nd->input[j][0] ? find(c, nd->input[j]) : NULL;
            if (t)
                t->consumers++;
        }
    }
    c->cur = -1;
    for (size_t i = 0; i < g->n_output; i++) {
        tensor_t *t = g->output[i] && g->output[i]->name ? find(c, g->output[i]->name) : NULL;
        if (!t || !t->defined)
            return fail(c, SIP_EINVAL, "graph output '%s' is produced by no node (expected a "
                        "complete graph; truncated file?)",
                        g->output[i] ? str(g->output[i]->name) : "");
        /* The shapes the model declares for its outputs check the inference. */
        tensor_t declared = {.name = t->name, .rank = -1};
        SIP_TRY(dims_from_type(c, g->output[i], &declared));
        bool same = declared.rank < 0 || declared.rank == t->rank;
        for (int d = 0; same && declared.rank > 0 && d < t->rank; d++)
            same = declared.dims[d] == t->dims[d];
        if (!same) {
            char got[160], want[160];
            fmt_dims(t, got, sizeof got);
            fmt_dims(&declared, want, sizeof want);
            return fail(c, SIP_EINVAL, "graph output '%s' comes out %s (expected %s, the shape "
                        "the model declares)", t->name, got, want);
        }
    }
    /* Weights: initializers some kernel reads (shape constants are not weights). */
    for (int i = 0; i < c->n_t; i++)
        if (c->t[i].weight && c->t[i].consumers > 0 && c->t[i].n_vals < 0)
            weight_elems += (double)elems_of(&c->t[i]);
    for (size_t i = 0; i < g->n_node; i++)
        if (is_op(c, (int)i, "Softmax"))
            fuse_attention(c, (int)i);
    int n_ops = 0, shape_only = 0;
    for (size_t i = 0; i < g->n_node; i++) {
        const node_info_t *ni = &c->info[i];
        n_ops += ni->has_fused_kop ? 1 : (ni->fused ? 0 : ni->n_kops);
        shape_only += ni->shape_only;
    }
    seq->ops = calloc((size_t)n_ops + 1, sizeof *seq->ops);
    if (!seq->ops)
        return sip_error_set(c->err, SIP_ENOMEM, c->path, 0, "out of memory (%d kernels)",
                             n_ops);
    for (size_t i = 0; i < g->n_node; i++) {
        const node_info_t *ni = &c->info[i];
        if (ni->has_fused_kop)
            seq->ops[seq->n_ops++] = ni->fused_kop;
        else if (!ni->fused)
            for (int k = 0; k < ni->n_kops; k++)
                seq->ops[seq->n_ops++] = ni->kops[k];
    }
    for (int i = 0; i < seq->n_ops; i++)
        seq->macs += seq->ops[i].macs;
    seq->n_nodes = (int)g->n_node;
    seq->n_shape_only = shape_only;
    seq->weight_elems = weight_elems;
    return SIP_OK;
}

sip_status_t sip_onnx_parse(const uint8_t *data, size_t len, const char *path,
                            const sip_onnx_options_t *opts, sip_kernel_seq_t *out,
                            sip_error_t *err)
{
    memset(out, 0, sizeof *out);
    if (!path)
        path = "";
    if (len == 0)
        return sip_error_set(err, SIP_EPARSE, path, 0, "empty file (expected an ONNX model)");
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, data);
    if (!m)
        return sip_error_set(err, SIP_EPARSE, path, 0, "not a valid ONNX protobuf (truncated or "
                             "corrupt file; expected a ModelProto as onnx.save writes it)");
    sip_kernel_seq_t seq;
    memset(&seq, 0, sizeof seq);
    ctx_t c = {.path = path, .opts = opts, .err = err, .g = m->graph, .cur = -1};
    for (size_t i = 0; i < m->n_opset_import; i++)
        if (m->opset_import[i] && (!m->opset_import[i]->domain ||
                                   !m->opset_import[i]->domain[0] ||
                                   strcmp(m->opset_import[i]->domain, "ai.onnx") == 0))
            c.opset = m->opset_import[i]->version;
    sip_status_t st = SIP_OK;
    if (!m->graph || m->graph->n_node == 0) {
        st = sip_error_set(err, SIP_EINVAL, path, 0, "model has %s (expected a graph of "
                           "nodes)", m->graph ? "an empty graph" : "no graph");
        goto out;
    }
    /* onnx.save writes opset_import (field 8) after the graph (field 7): a file cut off right
     * after a complete graph still parses, and lacks it. */
    if (m->n_opset_import == 0) {
        st = sip_error_set(err, SIP_EINVAL, path, 0, "model has no opset_import (truncated "
                           "file? expected the operator set versions after the graph)");
        goto out;
    }
    if (strlen(path) >= sizeof seq.path) {
        st = sip_error_set(err, SIP_EINVAL, path, 0, "path too long");
        goto out;
    }
    snprintf(seq.path, sizeof seq.path, "%s", path);
    snprintf(seq.graph_name, sizeof seq.graph_name, "%.*s", (int)sizeof seq.graph_name - 1,
             str(m->graph->name));
    if ((st = walk(&c, &seq)) != SIP_OK)
        goto out;
    *out = seq;
    seq.ops = NULL;
out:
    sip_kernel_seq_fini(&seq);
    free(c.t);
    free(c.slots);
    free(c.info);
    onnx__model_proto__free_unpacked(m, NULL);
    return st;
}

sip_status_t sip_onnx_load(const char *path, const sip_onnx_options_t *opts,
                           sip_kernel_seq_t *out, sip_error_t *err)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return sip_error_set(err, SIP_EIO, path, 0, "cannot open (expected a readable ONNX "
                             "model)");
    sip_status_t st = SIP_OK;
    uint8_t *buf = NULL;
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    /* protobuf caps a message at 2 GB; larger models keep weights in external files. */
    if (size < 0 || size > INT32_MAX || fseek(f, 0, SEEK_SET) != 0) {
        st = sip_error_set(err, SIP_EIO, path, 0, "cannot size the file (expected a regular "
                           "file below 2 GB)");
        goto out;
    }
    buf = malloc((size_t)size + 1);
    if (!buf) {
        st = sip_error_set(err, SIP_ENOMEM, path, 0, "out of memory (%ld bytes)", size);
        goto out;
    }
    if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
        st = sip_error_set(err, SIP_EIO, path, 0, "read error");
        goto out;
    }
    st = sip_onnx_parse(buf, (size_t)size, path, opts, out, err);
out:
    free(buf);
    fclose(f);
    return st;
}
