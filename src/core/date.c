#include "date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

bool date_parse(const char *s, int *y, int *m, int *d)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int yy = atoi(s), mm = atoi(s + 5), dd = atoi(s + 8);
	if (yy < 1900 || yy > 2200 || mm < 1 || mm > 12 || dd < 1 || dd > days_in_month(yy, mm))
		return false;
	if (y) *y = yy;
	if (m) *m = mm;
	if (d) *d = dd;
	return true;
}

bool date_valid(const char *s)
{
	return date_parse(s, NULL, NULL, NULL);
}

bool date_month_parse(const char *s, int *y, int *m)
{
	char first[16];
	if (!s || strlen(s) != 7)
		return false;
	snprintf(first, sizeof first, "%s-01", s);
	return date_parse(first, y, m, NULL);
}

/* Howard Hinnant's days_from_civil. */
int64_t date_days(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void date_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int dd = (int)(doy - (153 * mp + 2) / 5 + 1);
	int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (mm <= 2));
	*m = mm;
	*d = dd;
}

void date_format(char out[11], int y, int m, int d)
{
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
}

/* Set by date_pin() at start-up (a command's --today) or by the single-
 * threaded generator; servers only read it. */
static char pinned[11];

void date_pin(const char *day)
{
	if (day && date_valid(day))
		memcpy(pinned, day, 11);
	else
		pinned[0] = 0;
}

void date_today(char out[11])
{
	if (pinned[0]) {
		memcpy(out, pinned, 11);
		return;
	}
	const char *pin = getenv("DANGJIAN_TODAY");
	if (pin && date_valid(pin)) {
		memcpy(out, pin, 11);
		return;
	}
	time_t t = time(NULL) + 8 * 3600;	/* China Standard Time, no DST */
	struct tm tm;
	gmtime_r(&t, &tm);
	date_format(out, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void date_add(char out[11], const char *s, int years, int months, int days)
{
	int y, m, d;
	if (!date_parse(s, &y, &m, &d)) {
		out[0] = 0;
		return;
	}
	int total = (y + years) * 12 + (m - 1) + months;
	y = total / 12;
	m = total % 12 + 1;
	if (d > days_in_month(y, m))
		d = days_in_month(y, m);
	int64_t z = date_days(y, m, d) + days;
	date_from_days(z, &y, &m, &d);
	date_format(out, y, m, d);
}

int64_t date_diff(const char *a, const char *b)
{
	int y1, m1, d1, y2, m2, d2;
	if (!date_parse(a, &y1, &m1, &d1) || !date_parse(b, &y2, &m2, &d2))
		return 0;
	return date_days(y2, m2, d2) - date_days(y1, m1, d1);
}

void date_now_iso(char out[21])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int64_t date_now_unix(void)
{
	return (int64_t)time(NULL);
}
