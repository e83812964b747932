/* assets.h — the web UI, built by Vite and embedded by scripts/embed.mjs. */
#ifndef DJ_ASSETS_H
#define DJ_ASSETS_H

#include <stddef.h>

struct asset {
	const char *path;	/* "/index.html", "/assets/index-abc.js" */
	const char *type;
	const unsigned char *data;
	size_t len;
	const unsigned char *gz;	/* gzip of data, or NULL when it would not shrink */
	size_t gzlen;
};

extern const struct asset dj_assets[];
extern const size_t dj_asset_count;

const struct asset *asset_find(const char *path);

#endif
