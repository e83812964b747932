/* member_fields.c — which roster field a column heading stands for.
 *
 * The one table of headings that other systems use for our fields: the
 * 全国党员管理信息系统's export and collection forms (公民身份号码, 人员类别,
 * 加入党组织日期, 转为正式党员日期 …), and the rosters of other platforms
 * and of hand-kept spreadsheets (身份证号码, 党籍状态, 入党时间, 所属党支部 …).
 * DESIGN.md "Import" lists the ones users meet; the README says where the
 * rest came from.  Headings are compared after member_heading_norm(). */
#include "member/member_cols.h"

#include <string.h>

const struct member_synonym member_synonyms[] = {
	{"姓名", "name"}, {"党员姓名", "name"}, {"名字", "name"},
	{"性别", "gender"},
	{"民族", "ethnicity"},
	{"身份证号", "id_card"}, {"公民身份号码", "id_card"}, {"身份证号码", "id_card"}, {"身份证", "id_card"},
	{"公民身份证号", "id_card"}, {"公民身份证号码", "id_card"}, {"证件号码", "id_card"},
	{"出生日期", "birth_date"}, {"出生年月", "birth_date"}, {"出生年月日", "birth_date"}, {"出生时间", "birth_date"},
	{"联系电话", "phone"}, {"手机号码", "phone"}, {"联系方式", "phone"}, {"手机号", "phone"}, {"手机", "phone"},
	{"移动电话", "phone"}, {"电话", "phone"}, {"电话号码", "phone"},
	{"学历", "education"}, {"文化程度", "education"}, {"最高学历", "education"}, {"全日制学历", "education"},
	{"入党日期", "join_date"}, {"入党时间", "join_date"}, {"加入党组织日期", "join_date"},
	{"加入中共时间", "join_date"}, {"加入中国共产党日期", "join_date"},
	{"党员类别", "status"}, {"人员类别", "status"}, {"党员状态", "status"}, {"正式/预备党员", "status"},
	{"党籍状态", "status"}, {"预/正", "status"}, {"正式/预备", "status"}, {"党员身份", "status"},
	{"转正日期", "full_date"}, {"转正时间", "full_date"}, {"转为正式党员日期", "full_date"},
	{"党内职务", "position"}, {"工作岗位", "position"}, {"职务", "position"}, {"党内职务名称", "position"},
	{"是否流动党员", "is_mobile"}, {"流动党员", "is_mobile"},
	{"外出地点", "mobile_place"}, {"外出流向", "mobile_place"}, {"流动去向", "mobile_place"},
	{"外出日期", "mobile_since"}, {"外出时间", "mobile_since"},
	{"所在党组织编码", "org_code"}, {"党组织编码", "org_code"}, {"组织编码", "org_code"},
	{"所在党支部", "org_code"}, {"所在党组织", "org_code"}, {"党组织名称", "org_code"}, {"所在组织", "org_code"},
	{"所属党支部", "org_code"}, {"所属党组织", "org_code"}, {"所在支部", "org_code"}, {"所属支部", "org_code"},
	{"党支部", "org_code"}, {"支部名称", "org_code"},
	{0, 0},
};

int member_field_by_key(const char *key)
{
	for (int c = 0; c < MEMBER_NCOLS; c++)
		if (strcmp(member_cols[c].key, key) == 0)
			return c;
	return -1;
}

/* Length of the whitespace character at s (ASCII, NBSP, ideographic space), or 0. */
static size_t space_len(const char *s)
{
	if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		return 1;
	if ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0)
		return 2;
	if (strncmp(s, "\xE3\x80\x80", 3) == 0)
		return 3;
	return 0;
}

void member_heading_norm(const char *in, char *out, size_t cap)
{
	size_t n = 0;
	int depth = 0;	/* inside (…) or （…）: a format hint such as 出生年月(2019/10/24) */
	for (const char *s = in; *s;) {
		size_t k;
		if ((k = space_len(s))) {
			s += k;
		} else if (*s == '(' || !strncmp(s, "（", 3)) {
			depth++;
			s += *s == '(' ? 1 : 3;
		} else if (*s == ')' || !strncmp(s, "）", 3)) {
			if (depth)
				depth--;
			s += *s == ')' ? 1 : 3;
		} else if (*s == '*' || !strncmp(s, "＊", 3) || !strncmp(s, "：", 3) || *s == ':' || !strncmp(s, "※", 3)) {
			s += *s == '*' || *s == ':' ? 1 : 3;
		} else {
			size_t len = 1;
			while ((s[len] & 0xC0) == 0x80)
				len++;
			if (!depth && n + len < cap) {
				memcpy(out + n, s, len);
				n += len;
			}
			s += len;
		}
	}
	if (cap)
		out[n < cap ? n : cap - 1] = 0;
}

int member_field_of_heading(const char *heading, int *rank)
{
	char h[128];
	member_heading_norm(heading, h, sizeof h);
	if (!h[0])
		return -1;
	for (const struct member_synonym *s = member_synonyms; s->heading; s++)
		if (strcmp(h, s->heading) == 0) {
			if (rank)
				*rank = (int)(s - member_synonyms);
			return member_field_by_key(s->key);
		}
	return -1;
}
