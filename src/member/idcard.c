#include "member/idcard.h"

#include <stdio.h>
#include <string.h>

#include "core/date.h"

char idcard_check_char(const char *first17)
{
	static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char map[] = "10X98765432";
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (first17[i] - '0') * w[i];
	return map[sum % 11];
}

bool idcard_parse(const char *id, char birth[11], bool *male, char *msg, int msglen)
{
	if (strlen(id) != 18) {
		snprintf(msg, (size_t)msglen, "身份证号应为18位");
		return false;
	}
	for (int i = 0; i < 17; i++)
		if (id[i] < '0' || id[i] > '9') {
			snprintf(msg, (size_t)msglen, "身份证号前17位应为数字");
			return false;
		}
	if (id[0] < '1' || id[0] > '8') {
		snprintf(msg, (size_t)msglen, "身份证号的地区码无效");
		return false;
	}
	char b[11];
	snprintf(b, sizeof b, "%.4s-%.2s-%.2s", id + 6, id + 10, id + 12);
	char today[11];
	date_today(today);
	if (!date_valid(b) || strcmp(b, today) > 0) {
		snprintf(msg, (size_t)msglen, "身份证号中的出生日期无效");
		return false;
	}
	char c = id[17] == 'x' ? 'X' : id[17];
	if (c != idcard_check_char(id)) {
		snprintf(msg, (size_t)msglen, "身份证号校验位错误");
		return false;
	}
	memcpy(birth, b, 11);
	*male = (id[16] - '0') % 2 == 1;
	return true;
}
