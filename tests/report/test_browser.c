/* Every shipped package's HTML report (and the hostile-names package) opened in headless
 * Chromium (Debian package `chromium`; SIPSIM_CHROMIUM names another binary): the page must
 * render without a console message (errors, CSP violations, failed fetches), every section must
 * be laid out visibly with text in it, every inline SVG must have a size, and the screenshot
 * must be the window's size.  Skipped, with a message, when no chromium is installed.
 *
 * How: the test adds one script to a copy of the page, allowed by a nonce added to the page's
 * own Content-Security-Policy (which otherwise stays as written: nothing may be fetched).  The
 * script measures the sections and logs one "SIPSIM-LAYOUT ..." console line, which Chromium
 * prints with --enable-logging=stderr; every other console line is a failure.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report_test.h"

typedef struct {
    char path[512];
} page_param_t;

ParameterizedTestParameters(report_browser, renders_every_section_without_console_errors)
{
    static shipped_t s; /* large: not on the stack */
    shipped_packages(&s);
    int n = s.n + 1;
    page_param_t *p = cr_malloc(sizeof *p * (size_t)n);
    for (int i = 0; i < s.n; i++)
        snprintf(p[i].path, sizeof p[i].path, "%s", s.path[i]);
    snprintf(p[s.n].path, sizeof p[s.n].path, "%s", "tests/data/report/xss.cfg");
    return cr_make_param_array(page_param_t, p, (size_t)n, NULL);
}

/* chromium on PATH (or SIPSIM_CHROMIUM); NULL if none. */
static const char *find_chromium(char *buf, size_t size)
{
    const char *env = getenv("SIPSIM_CHROMIUM");
    if (env && *env)
        return access(env, X_OK) == 0 ? env : NULL;
    const char *names[] = {"chromium", "chromium-browser", "google-chrome"};
    const char *path = getenv("PATH");
    for (size_t k = 0; path && k < sizeof names / sizeof names[0]; k++) {
        const char *p = path;
        while (*p) {
            size_t len = strcspn(p, ":");
            snprintf(buf, size, "%.*s/%s", (int)len, p, names[k]);
            if (len > 0 && access(buf, X_OK) == 0)
                return buf;
            p += len + (p[len] == ':');
        }
    }
    return NULL;
}

/* Measures the page from inside; '</scr' + 'ipt>' keeps the HTML parser from ending the script
 * inside the string. */
static const char PROBE[] =
    "<script nonce=\"sipsimtest\">(function(){"
    "var o=[];document.querySelectorAll('section').forEach(function(s){"
    "var r=s.getBoundingClientRect(),cs=getComputedStyle(s);"
    "var vis=cs.display!=='none'&&cs.visibility!=='hidden'&&parseFloat(cs.opacity)>0;"
    "o.push(s.id+':'+Math.round(r.width)+':'+Math.round(r.height)+':'+(vis?1:0)+':'+"
    "s.innerText.trim().length);});"
    "var v=[];document.querySelectorAll('svg').forEach(function(e){"
    "var r=e.getBoundingClientRect();v.push(Math.round(r.width)+':'+Math.round(r.height));});"
    "var lit='<scr'+'ipt>alert(1)</scr'+'ipt>',t=0;"
    "document.querySelectorAll('svg text').forEach(function(e){if(e.textContent===lit)t++;});"
    "console.log('SIPSIM-LAYOUT sections='+o.join(',')+' svgs='+v.join(',')+' scripts='+"
    "document.scripts.length+' img='+document.images.length+' lit='+"
    "(document.body.innerText.indexOf(lit)>=0?1:0)+' svglit='+t+' END');"
    "})();</script>\n";

static const char CSP[] = "default-src 'none';";

static void write_instrumented(const char *html, const char *path)
{
    const char *csp = strstr(html, CSP);
    const char *body = strstr(html, "</body>");
    cr_assert_not_null(csp, "the page has no CSP");
    cr_assert_not_null(body);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fwrite(html, 1, (size_t)(csp - html) + strlen(CSP), f);
    fputs(" script-src 'nonce-sipsimtest';", f);
    const char *rest = csp + strlen(CSP);
    fwrite(rest, 1, (size_t)(body - rest), f);
    fputs(PROBE, f);
    fputs(body, f);
    fclose(f);
}

/* The value after "key=" up to the next space in the layout line. */
static void field(const char *line, const char *key, char *out, size_t size)
{
    char k[32];
    snprintf(k, sizeof k, " %s=", key);
    const char *p = strstr(line, k);
    cr_assert_not_null(p, "layout line has no %s: %s", key, line);
    p += strlen(k);
    size_t n = strcspn(p, " ");
    cr_assert_lt(n, size);
    memcpy(out, p, n);
    out[n] = '\0';
}

