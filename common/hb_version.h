/* The version of huibao, said by every program's --version (hb_opt.c) and
 * written into huibao.pc by `make install`: the one place it is set. */
#ifndef HB_VERSION_H
#define HB_VERSION_H

#define HB_VERSION "0.1.0"

#endif
