// libFuzzer target: the iBFT parser must reject any input with an
// isr::Error, never crash, hang or read out of bounds (run under ASan
// and UBSan by `make fuzz`). Every input is parsed twice: as given, and
// with its checksum repaired, so mutations get past the checksum test
// into the structure and string checks.
#include "../ibft/ibft.hpp"
#include "util/errors.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

static void parse_one(const uint8_t *data, size_t size)
{
    try {
        isr::ibft::Table t = isr::ibft::parse(data, size);
        for (const auto &g : t.targets)
            (void)g.lun_number();
        for (const auto &n : t.nics)
            (void)(n.pci_path() + n.ip.text() + n.gateway.text());
    } catch (const isr::Error &) {
    }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse_one(data, size);
    if (size < 10)
        return 0;
    std::vector<uint8_t> fixed(data, data + size);
    size_t len = fixed[4] | fixed[5] << 8 | fixed[6] << 16 | (size_t)fixed[7] << 24;
    if (len > size || len < 10)
        return 0;
    fixed[9] = 0;
    uint8_t sum = 0;
    for (size_t i = 0; i < len; ++i)
        sum += fixed[i];
    fixed[9] = (uint8_t)(0x100 - sum);
    parse_one(fixed.data(), fixed.size());
    return 0;
}
