/* collate.h — sort keys for Chinese names in pinyin order (ICU's zh
 * collation), stored beside the name so both engines sort the same. */
#ifndef DJ_COLLATE_H
#define DJ_COLLATE_H

/* Hex sort key of a UTF-8 string; caller frees. */
char *collate_key(const char *utf8);
/* Release the collator (at exit, for leak checkers). */
void collate_shutdown(void);

#endif
