/* Reading one tensor of decimal numbers from a text file (or a buffer) for `sipsim quant`.
 * The input is untrusted: every byte is checked, the token length is bounded, the element
 * count is checked against a limit before the array grows, and every rejection names the line.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipsim/quant.h"

/* Longer than any sensible decimal double ("-1.2345678901234567e-308" is 24 characters). */
#define TOKEN_MAX 127
#define CHUNK_BYTES 65536

typedef struct {
    FILE *f;                  /* NULL: parsing a buffer */
    const unsigned char *buf; /* current chunk */
    size_t len, pos;
    unsigned char chunk[CHUNK_BYTES];
    bool io_error;
    int io_errno;
} source_t;

static int next_char(source_t *s)
{
    if (s->pos < s->len)
        return s->buf[s->pos++];
    if (!s->f)
        return EOF;
    s->len = fread(s->chunk, 1, sizeof s->chunk, s->f);
    s->pos = 0;
    s->buf = s->chunk;
    if (s->len == 0) {
        if (ferror(s->f)) {
            s->io_error = true;
            s->io_errno = errno;
        }
        return EOF;
    }
    return s->buf[s->pos++];
}

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool ends_token(int c)
{
    return c == EOF || c == '\n' || c == ',' || c == '#' || is_space(c);
}

/* The token as it can be printed: non-printable bytes as \xHH, cut at 40 characters. */
static void printable(const char *tok, size_t len, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 5 < size; i++) {
        const unsigned char c = (unsigned char)tok[i];
        if (i == 40) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        if (c >= 0x20 && c < 0x7f)
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
    }
    out[o] = '\0';
}

static bool names_non_finite(const char *tok)
{
    if (*tok == '+' || *tok == '-')
        tok++;
    static const char *const words[] = {"nan", "inf", "infinity"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t j = 0;
        while (words[i][j] && tok[j] && (tok[j] | 0x20) == words[i][j])
            j++;
        if (!words[i][j] && (!tok[j] || tok[j] == '('))
            return true;
    }
    return false;
}

static sip_status_t parse(source_t *s, const char *name, int64_t max_count, double **out,
                          int64_t *n_out, sip_error_t *err)
{
    sip_status_t st = SIP_OK;
    double *vals = NULL;
    int64_t n = 0, cap = 0;
    int line = 1;
    bool comma_pending = false, number_on_line = false, ended_line = false;
    char tok[TOKEN_MAX + 1], shown[TOKEN_MAX * 4 + 8];
    int c = next_char(s);
    for (;;) {
        if (c == EOF || c == '\n') {
            if (comma_pending) {
                st = sip_error_set(err, SIP_EPARSE, name, line,
                                   "nothing after ',' (expected a number)");
                goto out;
            }
            if (c == EOF)
                break;
            c = next_char(s);
            /* A final newline ends the last line; it does not start another. */
            ended_line = c == EOF;
            if (line < INT_MAX && !ended_line)
                line++;
            number_on_line = false;
            continue;
        }
        if (is_space(c)) {
            c = next_char(s);
            continue;
        }
        if (c == '#') {
            while (c != EOF && c != '\n')
                c = next_char(s);
            continue;
        }
        if (c == ',') {
            if (comma_pending || !number_on_line) {
                st = sip_error_set(err, SIP_EPARSE, name, line,
                                   "empty field before ',' (expected a number)");
                goto out;
            }
            comma_pending = true;
            c = next_char(s);
            continue;
        }
        size_t len = 0;
        bool too_long = false;
        while (!ends_token(c)) {
            if (len < TOKEN_MAX)
                tok[len++] = (char)c;
            else
                too_long = true;
            c = next_char(s);
        }
        tok[len] = '\0';
        printable(tok, len, shown, sizeof shown);
        if (too_long) {
            st = sip_error_set(err, SIP_EPARSE, name, line,
                               "'%s' is longer than %d characters (expected a number)", shown,
                               TOKEN_MAX);
            goto out;
        }
        if (names_non_finite(tok)) {
            st = sip_error_set(err, SIP_EPARSE, name, line,
                               "'%s' is not finite (expected a number)", shown);
            goto out;
        }
        /* Decimal only: strtod would also take hexadecimal floats, which a data file of
         * measured values never holds and a typo could produce. */
        if (strspn(tok, "0123456789+-.eE") != len) {
            st = sip_error_set(err, SIP_EPARSE, name, line, "'%s' is not a number (expected a "
                               "number)", shown);
            goto out;
        }
        char *end;
        errno = 0;
        const double v = strtod(tok, &end);
        if (end != tok + len || len == 0) {
            st = sip_error_set(err, SIP_EPARSE, name, line, "'%s' is not a number (expected a "
                               "number)", shown);
            goto out;
        }
        if (!isfinite(v)) { /* ERANGE overflow; underflow to a subnormal or zero is kept */
            st = sip_error_set(err, SIP_EPARSE, name, line, "'%s' is out of range (expected a "
                               "number of magnitude below 1.8e308)", shown);
            goto out;
        }
        if (n >= max_count) {
            st = sip_error_set(err, SIP_ELIMIT, name, line, "more than %lld numbers (expected at "
                               "most %lld)", (long long)max_count, (long long)max_count);
            goto out;
        }
        if (n == cap) {
            int64_t grown = cap ? (cap <= max_count / 2 ? cap * 2 : max_count) : 1024;
            if (grown > max_count)
                grown = max_count;
            double *p = realloc(vals, (size_t)grown * sizeof *vals);
            if (!p) {
                st = sip_error_set(err, SIP_ENOMEM, name, line, "no memory for %lld numbers",
                                   (long long)grown);
                goto out;
            }
            vals = p;
            cap = grown;
        }
        vals[n++] = v;
        number_on_line = true;
        comma_pending = false;
    }
    if (s->io_error) {
        st = sip_error_set(err, SIP_EIO, name, line, "read error: %s", strerror(s->io_errno));
        goto out;
    }
    if (n == 0) {
        st = sip_error_set(err, SIP_EPARSE, name, line, "no numbers in the input (expected a "
                           "number)");
        goto out;
    }
out:
    if (st != SIP_OK) {
        free(vals);
        vals = NULL;
        n = 0;
    }
    *out = vals;
    *n_out = n;
    return st;
}

