// login_probe: run only the login phase of iscsistart against a real target
// (no kernel handoff) and print what was negotiated. Takes iscsistart's
// options. Used by tests/integration/ against tgtd on 127.0.0.1.
#include "../../iscsistart/cli/options.hpp"
#include "../../iscsistart/login/client.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"

#include <cstdio>

using namespace isr;

int main(int argc, char **argv)
{
    try {
        cli::Options o = cli::parse(argc, argv);
        log::set_level(o.debug);
        pdu::Isid isid{0x80, 0x12, 0x34, 0x56, 0, 0};
        LoginResult r = login_with_retries(cli::session_config(o), isid, 1);
        const Negotiated &n = r.neg;
        printf("portal=%s:%u tsih=%u tpgt=%d max_xmit=%u max_recv=%u first_burst=%u max_burst=%u imm=%d r2t=%d exp_statsn=%u\n",
               r.portal.host.c_str(), r.portal.port, n.tsih, n.tpgt, n.max_xmit_dlength, n.max_recv_dlength, n.first_burst, n.max_burst,
               n.immediate_data, n.initial_r2t, n.exp_statsn);
        return 0;
    } catch (const Error &e) {
        fprintf(stderr, "login_probe: %s\n", e.what());
        return e.code();
    }
}
