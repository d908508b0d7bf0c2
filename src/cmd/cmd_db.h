/*
 * cmd_db.h: option parsing shared by the database commands (backup,
 * restore, drill).
 */
#ifndef BW_CMD_DB_H
#define BW_CMD_DB_H

/* Parses -j N (1..64) into *out; on a bad value prints the usage error and returns EXIT_USAGE. */
int cmd_parse_jobs(const char *cmd, const char *arg, int *out);

#endif
