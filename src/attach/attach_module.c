/* attach_module.c — the attachment store in the module table (platform/module.h). */
#include "attach/attach.h"

#include "platform/module.h"

extern const struct route attach_routes[];

const struct module attach_module = {
	.name = "attach",
	.label = "附件",
	.routes = attach_routes,
};
