/* todo.c — the one shape of a 待办 item (todo.h). */
#include "platform/todo.h"

void todo_add(json_t *out, const char *kind, const char *title, const char *due_on, const char *link, int64_t org_id,
	      const char *org_name)
{
	json_t *x = json_pack("{s:s, s:s, s:s}", "kind", kind, "title", title, "link", link);
	if (due_on)
		json_object_set_new(x, "due_on", json_string(due_on));
	if (org_id)
		json_object_set_new(x, "org_id", json_integer(org_id));
	if (org_name)
		json_object_set_new(x, "org_name", json_string(org_name));
	json_array_append_new(out, x);
}
