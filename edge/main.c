/*
 * kiln-edge: the command line. A thin client of edge/config.c (options) and
 * edge/server.c (everything else). Exit status: 0 after a clean drain or
 * --help/--version, 1 startup or runtime errors, 2 usage and config errors.
 */
#include "common/log.h"
#include "edge/config.h"
#include "edge/server.h"

#include <stdio.h>

int
main(int argc, char **argv)
{
    /* Static: the struct holds several path buffers, too big to want on a stack. */
    static struct ke_config cfg;
    char err[8192];

    kc_log_init("kiln-edge", KC_LOG_WARN);
    ke_config_defaults(&cfg);
    int rc = ke_config_parse_args(&cfg, argc, argv, err, sizeof err);
    if (rc == 1)
        return 0;
    if (rc != 0) {
        fprintf(stderr, "kiln-edge: %s\n", err);
        return 2;
    }
    return ke_server_run(&cfg);
}
