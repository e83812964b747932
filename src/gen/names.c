/* names.c — names, 身份证号 and phone numbers that look like real ones. */
#include "gen/gen.h"

#include <stdio.h>
#include <string.h>

#include "member/idcard.h"

uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* The commonest surnames, the first ones repeated so they come up as often as in life. */
static const char *const surnames[] = {
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "王", "李", "张", "刘", "陈", "杨",
	"徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许",
	"韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜",
	"叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪",
	"范", "金", "石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江",
	"尹", "薛", "闫", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵",
	"欧阳", "司马", "诸葛"};
static const char *const male_chars[] = {
	"伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞",
	"鑫", "波", "宁", "建", "国", "峰", "文", "东", "海", "林", "志", "宏", "亮", "俊", "浩", "凯",
	"晨", "阳", "宇", "博", "振", "永", "春", "德", "成", "新", "立", "庆", "宝", "兵", "利", "忠"};
static const char *const female_chars[] = {
	"芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "红", "梅", "莉", "婷", "雪", "琳",
	"慧", "倩", "颖", "洁", "萍", "琴", "晶", "欣", "佳", "悦", "蕾", "薇", "雯", "秀", "兰", "英",
	"华", "丹", "月", "清", "宁", "思", "雨", "嘉"};

#define N(a) (int64_t)(sizeof a / sizeof a[0])

void gen_name(struct rng *r, char *out, size_t n, int male)
{
	const char *s = surnames[rng_range(r, 0, N(surnames) - 1)];
	const char *const *pool = male ? male_chars : female_chars;
	int64_t np = male ? N(male_chars) : N(female_chars);
	const char *a = pool[rng_range(r, 0, np - 1)];
	if (rng_range(r, 0, 9) < 3)	/* three in ten have one-character given names */
		snprintf(out, n, "%s%s", s, a);
	else
		snprintf(out, n, "%s%s%s", s, a, pool[rng_range(r, 0, np - 1)]);
}

/* Region codes of cities and districts, for plausible birth places. */
static const char *const regions[] = {
	"410102", "410105", "410302", "410502", "410702", "411302", "411502", "411602",
	"420102", "420106", "430102", "430104", "510104", "510107", "230102", "230103",
	"370102", "370202", "320102", "330102", "340102", "360102", "130102", "140105"};

void gen_id_card(struct rng *r, const char *birth, int male, char out[19])
{
	const char *reg = regions[rng_range(r, 0, N(regions) - 1)];
	int seq = (int)rng_range(r, 0, 498);
	if ((seq % 2 == 1) != (male != 0))	/* the 17th digit is odd for men */
		seq++;
	snprintf(out, 19, "%s%.4s%.2s%.2s%03d", reg, birth, birth + 5, birth + 8, seq);
	out[17] = idcard_check_char(out);
	out[18] = 0;
}
