package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// kernelStubs declares, with the kernel's signatures, what
// repro_kunit.c uses: compiling the skeleton against them checks its C
// (syntax, types, every variable declared) without a kernel tree.
const kernelStubs = `
typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned int gfp_t;
#define NULL ((void *)0)
#define GFP_KERNEL 0u
struct kunit { int dummy; };
struct kunit_case { void (*run_case)(struct kunit *); const char *name; };
struct kunit_suite { const char *name; struct kunit_case *test_cases; };
#define KUNIT_CASE(f) { .run_case = f, .name = #f }
#define kunit_test_suite(s) struct kunit_suite *dangle_suite_ptr = &s
#define KUNIT_EXPECT_EQ(t, a, b) ((void)(t), (void)((a) == (b)))
#define KUNIT_EXPECT_FALSE(t, c) ((void)(t), (void)(c))
#define KUNIT_ASSERT_NOT_NULL_MSG(t, p, ...) ((void)(t), (void)(p))
#define MODULE_DESCRIPTION(s) extern int dangle_module_description
#define MODULE_LICENSE(s) extern int dangle_module_license
int pr_info(const char *fmt, ...);
struct device { int dummy; };
struct device_node { int dummy; };
struct platform_device { struct device dev; };
struct i2c_client { struct device dev; };
struct spi_device { struct device dev; };
struct device_link { int dummy; };
struct gpio_desc { int dummy; };
struct notifier_block { int (*notifier_call)(struct notifier_block *, unsigned long, void *); };
struct workqueue_struct { int dummy; };
extern struct workqueue_struct *system_wq;
struct of_device_id { int dummy; };
struct of_dev_auxdata { int dummy; };
enum gpiod_flags { GPIOD_ASIS };
#define IS_ERR(p) ((unsigned long)(void *)(p) >= (unsigned long)-4095)
#define DL_FLAG_STATELESS (1u << 0)
#define DL_FLAG_AUTOREMOVE_CONSUMER (1u << 1)
#define DL_FLAG_AUTOREMOVE_SUPPLIER (1u << 4)
#define DL_FLAG_AUTOPROBE_CONSUMER (1u << 5)
struct device_node *of_find_node_by_path(const char *path);
void of_node_put(struct device_node *np);
struct platform_device *of_find_device_by_node(struct device_node *np);
struct i2c_client *of_find_i2c_device_by_node(struct device_node *np);
struct spi_device *of_find_spi_device_by_node(struct device_node *np);
int of_overlay_fdt_apply(const void *overlay_fdt, u32 overlay_fdt_size, int *ret_ovcs_id, const struct device_node *base);
int of_overlay_remove(int *ovcs_id);
int of_overlay_remove_all(void);
int of_overlay_notifier_register(struct notifier_block *nb);
int of_overlay_notifier_unregister(struct notifier_block *nb);
int of_platform_populate(struct device_node *root, const struct of_device_id *matches, const struct of_dev_auxdata *lookup, struct device *parent);
void of_platform_depopulate(struct device *parent);
void device_release_driver(struct device *dev);
int device_attach(struct device *dev);
struct device *get_device(struct device *dev);
void put_device(struct device *dev);
struct device_link *device_link_add(struct device *consumer, struct device *supplier, u32 flags);
void device_link_del(struct device_link *link);
void device_link_remove(void *consumer, struct device *supplier);
void device_link_wait_removal(void);
void flush_workqueue(struct workqueue_struct *wq);
void *devres_open_group(struct device *dev, void *id, gfp_t gfp);
void devres_close_group(struct device *dev, void *id);
int devres_release_group(struct device *dev, void *id);
void devres_remove_group(struct device *dev, void *id);
int devm_add_action(struct device *dev, void (*action)(void *), void *data);
void devm_remove_action(struct device *dev, void (*action)(void *), void *data);
struct gpio_desc *gpiod_get(struct device *dev, const char *con_id, enum gpiod_flags flags);
void gpiod_put(struct gpio_desc *desc);
`

// TestExportCompiles compiles every exported repro_kunit.c with the C
// compiler against kernelStubs (skipped without one): the skeleton is
// valid C that declares what it uses and calls the kernel functions with
// their signatures.
func TestExportCompiles(t *testing.T) {
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("NOTICE: no C compiler: the KUnit skeletons are not compiled")
	}
	inc := t.TempDir()
	for _, h := range []string{"kunit/test.h", "linux/device.h", "linux/device/bus.h", "linux/gpio/consumer.h", "linux/i2c.h",
		"linux/of.h", "linux/of_platform.h", "linux/platform_device.h", "linux/spi/spi.h", "linux/workqueue.h"} {
		p := filepath.Join(inc, h)
		os.MkdirAll(filepath.Dir(p), 0o755)
		body := "#include \"" + filepath.Join(inc, "stubs.h") + "\"\n"
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(inc, "stubs.h"), []byte("#pragma once\n"+kernelStubs), 0o644)
	progs, _ := filepath.Glob("../../crashers/*/repro.prog")
	corpus, _ := filepath.Glob("../../corpus/*.prog")
	progs = append(progs, corpus...)
	progs = append(progs, write(t, "all-ops.prog", allOpsProg))
	for _, prog := range progs {
		out := t.TempDir()
		if code, stdout, stderr := run("export", "-o", out, prog); code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", prog, code, stdout, stderr)
		}
		cmd := exec.Command(cc, "-std=gnu11", "-fsyntax-only", "-Wall", "-Werror", "-Wno-unused-variable", "-Wno-unused-but-set-variable", "-nostdinc", "-I", inc, filepath.Join(out, "repro_kunit.c"))
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: repro_kunit.c does not compile: %v\n%s", prog, err, b)
		}
		if filepath.Base(prog) == "all-ops.prog" {
			c, _ := os.ReadFile(filepath.Join(out, "repro_kunit.c"))
			for _, want := range []string{"v_n = of_find_node_by_path(\"/soc/spi@4000\");", "of_node_put(v_n);", "v_l = device_link_add(d0, d1, DL_FLAG_STATELESS);", "device_link_del(v_l);", "put_device(v_dev);"} {
				if !strings.Contains(string(c), want) {
					t.Errorf("all-ops repro_kunit.c lacks %q", want)
				}
			}
		}
	}
}

// allOpsProg uses the ops with a C translation beyond the corpus's.
const allOpsProg = `dangle program v1
n = of_node_get node=/soc/spi@4000
of_node_put node=n
dev = get_device node=/soc/spi@4000
put_device dev=dev
l = device_link_add consumer=/soc/spi@4000 supplier=/soc/gpio@2000 flags=DL_FLAG_STATELESS
device_link_del link=l
device_link_remove consumer=/soc/spi@4000 supplier=/soc/gpio@2000
devres_open_group node=/soc/spi@4000 id=1
devres_close_group node=/soc/spi@4000 id=1
devres_release_group node=/soc/spi@4000 id=1
devm_add_action node=/soc/spi@4000 action=3
devm_remove_action node=/soc/spi@4000 action=3
of_platform_populate node=/soc
of_platform_depopulate node=/soc
device_attach node=/soc/spi@4000
flush_workqueue wq=events
device_link_wait_removal
nb = of_overlay_notifier_register action=keep-overlay
of_overlay_notifier_unregister nb=nb
`