static sip_status_t check_args(int64_t *max_count, double **out, int64_t *n_out, const char *name,
                               sip_error_t *err)
{
    if (!out || !n_out)
        return sip_error_set(err, SIP_EINVAL, name, 0, "no output given");
    *out = NULL;
    *n_out = 0;
    if (*max_count < 0)
        return sip_error_set(err, SIP_EINVAL, name, 0, "limit %lld (expected >= 0)",
                             (long long)*max_count);
    /* Above 2^60 doubles the byte count itself would overflow size_t arithmetic. */
    if (*max_count == 0 || *max_count > ((int64_t)1 << 60))
        *max_count = *max_count == 0 ? SIP_NUMBERS_MAX_DEFAULT : ((int64_t)1 << 60);
    return SIP_OK;
}

sip_status_t sip_numbers_parse(const char *text, size_t len, const char *name, int64_t max_count,
                               double **out, int64_t *n_out, sip_error_t *err)
{
    SIP_TRY(check_args(&max_count, out, n_out, name, err));
    if (!text && len > 0)
        return sip_error_set(err, SIP_EINVAL, name, 0, "no text given");
    source_t *s = calloc(1, sizeof *s);
    if (!s)
        return sip_error_set(err, SIP_ENOMEM, name, 0, "out of memory");
    s->buf = (const unsigned char *)text;
    s->len = len;
    sip_status_t st = parse(s, name, max_count, out, n_out, err);
    free(s);
    return st;
}

sip_status_t sip_numbers_read(const char *path, int64_t max_count, double **out, int64_t *n_out,
                              sip_error_t *err)
{
    SIP_TRY(check_args(&max_count, out, n_out, path, err));
    if (!path)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "no path given");
    source_t *s = calloc(1, sizeof *s);
    if (!s)
        return sip_error_set(err, SIP_ENOMEM, path, 0, "out of memory");
    sip_status_t st;
    s->f = fopen(path, "rb");
    if (!s->f) {
        st = sip_error_set(err, SIP_EIO, path, 0, "cannot open: %s", strerror(errno));
        goto out;
    }
    st = parse(s, path, max_count, out, n_out, err);
out:
    if (s->f)
        fclose(s->f);
    free(s);
    return st;
}
