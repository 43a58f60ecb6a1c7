/* placeholder, replaced below */
#include "cli.h"
int cli_search(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return CLI_USAGE;
}
