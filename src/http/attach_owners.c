/* routes.c — the owners of attachments: which module decides who may read
 * or remove the attachments of an entity.  (Routes come from the module
 * table, platform/modules.c.) */
#include "develop/develop.h"
#include "http/server.h"
#include "life/life.h"
#include "member/member_roster.h"
#include "task/task.h"

const struct attach_owner attach_owners[] = {
	{"activity", life_attachment_scope},
	{"submission", task_attachment_scope},
	{"member_end", roster_end_attachment_scope},
	{"develop_step", develop_attachment_scope},
	{0},
};
