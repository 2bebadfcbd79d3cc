#include "progress.h"

#include <stdio.h>
#include <unistd.h>

#define BAR 24

void hb_progress_init(hb_progress_t *p, double every, uint64_t total, uint64_t before,
                      double now)
{
    *p = (hb_progress_t){.tty = isatty(2), .every = every, .started = now, .last = now,
                         .total = total, .before = before};
}

/* "about 3 min left" */
static void left(char *buf, size_t len, double seconds)
{
    if (seconds < 90)
        snprintf(buf, len, ", about %.0f s left", seconds);
    else if (seconds < 5400)
        snprintf(buf, len, ", about %.0f min left", seconds / 60);
    else
        snprintf(buf, len, ", about %.1f h left", seconds / 3600);
}

void hb_progress_show(hb_progress_t *p, double now, uint64_t docs, uint64_t units,
                      uint64_t rejects, uint64_t bytes, bool final)
{
    if (!final && now - p->last < (p->tty && p->every > 0.5 ? 0.5 : p->every))
        return;
    if (final && !p->drawn)
        return; /* the summary line says the rest */
    p->last = now;
    double secs = now - p->started > 0.001 ? now - p->started : 0.001;
    uint64_t done = p->before + docs + rejects;
    char total[32] = "", share[16] = "", eta[48] = "", bar[BAR + 3] = "";
    if (p->total && done <= p->total) {
        snprintf(total, sizeof total, "/%llu", (unsigned long long)p->total);
        snprintf(share, sizeof share, " (%.0f%%)", 100.0 * done / p->total);
        if (docs + rejects && done < p->total)
            left(eta, sizeof eta, (double)(p->total - done) * secs / (double)(docs + rejects));
        if (p->tty) {
            size_t fill = (size_t)(BAR * done / p->total);
            bar[0] = '[';
            for (size_t i = 0; i < BAR; i++)
                bar[i + 1] = i < fill ? '#' : '.';
            bar[BAR + 1] = ']';
            bar[BAR + 2] = '\0';
        }
    }
    fprintf(stderr, "%s%s%shuibao: %llu%s documents%s, %llu units, %llu rejected, %.1f MB, "
            "%.0f documents/s, %.1f MB/s%s%s",
            p->tty ? "\r\033[K" : "", bar, bar[0] ? " " : "", (unsigned long long)done, total,
            share,
            (unsigned long long)units, (unsigned long long)rejects, bytes / 1e6,
            (docs + rejects) / secs, bytes / 1e6 / secs, eta, p->tty && !final ? "" : "\n");
    p->drawn = p->tty && !final;
}
