/* Fuzz regressions: every input a harness in fuzz/ once failed on (tests/data/regress/
 * HARNESS-NAME) and every seed (fuzz/seeds/HARNESS/) is replayed through the harness's own code,
 * compiled into this suite.  A harness aborts on a crash, a failure without a message or a broken
 * invariant, which fails the test; sanitizer builds also catch memory errors and leaks.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>

#include "hardening.h"

int sip_fuzz_package_one(const uint8_t *data, size_t size);
int sip_fuzz_hotspot_one(const uint8_t *data, size_t size);
int sip_fuzz_anynet_one(const uint8_t *data, size_t size);
int sip_fuzz_sweep_one(const uint8_t *data, size_t size);
int sip_fuzz_onnx_one(const uint8_t *data, size_t size);

typedef int (*harness_fn)(const uint8_t *data, size_t size);

static const struct {
    const char *name;
    harness_fn run;
} harnesses[] = {
    {"package", sip_fuzz_package_one},
    {"hotspot", sip_fuzz_hotspot_one},
    {"anynet", sip_fuzz_anynet_one},
    {"sweep", sip_fuzz_sweep_one},
    {"onnx", sip_fuzz_onnx_one},
};

static harness_fn harness_of(const char *file)
{
    for (size_t h = 0; h < sizeof harnesses / sizeof harnesses[0]; h++) {
        size_t n = strlen(harnesses[h].name);
        if (strncmp(file, harnesses[h].name, n) == 0 && file[n] == '-')
            return harnesses[h].run;
    }
    return NULL;
}

static void replay(const char *path, harness_fn run)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    struct stat sb;
    cr_assert_eq(fstat(fileno(f), &sb), 0);
    uint8_t *data = malloc((size_t)sb.st_size + 1);
    cr_assert_not_null(data);
    cr_assert_eq(fread(data, 1, (size_t)sb.st_size, f), (size_t)sb.st_size);
    fclose(f);
    run(data, (size_t)sb.st_size);
    free(data);
}

/* Harnesses with file readers write into $TMPDIR: keep that inside the build tree. */
static void scratch_in_build(void)
{
    const char *build = getenv("SIPSIM_BUILD_ROOT");
    if (build)
        setenv("TMPDIR", build, 1);
}

Test(hardening_regress, every_regression_input_passes_its_harness, .init = scratch_in_build)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/data/regress", hard_source_root());
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0)
            continue;
        harness_fn run = harness_of(e->d_name);
        cr_assert_not_null(run, "%s/%s: name must start with a harness (package-, hotspot-, "
                                "anynet-, sweep-)", dir, e->d_name);
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        replay(path, run);
        n++;
    }
    closedir(d);
    cr_assert_gt(n, 0, "no regression inputs in %s", dir);
}

Test(hardening_regress, every_seed_passes_its_harness, .init = scratch_in_build)
{
    int n = 0;
    for (size_t h = 0; h < sizeof harnesses / sizeof harnesses[0]; h++) {
        /* The package harness's seeds are the shipped files (next test). */
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/fuzz/seeds/%s", hard_source_root(), harnesses[h].name);
        DIR *d = opendir(dir);
        if (!d)
            continue;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char path[2048];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            replay(path, harnesses[h].run);
            n++;
        }
        closedir(d);
    }
    cr_assert_gt(n, 0, "no seeds under fuzz/seeds/");
}

/* The package harness also runs every shipped package, so the engines' invariants it checks
 * (flow conservation, energy balance) hold on all of them. */
Test(hardening_regress, shipped_packages_pass_the_package_harness, .init = scratch_in_build)
{
    char names[HARD_MAX_SHIPPED][128];
    int n = hard_shipped(names);
    for (int i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/topologies/%s", hard_source_root(), names[i]);
        /* The harness loads with the library folder only: the package must load that way for
         * this test to reach the engines. */
        sip_package_destroy(hard_load_shipped(names[i]));
        FILE *f = fopen(path, "rb");
        cr_assert_not_null(f);
        hard_buf_t text = {0};
        char chunk[4096];
        size_t got;
        while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
            hard_printf(&text, "%.*s", (int)got, chunk);
        fclose(f);
        sip_package_t *pkg = NULL;
        sip_error_t err;
        cr_assert_eq(hard_load_string(text.s, &pkg, &err), SIP_OK, "%s: %s", names[i], err.message);
        sip_package_destroy(pkg);
        free(text.s);
        replay(path, sip_fuzz_package_one);
    }
}

/* Every shipped sweep spec through the sweep harness (first, middle and last variant). */
Test(hardening_regress, shipped_sweeps_pass_the_sweep_harness, .init = scratch_in_build)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/sweeps", hard_source_root());
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".cfg") != 0)
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        replay(path, sip_fuzz_sweep_one);
        n++;
    }
    closedir(d);
    cr_assert_gt(n, 0);
}

/* Every ONNX test model (good, corrupt and refused ones) through the onnx harness. */
Test(hardening_regress, import_models_pass_the_onnx_harness, .init = scratch_in_build)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/data/import", hard_source_root());
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".onnx") != 0)
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        replay(path, sip_fuzz_onnx_one);
        n++;
    }
    closedir(d);
    cr_assert_gt(n, 0);
}
