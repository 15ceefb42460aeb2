/* gz_stream_fuzz.c - libFuzzer target for the strict gzip reader (io/gz_stream.c):
 * any bytes as a .gz file read to the end or to an error with a message, in
 * reads of a size taken from the input (byte 0), with no crash, leak or hang,
 * and never more bytes than asked for. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "io/gz_stream.h"

/* Most bytes inflated from one input (a zip bomb stops here, not at the RSS limit). */
#define MAX_OUT ((size_t)8 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_ctx *run = fuzz_run();
    if (size < 1) return 0;
    const size_t want = 1 + (size_t)data[0] * 97; /* reads of 1 .. 24736 bytes */
    char path[64];
    int fd = fuzz_file(data + 1, size - 1, path, sizeof path);
    if (fd < 0) return 0;
    lseek(fd, 0, SEEK_SET);
    gz_stream *g = NULL;
    int rc = gz_stream_open(run, path, fd, &g); /* owns fd from here */
    char *buf = malloc(want);
    size_t total = 0, got = 1;
    while (rc == SB_OK && buf != NULL && got > 0 && total < MAX_OUT) {
        rc = gz_stream_read(run, g, buf, want, &got, 1);
        if (rc == SB_OK && got > want) abort();
        total += got;
    }
    fuzz_check_refusal(run, rc);
    free(buf);
    if (g != NULL) gz_stream_close(g);
    return 0;
}