ParameterizedTest(page_param_t *param, report_browser, renders_every_section_without_console_errors,
                  .timeout = 240)
{
    char chromium_buf[1024];
    const char *chromium = find_chromium(chromium_buf, sizeof chromium_buf);
    if (!chromium)
        cr_skip_test("headless Chromium not found (install the Debian package chromium, or set "
                     "SIPSIM_CHROMIUM): browser test of the HTML report skipped");
    bool xss = strstr(param->path, "xss.cfg") != NULL;
    sip_package_t *pkg = rt_load(param->path);
    sip_report_options_t o;
    sip_report_options_init(&o);
    o.thermal_power_caps = false; /* one solve per die: slow under sanitizers, same page parts */
    sip_report_t *r = rt_report(pkg, &o);
    char *html = rt_capture(r, RT_HTML, NULL);

    char dir[] = "/tmp/sipsim-browser-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char page[600], shot[600], log[600], cmd[4096];
    snprintf(page, sizeof page, "%s/page.html", dir);
    snprintf(shot, sizeof shot, "%s/shot.png", dir);
    snprintf(log, sizeof log, "%s/chromium.log", dir);
    write_instrumented(html, page);
    snprintf(cmd, sizeof cmd,
             "timeout 120 '%s' --headless --no-sandbox --disable-gpu --disable-quic "
             "--no-first-run --disable-background-networking --disable-component-update "
             "--disable-sync --user-data-dir='%s/profile' --enable-logging=stderr --v=0 "
             "--window-size=1280,900 --screenshot='%s' 'file://%s' >/dev/null 2>'%s'",
             chromium, dir, shot, page, log);
    int st = system(cmd);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: chromium exited %d (log %s)",
              param->path, WIFEXITED(st) ? WEXITSTATUS(st) : -1, log);

    /* console: exactly our layout line, nothing else */
    size_t n_log = 0;
    char *text = test_read_file(log, &n_log);
    cr_assert_not_null(text);
    char *layout = NULL;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        bool console = strstr(line, ":CONSOLE") != NULL || strstr(line, "Uncaught") != NULL;
        if (console && strstr(line, "\"SIPSIM-LAYOUT ")) {
            cr_assert_null(layout, "%s: two layout lines", param->path);
            layout = line;
        } else {
            cr_assert(!console, "%s: console message: %s", param->path, line);
        }
    }
    cr_assert_not_null(layout, "%s: the page did not report its layout (log %s)", param->path, log);

    /* every section in the page is laid out, visible, with text */
    char sections[4096];
    field(layout, "sections", sections, sizeof sections);
    int n_sections = 0;
    for (const char *p = strstr(html, "<section id=\""); p; p = strstr(p + 1, "<section id=\"")) {
        char id[64];
        const char *q = p + strlen("<section id=\"");
        size_t len = strcspn(q, "\"");
        snprintf(id, sizeof id, "%.*s:", (int)len, q);
        const char *s = strstr(sections, id);
        cr_assert_not_null(s, "%s: section %s not in the layout: %s", param->path, id, sections);
        int w = 0, h = 0, vis = 0, chars = 0;
        cr_assert_eq(sscanf(s + strlen(id), "%d:%d:%d:%d", &w, &h, &vis, &chars), 4);
        cr_assert(w >= 600 && h >= 40 && vis == 1 && chars >= 10,
                  "%s: section %s is %d x %d px, visible %d, %d characters", param->path, id, w,
                  h, vis, chars);
        n_sections++;
    }
    cr_assert_geq(n_sections, 6, "%s: only %d sections", param->path, n_sections);
    char svgs[1024];
    field(layout, "svgs", svgs, sizeof svgs);
    int n_svg = 0;
    for (char *tok = strtok(svgs, ","); tok; tok = strtok(NULL, ",")) {
        int w = 0, h = 0;
        cr_assert_eq(sscanf(tok, "%d:%d", &w, &h), 2);
        cr_assert(w >= 300 && h >= 200, "%s: an SVG is %d x %d px", param->path, w, h);
        n_svg++;
    }
    cr_assert_eq(n_svg, rt_count(html, "<svg "), "%s", param->path);
    cr_assert_geq(n_svg, 1);

    /* the only script is the probe; hostile names stay text */
    char v[32];
    field(layout, "scripts", v, sizeof v);
    cr_assert_str_eq(v, "1", "%s: scripts in the page", param->path);
    field(layout, "img", v, sizeof v);
    cr_assert_str_eq(v, "0", "%s: images in the page", param->path);
    if (xss) {
        field(layout, "lit", v, sizeof v);
        cr_assert_str_eq(v, "1", "the chiplet name is not visible as literal text");
        field(layout, "svglit", v, sizeof v);
        cr_assert_geq(atoi(v), 1, "no SVG label reads <script>alert(1)</script>");
    }

    /* the screenshot is the window */
    size_t n_png = 0;
    unsigned char *png = (unsigned char *)test_read_file(shot, &n_png);
    cr_assert_not_null(png, "%s: no screenshot", param->path);
    cr_assert_gt(n_png, 10000, "%s: screenshot of %zu bytes looks blank", param->path, n_png);
    cr_assert_eq(memcmp(png, "\x89PNG\r\n\x1a\n", 8), 0);
    uint32_t w = (uint32_t)png[16] << 24 | (uint32_t)png[17] << 16 | (uint32_t)png[18] << 8 | png[19];
    uint32_t h = (uint32_t)png[20] << 24 | (uint32_t)png[21] << 16 | (uint32_t)png[22] << 8 | png[23];
    cr_assert(w == 1280 && h == 900, "%s: screenshot %u x %u", param->path, w, h);

    free(png);
    free(text);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    free(html);
    sip_report_destroy(r);
    sip_package_destroy(pkg);
}
