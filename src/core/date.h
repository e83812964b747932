/* date.h — calendar dates as "YYYY-MM-DD" text and as day numbers. */
#ifndef DJ_DATE_H
#define DJ_DATE_H

#include <stdbool.h>
#include <stdint.h>

/* Parse a strict YYYY-MM-DD (a real calendar day, years 1900–2200). */
bool date_parse(const char *s, int *y, int *m, int *d);
bool date_valid(const char *s);
/* Parse a strict YYYY-MM (years 1900–2200). */
bool date_month_parse(const char *s, int *y, int *m);
/* Days since 1970-01-01 (proleptic Gregorian). */
int64_t date_days(int y, int m, int d);
void date_from_days(int64_t days, int *y, int *m, int *d);
/* Writes "YYYY-MM-DD" into out[11]. */
void date_format(char out[11], int y, int m, int d);
/* Today in China Standard Time; the day given to date_pin() if any, else
 * DANGJIAN_TODAY if set (tests and demos pin it). */
void date_today(char out[11]);
/* Pin today for this process (NULL or "" unpins).  Not thread-safe: call it
 * before threads start, or in a single-threaded command. */
void date_pin(const char *day);
/* `s` shifted by years/months/days; month ends are clamped (02-29 + 1y = 02-28). */
void date_add(char out[11], const char *s, int years, int months, int days);
/* b - a in days; both must be valid. */
int64_t date_diff(const char *a, const char *b);
/* UTC timestamp now as ISO-8601 "YYYY-MM-DDTHH:MM:SSZ" into out[21]. */
void date_now_iso(char out[21]);
int64_t date_now_unix(void);

#endif
