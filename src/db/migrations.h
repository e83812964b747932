#ifndef DJ_MIGRATIONS_H
#define DJ_MIGRATIONS_H
extern const char *const db_migrations[];
extern const int db_migration_count;
#endif
