// Kernel modules through libkmod (modules.dep, aliases and softdeps as
// depmod wrote them under /lib/modules/$(uname -r)): modules.cpp. The
// static build (make static) has no libkmod and runs the initramfs's
// modprobe instead: modules_exec.cpp.
#pragma once

#include <string>

namespace isr::kernel {

/// Load `name` (a module name or alias) with its dependencies and softdeps,
/// unless /sys/module/<name> shows it is already there (loaded or built in).
/// Returns false when it cannot be loaded, after one error line naming
/// the module and the reason; with `why`, that reason goes to *why
/// instead, for a caller that folds it into its own line. The caller
/// reports what is then missing.
bool load_module(const std::string &name, std::string *why = nullptr);

/// Whether /sys/module/<name> exists ('-' read as '_'): the module is
/// loaded or built in. Shared by both load_module implementations.
bool module_present(const std::string &name);

/// load_module's failure report: `message` to *why when given, else one
/// "modules: ..." error line. Returns false. Shared by both implementations.
bool module_failure(std::string *why, const std::string &message);

} // namespace isr::kernel
