/* report: report.html, one self-contained page (no network: inline CSS,
 * SVG and a few lines of script) drawn from results.sqlite once a run has
 * ended: the run's overview, a place × topic heatmap of attention, kind
 * shares per place, the largest figures per topic, and one town's summary
 * beside its plans.  Chinese labels throughout.  Beyond HB_REPORT_MAX_ROWS
 * places the rows are counties (then cities, provinces), and the page says
 * so.  docs/results.md describes it. */
#ifndef HB_REPORT_H
#define HB_REPORT_H

#include "figtop.h"

#define HB_REPORT_MAX_ROWS 2000

/* Reads DIR/results.sqlite and top (the figures the run wrote there, kept
 * as they went in), writes DIR/report.html.  0, or -1 after logging why. */
int hb_report_write(const char *dir, const hb_figtop_t *top);

#endif
