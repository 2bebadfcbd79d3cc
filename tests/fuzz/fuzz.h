/* Shared by the fuzz targets: an invariant that, broken, stops the run with
 * the file and line, and the libFuzzer entry point every target defines. */
#ifndef HB_FUZZ_H
#define HB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond)                                                                      \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            printf("fuzz invariant failed: %s:%d: %s\n", __FILE__, __LINE__, #cond);         \
            fflush(stdout);                                                                   \
            abort();                                                                          \
        }                                                                                     \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
