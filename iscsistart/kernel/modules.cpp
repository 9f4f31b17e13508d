#include "modules.hpp"

#include "util/log.hpp"

#include <cerrno>
#include <cstring>
#include <libkmod.h>
#include <sys/stat.h>

namespace isr::kernel {
namespace {

// One libkmod context for the process: kmod_new reads the modprobe.d
// configuration and kmod_load_resources maps the modules.*.bin indexes,
// which is worth doing once, not for every module a boot loads. Never
// freed (the process is short-lived; the supervisor loads nothing).
kmod_ctx *context()
{
    static kmod_ctx *ctx = [] {
        kmod_ctx *c = kmod_new(nullptr, nullptr);
        if (c)
            kmod_load_resources(c);
        return c;
    }();
    return ctx;
}

// Debug level 2: each module libkmod inserts (dependencies and softdeps
// included), with the time, to see where a boot's module loading goes.
void trace_insert(kmod_module *m, bool install, const char *)
{
    log::debug(2, "modules: %s %s", install ? "install command for" : "inserting", kmod_module_get_name(m));
}

} // namespace

bool load_module(const std::string &name, std::string *why)
{
    if (module_present(name))
        return true;

    kmod_ctx *ctx = context();
    if (!ctx)
        return module_failure(why, "libkmod could not start; cannot load " + name);
    kmod_list *list = nullptr;
    bool ok = false;
    std::string failure;
    int err = kmod_module_new_from_lookup(ctx, name.c_str(), &list);
    if (err < 0 || !list) {
        failure = name + " not found in /lib/modules";
    } else {
        kmod_list *it;
        kmod_list_foreach(it, list)
        {
            kmod_module *mod = kmod_module_get_module(it);
            // No KMOD_PROBE_IGNORE_LOADED: that flag makes libkmod insert
            // every dependency again even when it is loaded, and the kernel
            // reads and checks the signature of each before it answers
            // EEXIST (scsi_mod again for sd_mod: ~25 ms under QEMU TCG).
            // Without it, loaded modules are skipped, `mod` included.
            int rc = kmod_module_probe_insert_module(mod, 0, nullptr, nullptr, nullptr,
                                                     log::level() >= 2 ? trace_insert : nullptr);
            if (rc == 0) {
                ok = true;
                log::debug(1, "modules: loaded %s", kmod_module_get_name(mod));
            } else {
                failure = std::string("loading ") + kmod_module_get_name(mod) + " failed: " + strerror(-rc);
            }
            kmod_module_unref(mod);
            if (ok)
                break;
        }
        kmod_module_unref_list(list);
    }
    return ok || module_failure(why, failure);
}

} // namespace isr::kernel
