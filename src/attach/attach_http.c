/* attach_http.c — download and removal of an attachment; the owning module
 * (named in attach_owners, http/routes.c) decides who may. */
#include "attach/attach.h"

#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "db/db.h"
#include "http/http.h"
#include "http/server.h"

static int owner_scope(struct http_ctx *c, int64_t id, bool write)
{
	char entity[32];
	int64_t eid;
	int rc = attach_owner(http_db(c), id, entity, &eid, http_err(c));
	if (rc)
		return rc;
	for (const struct attach_owner *o = attach_owners; o->entity; o++)
		if (strcmp(o->entity, entity) == 0)
			return o->scope(http_db(c), http_actor(c), entity, eid, write, http_err(c));
	return dj_fail(http_err(c), DJ_ENOTFOUND, "id", "附件不存在");
}

static int h_get(struct http_ctx *c)
{
	int64_t id = http_param(c, 0);
	int rc = owner_scope(c, id, false);
	if (rc)
		return rc;
	char *data, *name, *mime;
	size_t len;
	if ((rc = attach_read(http_db(c), id, &data, &len, &name, &mime, http_err(c))))
		return rc;
	/* Images open in place; documents download under their own name. */
	rc = http_reply_bytes(c, 200, mime, data, len, strncmp(mime, "image/", 6) == 0 ? NULL : name);
	free(data);
	free(name);
	free(mime);
	return rc;
}

static int h_delete(struct http_ctx *c)
{
	int64_t id = http_param(c, 0);
	struct db *db = http_db(c);
	int rc = owner_scope(c, id, true);
	if (rc || (rc = db_begin(db, http_err(c))))
		return rc;
	json_t *before = db_row(db, "SELECT entity, entity_id, filename, size, sha256 FROM attachment WHERE id = ?",
				DB_ARGS(DB_I(id)), http_err(c));
	rc = before ? attach_remove(db, id, http_err(c)) : http_err(c)->code;
	if (!rc)
		rc = audit_write(db, http_actor(c), "attach.remove", "attachment", id, before, NULL, http_err(c));
	json_decref(before);
	if ((rc = db_end(db, rc, http_err(c))))
		return rc;
	return http_ok(c, json_pack("{s:b}", "ok", 1));
}

const struct route attach_routes[] = {
	{"GET", "/api/v1/attachments/:id", h_get, 0},
	{"DELETE", "/api/v1/attachments/:id", h_delete, ROUTE_MANAGE},
	{0},
};
