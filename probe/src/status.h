/* status.h - php-fpm pool status (?json) parsing, verdict and the
 * normalized JSON that `fpm-probe status` prints. Pure functions. */
#ifndef FPM_PROBE_STATUS_H
#define FPM_PROBE_STATUS_H

#include <stddef.h>

/* Fields of php-fpm's status page, by the names php-fpm uses. */
enum st_field {
    ST_START_TIME,
    ST_START_SINCE,
    ST_ACCEPTED_CONN,
    ST_LISTEN_QUEUE,
    ST_MAX_LISTEN_QUEUE,
    ST_LISTEN_QUEUE_LEN,
    ST_IDLE,
    ST_ACTIVE,
    ST_TOTAL,
    ST_MAX_ACTIVE,
    ST_MAX_CHILDREN_REACHED,
    ST_SLOW_REQUESTS,
    ST_NFIELDS
};

struct fpm_status {
    char pool[64];
    char pm[32];
    int have_pool, have_pm;
    long long v[ST_NFIELDS];
    int have[ST_NFIELDS];
};

/* Parses php-fpm's flat JSON status object (unknown members, nested values
 * and escapes are tolerated; nesting is bounded). Returns 0 on success, -1
 * if the text is not JSON or lacks pool, idle/active/total processes or
 * listen queue. On -1, *why is a constant message. */
int status_parse(const char *text, size_t len, struct fpm_status *st,
                 const char **why);

/* Thresholds; a negative value means "not set". */
struct status_limits {
    long long max_listen_queue;
    long long max_busy_seconds;
};

enum verdict { V_GREEN = 0, V_BUSY = 2 };

/* Decides green or busy. busy_for is how long (seconds) the pool has had no
 * idle worker, or -1 if unknown (then "no idle worker now" counts as busy
 * unless max_busy_seconds is set... see status.c). reason gets a short
 * explanation (always NUL-terminated). */
enum verdict status_verdict(const struct fpm_status *st,
                            const struct status_limits *lim,
                            long long busy_for, char *reason, size_t rlen);

/* Next value of the "busy since" timestamp kept in the state file: 0 when
 * the pool has an idle worker, else the earlier timestamp (or now). */
long long status_busy_since(const struct fpm_status *st, long long prev,
                            long long now);

/* Writes the normalized JSON object (one line, no newline). Returns the
 * length it needs (snprintf-like); writes at most cap bytes incl. NUL. */
size_t status_json(const struct fpm_status *st, enum verdict v,
                   long long busy_for, const char *reason, char *out,
                   size_t cap);

/* JSON string escaping of src[0..len) into out (NUL-terminated, truncated
 * to cap). Returns the length needed without the NUL. */
size_t json_escape(const char *src, size_t len, char *out, size_t cap);

#endif
