// Kernel modules through libkmod (modules.dep, aliases and softdeps as
// depmod wrote them under /lib/modules/$(uname -r)): modules.cpp. The
// static build (make static) has no libkmod and runs the initramfs's
// modprobe instead: modules_exec.cpp.
#pragma once

#include <string>

namespace isr::kernel {

/// Load `name` (a module name or alias) with its dependencies and softdeps,
/// unless /sys/module/<name> shows it is already there (loaded or built in).
/// Returns false, after a one-line warning, when it cannot be loaded; the
/// caller reports what is then missing.
bool load_module(const std::string &name);

/// Whether /sys/module/<name> exists ('-' read as '_'): the module is
/// loaded or built in. Shared by both load_module implementations.
bool module_present(const std::string &name);

} // namespace isr::kernel
