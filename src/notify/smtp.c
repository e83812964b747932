/* smtp.c — the e-mail adapter: one message per send over SMTP (libcurl),
 * to the server in setting notify.smtp_url (smtp://host:port, or smtps://
 * with user:password@ in the URL), from notify.from.  Subject and body are
 * UTF-8, the body base64 so any relay carries it unchanged. */
#include "notify/notify.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "db/db.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_start(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static char *b64(const char *s, size_t n)
{
	size_t cap = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
	char *out = xmalloc(cap);
	sodium_bin2base64(out, cap, (const unsigned char *)s, n, sodium_base64_VARIANT_ORIGINAL);
	return out;
}

/* The whole message, headers and base64 body in lines of 76. */
static char *message(const char *from, const char *to, const char *subject, const char *body)
{
	struct buf b = {0};
	char date[64];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	char *sb = b64(subject, strlen(subject));
	buf_printf(&b, "From: %s\r\nTo: %s\r\nSubject: =?UTF-8?B?%s?=\r\nDate: %s\r\nMIME-Version: 1.0\r\n"
		       "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
		   from, to, sb, date);
	free(sb);
	char *bb = b64(body, strlen(body));
	for (size_t i = 0, n = strlen(bb); i < n; i += 76) {
		buf_append(&b, bb + i, n - i < 76 ? n - i : 76);
		buf_puts(&b, "\r\n");
	}
	free(bb);
	return buf_detach(&b);
}

struct reader {
	const char *p;
	size_t left;
};

static size_t read_cb(char *dst, size_t size, size_t n, void *arg)
{
	struct reader *r = arg;
	size_t k = size * n < r->left ? size * n : r->left;
	memcpy(dst, r->p, k);
	r->p += k;
	r->left -= k;
	return k;
}

static int setting_text(struct db *db, const char *key, char **out, struct dj_error *err)
{
	int rc = db_text1(db, out, "SELECT value FROM setting WHERE key = ?", DB_ARGS(DB_T(key)), err);
	if (rc == DJ_ENOTFOUND) {
		dj_error_clear(err);
		*out = NULL;
		return 0;
	}
	return rc;
}

static int smtp_send(struct db *db, const char *to, const char *subject, const char *body, struct dj_error *err)
{
	char *url = NULL, *from = NULL;
	int rc = setting_text(db, "notify.smtp_url", &url, err);
	if (!rc)
		rc = setting_text(db, "notify.from", &from, err);
	if (!rc && (!url || !*url || !from || !*from))
		rc = dj_fail(err, DJ_EINVAL, "smtp_url", "未设置邮件服务器地址或发件人");
	if (rc) {
		free(url);
		free(from);
		return rc;
	}
	pthread_once(&curl_once, curl_start);
	char *msg = message(from, to, subject, body);
	struct reader rd = {msg, strlen(msg)};
	char fromaddr[300], toaddr[300];
	snprintf(fromaddr, sizeof fromaddr, "<%s>", from);
	snprintf(toaddr, sizeof toaddr, "<%s>", to);
	CURL *c = curl_easy_init();
	struct curl_slist *rcpt = curl_slist_append(NULL, toaddr);
	char ebuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, fromaddr);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &rd);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	CURLcode res = curl_easy_perform(c);
	if (res != CURLE_OK)
		rc = dj_fail(err, DJ_EIO, "", "%s", ebuf[0] ? ebuf : curl_easy_strerror(res));
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	free(msg);
	free(url);
	free(from);
	return rc;
}

static int smtp_ready(struct db *db, bool *ready, struct dj_error *err)
{
	int64_t n = 0;
	int rc = db_int1(db, &n, "SELECT count(*) FROM setting WHERE key IN ('notify.smtp_url', 'notify.from') AND value <> ''",
			 DB_NOARGS, err);
	*ready = !rc && n == 2;
	return rc;
}

const struct notify_adapter notify_smtp = {"email", smtp_send, smtp_ready};
